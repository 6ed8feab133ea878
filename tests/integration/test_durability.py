"""No history record lost: a real Redis killed, stopped and restarted under the history store, the
report consumer and the radio's report publisher (in this process, over real connections)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from mirakuru import TCPExecutor
from prometheus_client import CollectorRegistry
from redis.asyncio import Redis

from edgecloud.common.reports import DeliveryReport
from edgecloud.orchestrator import OrchestratorSettings
from edgecloud.orchestrator.history import HistoryStore
from edgecloud.orchestrator.metrics import OrchestratorMetrics
from edgecloud.orchestrator.report_consumer import ReportConsumer
from edgecloud.radio_emulator.metrics import RadioMetrics
from edgecloud.radio_emulator.publisher import ReportPublisher
from edgecloud.stack import free_port, redis_command
from tests.eventually import eventually_async
from tests.unit.orchestrator.test_records_and_state import part
from tests.unit.orchestrator.test_records_and_state import report as delivery_report

pytestmark = [pytest.mark.integration]


@dataclass
class Server:
    port: int
    executor: TCPExecutor

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[Server]:
    port = free_port()
    (tmp_path / "data").mkdir()
    log = (tmp_path / "redis.log").open("wb")
    executor = TCPExecutor(
        redis_command(port, data_dir=tmp_path / "data"),
        host="127.0.0.1",
        port=port,
        timeout=20,
        stdout=log,
        stderr=log,
    )
    executor.start()
    try:
        yield Server(port, executor)
    finally:
        executor.stop()
        log.close()


@dataclass
class Services:
    redis: Redis
    history: HistoryStore
    consumer: ReportConsumer
    publisher: ReportPublisher
    registry: CollectorRegistry
    radio_registry: CollectorRegistry

    def count(self, name: str, **labels: str) -> float:
        return self.registry.get_sample_value(name, labels) or 0.0

    async def records(self) -> list[Any]:
        return await self.history.read(1000)


@asynccontextmanager
async def services(server: Server, **overrides: Any) -> AsyncIterator[Services]:
    settings = OrchestratorSettings(
        redis_url=server.url, instance_id="orch-a", history_write_attempts=2, **overrides
    )
    # Short timeouts, so that an outage is seen in a test's time (the services' own are 2 s too).
    redis = Redis.from_url(server.url, socket_timeout=1.0, socket_connect_timeout=1.0)
    registry, radio_registry = CollectorRegistry(), CollectorRegistry()
    metrics = OrchestratorMetrics(registry)
    history = HistoryStore(redis, settings, metrics)
    publisher = ReportPublisher(
        redis, settings.delivery_stream, 10_000, RadioMetrics(radio_registry), attempts=2
    )
    try:
        yield Services(
            redis,
            history,
            ReportConsumer(redis, history, settings, metrics),
            publisher,
            registry,
            radio_registry,
        )
    finally:
        await redis.aclose()


def report(request_id: str) -> DeliveryReport:
    return delivery_report(request_id=request_id)


@pytest.mark.anyio
async def test_a_killed_redis_keeps_what_it_was_given_a_second_before(
    redis_server: Server,
) -> None:
    async with services(redis_server) as s:
        await s.history.submit(part(request_id="direct-1", via_radio=False))
        assert [r.request_id for r in await s.records()] == ["direct-1"]
    await asyncio.sleep(1.5)  # appendfsync everysec
    redis_server.executor.kill()
    redis_server.executor.start()
    async with services(redis_server) as s:
        assert [r.request_id for r in await s.records()] == ["direct-1"]


@pytest.mark.anyio
async def test_with_redis_away_halves_reports_and_records_are_spooled_then_all_joined(
    redis_server: Server,
) -> None:
    async with services(redis_server) as s:
        consumer = asyncio.create_task(s.consumer.run(block_ms=100))
        await s.history.submit(part(request_id="before", via_radio=False))
        redis_server.executor.stop()
        ids = [f"away-{i}" for i in range(5)]
        for request_id in ids:
            await s.history.submit(part(request_id=request_id))
            assert await s.publisher.publish(report(request_id))
        await s.history.submit(part(request_id="away-direct", via_radio=False))
        assert len(s.history.spool) == 6
        assert len(s.publisher.spool) == 5
        redis_server.executor.start()
        replayer = asyncio.create_task(s.publisher.spool.run_replay(0.2))
        try:

            async def all_there() -> bool:
                return len(await s.records()) == 7

            await eventually_async(all_there, 15.0, what="every record")
        finally:
            consumer.cancel()
            replayer.cancel()
        records = await s.records()
        assert sorted(r.request_id for r in records) == sorted(["before", "away-direct", *ids])
        # Each one joined with its report (none finished without it), and nothing dropped.
        assert all(r.radio is not None for r in records if r.request_id in ids)
        assert s.count("edgecloud_history_records_total", outcome="dropped") == 0
        assert s.count("edgecloud_history_spool_total", event="spooled") == 6
        assert s.count("edgecloud_history_spool_total", event="replayed") == 6
        assert len(s.history.spool) == 0
        assert len(s.publisher.spool) == 0


@pytest.mark.anyio
async def test_reports_a_crashed_consumer_read_are_claimed_and_joined(
    redis_server: Server,
) -> None:
    async with services(redis_server, report_claim_idle_s=0.3) as s:
        await s.consumer._ensure_group()
        await s.history.submit(part(request_id="r-claimed"))
        await s.publisher.publish(report("r-claimed"))
        # Another replica reads the report and dies before it acknowledges.
        read: Any = await s.redis.xreadgroup(
            "orchestrators", "crashed-replica", {"edgecloud:delivery": ">"}, count=10
        )
        assert len(read[0][1]) == 1
        await asyncio.sleep(0.5)
        assert await s.consumer.claim_stale() == 1
        records = await s.records()
        assert [r.request_id for r in records] == ["r-claimed"]
        assert records[0].radio is not None
        pending: Any = await s.redis.xpending("edgecloud:delivery", "orchestrators")
        assert pending["pending"] == 0


@pytest.mark.anyio
async def test_reports_written_while_no_orchestrator_ran_are_joined(redis_server: Server) -> None:
    async with services(redis_server) as s:
        await s.publisher.publish(report("r-early"))  # the stream exists, the group not yet
        await s.history.submit(part(request_id="r-early"))
        consumer = asyncio.create_task(s.consumer.run(block_ms=100))
        try:

            async def joined() -> bool:
                return s.count("edgecloud_history_records_total", outcome="joined") == 1

            await eventually_async(joined, 15.0, what="the early report joined")
        finally:
            consumer.cancel()
        assert [r.request_id for r in await s.records()] == ["r-early"]


@pytest.mark.anyio
async def test_a_late_report_is_counted_and_the_record_not_written_twice(
    redis_server: Server,
) -> None:
    async with services(redis_server, join_timeout_s=0.1) as s:
        await s.history.submit(part(request_id="r-late"))
        await asyncio.sleep(0.2)
        assert await s.history.sweep() == 1
        await s.history.on_report(report("r-late"))
        records = await s.records()
        assert [r.request_id for r in records] == ["r-late"]
        assert records[0].report_missing
        assert s.count("edgecloud_delivery_reports_late_total") == 1


@pytest.mark.anyio
async def test_a_shutdown_after_redis_came_back_writes_the_spooled_records(
    redis_server: Server,
) -> None:
    async with services(redis_server) as s:
        redis_server.executor.stop()
        for i in range(3):
            await s.history.submit(part(request_id=f"spooled-{i}", via_radio=False))
        assert len(s.history.spool) == 3
        redis_server.executor.start()
        # What the orchestrator's lifespan does last at shutdown.
        assert await s.history.spool.flush() == 0
        assert sorted(r.request_id for r in await s.records()) == [f"spooled-{i}" for i in range(3)]
