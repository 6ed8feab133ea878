"""The overview: end-to-end delay, where it goes, what the orchestrator decided and how it fared."""

from __future__ import annotations

from grafana_foundation_sdk.builders.dashboard import Dashboard
from grafana_foundation_sdk.models import units

from ._panels import Panel, Query, build_dashboard

UID = "edgecloud-overview"

ROWS: tuple[tuple[Panel, ...], ...] = (
    (
        Panel(
            "End-to-end delay p50 by route and policy",
            "Median time from the request reaching the radio emulator to the last byte delivered.",
            units.Seconds,
            (
                Query(
                    "route_policy:edgecloud_request_delay_seconds:p50_1m", "{{route}} / {{policy}}"
                ),
            ),
        ),
        Panel(
            "End-to-end delay p95 by route and policy",
            "95th percentile of the end-to-end delay: the tail a policy has to keep down.",
            units.Seconds,
            (
                Query(
                    "route_policy:edgecloud_request_delay_seconds:p95_1m", "{{route}} / {{policy}}"
                ),
            ),
        ),
    ),
    (
        Panel(
            "Mean delay by part",
            "Mean of each part of the end-to-end delay; stacked, they add up to the mean total.",
            units.Seconds,
            (Query("part:edgecloud_request_delay_part_seconds:mean_1m", "{{part}}"),),
            stacked=True,
        ),
        Panel(
            "Share of decisions per route",
            "Fraction of offloading decisions that chose each tier.",
            units.PercentUnit,
            (
                Query(
                    "sum by (route) (rate(edgecloud_decisions_total[1m]))"
                    " / ignoring(route) group_left"
                    " sum(rate(edgecloud_decisions_total[1m]))",
                    "{{route}}",
                ),
            ),
            stacked=True,
            ratio=True,
        ),
    ),
    (
        Panel(
            "Requests by status",
            "Chat requests the orchestrator finished, by final outcome (ok or the kind of "
            "failure); a request served after a failover counts once, as ok.",
            units.RequestsPerSecond,
            (Query("sum by (status) (rate(edgecloud_requests_total[1m]))", "{{status}}"),),
            width=8,
        ),
        Panel(
            "Errors (status != ok)",
            "Requests that did not end ok; 0 while requests flow without error (Requests by "
            "status names the failing outcome).",
            units.RequestsPerSecond,
            (
                Query(
                    'sum(rate(edgecloud_requests_total{status!="ok"}[1m]))'
                    " or sum(rate(edgecloud_requests_total[1m])) * 0",
                    "errors",
                ),
            ),
            width=8,
        ),
        Panel(
            "Requests in flight per tier",
            "Requests the orchestrator has open towards each tier.",
            units.Short,
            (Query("sum by (route) (edgecloud_tier_in_flight_requests)", "{{route}}"),),
            width=8,
        ),
    ),
    (
        Panel(
            "Decision time by policy",
            "Time a policy took to decide (p50, p95, p99).",
            units.Seconds,
            tuple(
                Query(f"policy:edgecloud_decision_seconds:{q}_1m", f"{{{{policy}}}} {q}")
                for q in ("p50", "p95", "p99")
            ),
            width=8,
        ),
        Panel(
            "History records by outcome",
            "History records written: joined with the radio's delivery report, written without it "
            "(report_missing, direct) or dropped.",
            units.RecordsPerSecond,
            (Query("sum by (outcome) (rate(edgecloud_history_records_total[1m]))", "{{outcome}}"),),
            width=8,
        ),
        Panel(
            "Quality violations",
            "Requests served by a tier whose quality is below the task's requirement.",
            units.RequestsPerSecond,
            (
                Query(
                    "sum by (route, task_type) (rate(edgecloud_quality_violations_total[1m]))",
                    "{{route}} / {{task_type}}",
                ),
            ),
            width=8,
        ),
    ),
    (
        Panel(
            "Policy fallbacks",
            "Decisions a policy handed to greedy, by reason.",
            units.RequestsPerSecond,
            (
                Query(
                    "sum by (policy, reason) (rate(edgecloud_policy_fallbacks_total[1m]))",
                    "{{policy}}: {{reason}}",
                ),
            ),
        ),
        Panel(
            "Tier failures and failovers",
            "Attempts a tier failed before its first byte (unreachable or a 5xx), and requests "
            "moved to the other tier after such a failure.",
            units.RequestsPerSecond,
            (
                Query(
                    "sum by (route, reason) (rate(edgecloud_tier_failures_total[1m]))",
                    "{{route}} failed: {{reason}}",
                ),
                Query(
                    "sum by (from_route, to_route) (rate(edgecloud_failovers_total[1m]))",
                    "failover {{from_route}} to {{to_route}}",
                ),
            ),
        ),
    ),
)


def overview() -> Dashboard:
    return build_dashboard(
        UID,
        "edgecloud: overview",
        "End-to-end delay and the orchestrator's decisions, from the orchestrator's metrics.",
        ROWS,
    )
