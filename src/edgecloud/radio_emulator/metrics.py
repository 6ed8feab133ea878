"""Prometheus metrics of the radio emulator, on a registry owned by the app."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Metric
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from edgecloud.common.spool import SpoolMetrics
from edgecloud.model.cells import Direction, RadioEnvironment

from .scheduler import AirScheduler

DELAY_BUCKETS_S = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


class RadioMetrics:
    def count_error(self, status: int, code: str) -> None:
        self.errors.labels(str(status), code).inc()

    def __init__(self, registry: CollectorRegistry) -> None:
        # A declarative table (one declaration per metric): long by design.
        self.requests = Counter(
            "edgecloud_radio_requests", "UE requests by HTTP status", ["status"], registry=registry
        )
        self.evicted_ues = Counter(
            "edgecloud_radio_evicted_ues",
            "Idle UEs removed to register a new one at max_ues (least recently used first)",
            registry=registry,
        )
        self.errors = Counter(
            "edgecloud_radio_error_responses",
            "Error responses by HTTP status and error code (the emulator's own refusals)",
            ["status", "code"],
            registry=registry,
        )
        self.air_bytes = Counter(
            "edgecloud_radio_air_bytes",
            "Bytes carried over the air",
            ["direction"],
            registry=registry,
        )
        self.backhaul_bytes = Counter(
            "edgecloud_radio_backhaul_bytes",
            "Bytes carried over the backhaul",
            ["direction"],
            registry=registry,
        )
        self.uplink_delay = Histogram(
            "edgecloud_radio_uplink_delay_seconds",
            "Air time of a request on the uplink",
            buckets=DELAY_BUCKETS_S,
            registry=registry,
        )
        self.downlink_delay = Histogram(
            "edgecloud_radio_downlink_delay_seconds",
            "First response byte sent to last byte delivered",
            buckets=DELAY_BUCKETS_S,
            registry=registry,
        )
        self.delivery_delay = Histogram(
            "edgecloud_radio_delivery_delay_seconds",
            "Request received from the UE to last response byte delivered",
            buckets=DELAY_BUCKETS_S,
            registry=registry,
        )
        self.reports = Counter(
            "edgecloud_radio_delivery_reports",
            "Delivery reports by outcome (published: in the stream, directly or from the spool; "
            "dropped)",
            ["outcome"],
            registry=registry,
        )
        self.report_spool = SpoolMetrics(registry, "edgecloud_radio_report", "Delivery reports")
        for outcome in ("published", "dropped"):
            self.reports.labels(outcome)
        self.orchestrator_up = Gauge(
            "edgecloud_radio_orchestrator_up",
            "Whether an orchestrator replica is taken (1) or skipped until healthy (0)",
            ["url"],
            registry=registry,
        )
        self.orchestrator_failovers = Counter(
            "edgecloud_radio_orchestrator_failovers",
            "Requests moved on from an orchestrator replica that failed before answering",
            ["url"],
            registry=registry,
        )
        self.admin_state = Counter(
            "edgecloud_radio_admin_state",
            "Admin changes kept in Redis and restored at start, by event (saved, save_failed, "
            "restored, restore_failed: Redis unavailable, or a change that no longer validates)",
            ["event"],
            registry=registry,
        )
        for event in ("saved", "save_failed", "restored", "restore_failed"):
            self.admin_state.labels(event)
        self.registered_ues = Gauge(
            "edgecloud_radio_registered_ues", "UEs known to the emulator", registry=registry
        )


class SchedulerCollector(Collector):
    """Reads the live radio state at scrape time.

    Per-cell series: RB-seconds granted (utilisation = rate / RBs of the cell), bytes sent, active
    UEs. Per-UE series (rate, SINR, bytes) only for the first ``max_ues`` UEs, to bound cardinality.
    """

    def __init__(
        self,
        environment: RadioEnvironment,
        schedulers: dict[Direction, AirScheduler],
        max_ues: int,
    ) -> None:
        self._environment = environment
        self._schedulers = schedulers
        self._max_ues = max_ues

    def collect(self) -> Iterator[Metric]:
        env = self._environment
        cells = range(len(env.sites))
        rbs = GaugeMetricFamily(
            "edgecloud_radio_cell_rbs", "RBs of each cell's carrier", labels=["cell"]
        )
        for cell in cells:
            rbs.add_metric([str(cell)], env.carrier.n_rbs)
        rb_seconds = CounterMetricFamily(
            "edgecloud_radio_rb_seconds",
            "RBs granted times epoch duration; divide its rate by the cell's RBs for utilisation",
            labels=["cell", "direction"],
        )
        cell_bytes = CounterMetricFamily(
            "edgecloud_radio_cell_bytes", "Bytes sent per cell", labels=["cell", "direction"]
        )
        active = GaugeMetricFamily(
            "edgecloud_radio_active_ues", "UEs with bytes waiting", labels=["cell", "direction"]
        )
        lag = GaugeMetricFamily(
            "edgecloud_radio_scheduler_lag_seconds",
            "How late the last scheduling epoch ran",
            labels=["direction"],
        )
        late = CounterMetricFamily(
            "edgecloud_radio_scheduler_late_epochs",
            "Epochs that ran more than one epoch late",
            labels=["direction"],
        )
        epochs = CounterMetricFamily(
            "edgecloud_radio_scheduler_epochs", "Scheduling epochs run", labels=["direction"]
        )
        for direction, scheduler in self._schedulers.items():
            d = direction.value
            for cell in cells:
                counters = scheduler.cells.get(cell)
                rb_seconds.add_metric([str(cell), d], counters.rb_seconds if counters else 0.0)
                cell_bytes.add_metric([str(cell), d], counters.bytes_sent if counters else 0.0)
                active.add_metric([str(cell), d], scheduler.active_ues(cell))
            lag.add_metric([d], scheduler.last_lag_s)
            late.add_metric([d], scheduler.late_epochs)
            epochs.add_metric([d], scheduler.epochs)
        yield from (rbs, rb_seconds, cell_bytes, active, lag, late, epochs)
        yield from self._harq()
        yield from self._per_ue()

    def _harq(self) -> Iterator[Metric]:
        blocks = CounterMetricFamily(
            "edgecloud_radio_harq_blocks", "Transport blocks sent first", labels=["direction"]
        )
        failed = CounterMetricFamily(
            "edgecloud_radio_harq_failed_blocks",
            "Transport blocks whose first copy failed (HARQ sent another)",
            labels=["direction"],
        )
        resent = CounterMetricFamily(
            "edgecloud_radio_harq_retransmitted_bytes",
            "Bytes of HARQ copies after the first",
            labels=["direction"],
        )
        for direction, scheduler in self._schedulers.items():
            blocks.add_metric([direction.value], scheduler.backlogs.blocks)
            failed.add_metric([direction.value], scheduler.backlogs.failed_blocks)
            resent.add_metric([direction.value], scheduler.backlogs.retransmitted_bytes)
        yield from (blocks, failed, resent)

    def _per_ue(self) -> Iterator[Metric]:
        rate = GaugeMetricFamily(
            "edgecloud_radio_ue_rate_bps",
            "A UE's expected rate while it has bytes waiting (fading, scheduler and HARQ)",
            labels=["ue", "direction"],
        )
        measured = GaugeMetricFamily(
            "edgecloud_radio_ue_measured_rate_bps",
            "Bits a UE got per second while the link was its limit (moving average)",
            labels=["ue", "direction"],
        )
        sinr = GaugeMetricFamily(
            "edgecloud_radio_ue_sinr_db", "A UE's large-scale SINR", labels=["ue", "direction"]
        )
        sent = CounterMetricFamily(
            "edgecloud_radio_ue_bytes", "Bytes a UE sent or received", labels=["ue", "direction"]
        )
        for ue in list(self._environment.ues.values())[: self._max_ues]:
            for direction, scheduler in self._schedulers.items():
                labels = [ue.ue_id, direction.value]
                rate.add_metric(labels, scheduler.rate_bps(ue))
                if (got := scheduler.measured_rate_bps(ue)) is not None:
                    measured.add_metric(labels, got)
                sinr.add_metric(labels, ue.sinr_db(direction))
                sent.add_metric(labels, scheduler.ue_bytes.get(ue.ue_id, 0.0))
        yield from (rate, measured, sinr, sent)
