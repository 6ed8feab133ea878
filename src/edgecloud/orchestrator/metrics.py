"""Prometheus metrics of the orchestrator, on a registry owned by the app.

Delay metrics are labelled by route, policy and task type: all bounded sets, never a user id.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from edgecloud.common.spool import SpoolMetrics
from edgecloud.icl.metrics import DecisionMetrics
from edgecloud.model.tasks import Route, TaskType

from .records import HistoryRecord, RequestStatus

DELAY_BUCKETS_S = (
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1,
    2.5,
    5,
    10,
    30,
    60,
    120,
)
# replayed: written from the spool after Redis was away (finished as one of the others).
HISTORY_OUTCOMES = ("joined", "report_missing", "direct", "replayed", "dropped")


DELAY_PARTS = ("uplink", "decision", "queue", "backhaul", "ttft", "decode", "downlink", "other")


class OrchestratorMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        # A declarative table (one declaration per metric): long by design.
        labels = ["route", "policy", "task_type"]
        self.delay = Histogram(
            "edgecloud_request_delay_seconds",
            "End-to-end service delay: request received from the UE to last byte delivered",
            labels,
            buckets=DELAY_BUCKETS_S,
            registry=registry,
        )
        self.delay_part = Histogram(
            "edgecloud_request_delay_part_seconds",
            "One part of the end-to-end delay (uplink, decision, queue, backhaul, ttft, decode, "
            "downlink, other); the parts add up to edgecloud_request_delay_seconds",
            ["part", *labels],
            buckets=DELAY_BUCKETS_S,
            registry=registry,
        )
        self.requests = Counter(
            "edgecloud_requests",
            "Chat requests by final outcome, one count per request (ok, upstream_error, "
            "client_disconnected, tier_unavailable, upstream_rejected)",
            ["route", "policy", "status"],
            registry=registry,
        )
        self.decisions = Counter(
            "edgecloud_decisions", "Offloading decisions", ["policy", "route"], registry=registry
        )
        self.decision_time = Histogram(
            "edgecloud_decision_seconds",
            "Time a policy took to decide",
            ["policy"],
            buckets=(1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 5e-3, 0.01, 0.05, 0.1, 0.5, 1, 5),
            registry=registry,
        )
        self.quality_violations = Counter(
            "edgecloud_quality_violations",
            "Requests served below their quality requirement",
            ["route", "task_type"],
            registry=registry,
        )
        self.completion_tokens = Counter(
            "edgecloud_completion_tokens", "Generated tokens", ["route"], registry=registry
        )
        self.engine_requests = Gauge(
            "edgecloud_tier_engine_requests",
            "Requests each tier's engine reports (vLLM's num_requests_*), as last polled",
            ["route", "state"],
            registry=registry,
        )
        self.in_flight = Gauge(
            "edgecloud_tier_in_flight_requests",
            "Requests in flight per tier",
            ["route"],
            registry=registry,
        )
        self.history = Counter(
            "edgecloud_history_records",
            "History records written, by outcome (joined, report_missing, direct, replayed, "
            "dropped)",
            ["outcome"],
            registry=registry,
        )
        self.errors = Counter(
            "edgecloud_error_responses",
            "Error responses by HTTP status and error code (local refusals included)",
            ["status", "code"],
            registry=registry,
        )
        self.bad_reports = Counter(
            "edgecloud_delivery_reports_unjoinable",
            "Delivery reports (or overdue requests) that could not be joined: counted, "
            "acknowledged and passed over",
            registry=registry,
        )
        self.late_reports = Counter(
            "edgecloud_delivery_reports_late",
            "Delivery reports that came after their request was finished without one "
            "(report_missing): counted, the record left as written",
            registry=registry,
        )
        self.claimed_reports = Counter(
            "edgecloud_delivery_reports_claimed",
            "Delivery reports claimed from a consumer that read and did not acknowledge them",
            registry=registry,
        )
        self.history_spool = SpoolMetrics(registry, "edgecloud_history", "History writes")
        self.loop_restarts = Counter(
            "edgecloud_background_loop_restarts",
            "Background loops restarted after an unexpected error",
            ["loop"],
            registry=registry,
        )
        self.radio_headers_ignored = Counter(
            "edgecloud_radio_headers_ignored",
            "Requests whose X-Radio-* headers were not believed, by why (unsigned, bad_signature, "
            "no_secret): they were served as direct requests",
            ["reason"],
            registry=registry,
        )
        self.decider = DecisionMetrics(registry)  # fallbacks and ICL, counted by the decider
        self.failovers = Counter(
            "edgecloud_failovers",
            "Requests moved to the other tier after the chosen one failed before the first byte",
            ["from_route", "to_route"],
            registry=registry,
        )
        self.tier_failures = Counter(
            "edgecloud_tier_failures",
            "Attempts a tier failed before the first byte (unavailable, server_error); the request "
            "may still have been served by the other tier",
            ["route", "reason"],
            registry=registry,
        )
        self.cooldowns = Counter(
            "edgecloud_tier_cooldowns",
            "Times a failing tier was put in cooldown",
            ["route"],
            registry=registry,
        )
        self.pool_size = Gauge(
            "edgecloud_experience_pool_size",
            "Experiences this replica holds for kNN and ICL",
            registry=registry,
        )

        # Counters of rare events read 0 from the start instead of being absent until the first
        # one (Prometheus' advice for labelled metrics): a dashboard then shows "none yet", not
        # "no data", and rate() works from the first scrape.
        for route in Route:
            for task_type in TaskType:
                self.quality_violations.labels(route.value, task_type.value)
            other = Route.CLOUD if route is Route.EDGE else Route.EDGE
            self.failovers.labels(route.value, other.value)
            self.cooldowns.labels(route.value)
            for reason in ("unavailable", "server_error"):
                self.tier_failures.labels(route.value, reason)
        for outcome in HISTORY_OUTCOMES:
            self.history.labels(outcome)
        for reason in ("unsigned", "bad_signature", "no_secret"):
            self.radio_headers_ignored.labels(reason)

    def count_error(self, status: int, code: str) -> None:
        self.errors.labels(str(status), code).inc()

    def count_request(self, route: Route, policy: str, status: RequestStatus) -> None:
        self.requests.labels(route.value, policy, status.value).inc()

    def set_in_flight(self, route: Route, requests: int) -> None:
        self.in_flight.labels(route.value).set(requests)

    def observe_record(self, record: HistoryRecord) -> None:
        labels = (record.route, record.policy, record.task_type)
        self.delay.labels(*labels).observe(record.total_s)
        for part in DELAY_PARTS:
            value = getattr(record.parts, f"{part}_s")
            self.delay_part.labels(part, *labels).observe(value)
        if record.quality_violated:
            self.quality_violations.labels(record.route, record.task_type).inc()
