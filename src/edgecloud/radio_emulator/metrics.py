"""Prometheus metrics of the radio emulator, on a registry owned by the app."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Metric
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from .scheduler import AirScheduler

DELAY_BUCKETS_S = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


class RadioMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(
            "edgecloud_radio_requests", "UE requests by HTTP status", ["status"], registry=registry
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
            "Delivery reports by outcome (published, dropped)",
            ["outcome"],
            registry=registry,
        )
        self.registered_ues = Gauge(
            "edgecloud_radio_registered_ues", "UEs known to the emulator", registry=registry
        )


class SchedulerCollector(Collector):
    """Reads the schedulers' live state at scrape time (active UEs per cell, loop lag)."""

    def __init__(self, schedulers: dict[str, AirScheduler], n_cells: int) -> None:
        self._schedulers = schedulers
        self._n_cells = n_cells

    def collect(self) -> Iterator[Metric]:
        active = GaugeMetricFamily(
            "edgecloud_radio_active_ues", "UEs with bytes waiting", labels=["cell", "direction"]
        )
        lag = GaugeMetricFamily(
            "edgecloud_radio_scheduler_lag_seconds",
            "How late the last scheduling epoch ran",
            labels=["direction"],
        )
        for direction, scheduler in self._schedulers.items():
            for cell in range(self._n_cells):
                active.add_metric([str(cell), direction], scheduler.active_ues(cell))
            lag.add_metric([direction], scheduler.last_lag_s)
        yield active
        yield lag
