"""The orchestrator's reset: estimates, policy state and pool back to a starting state."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import httpx
import pytest
from prometheus_client import CollectorRegistry

from edgecloud.common.tasks import BackgroundTasks
from edgecloud.icl import Decider, DecisionConfig, DecisionMetrics, InMemorySource, PoolFeed
from edgecloud.model import Route, TaskType
from edgecloud.orchestrator import OrchestratorSettings
from edgecloud.orchestrator.endpoints import TierEndpoint
from edgecloud.orchestrator.records import HistoryRecord, join
from edgecloud.orchestrator.reset import StateReset
from edgecloud.policies import Experience, ExperiencePool, StateSummary
from tests.unit.factories import task_state
from tests.unit.orchestrator.fakes import FakeEngine, orchestrator
from tests.unit.orchestrator.test_records_and_state import part

SETTINGS = OrchestratorSettings(redis_url="redis://127.0.0.1:1/0")


def record(request_id: str, route: Route, status: str = "ok") -> HistoryRecord:
    features = StateSummary.of(task_state(TaskType.CODING)).features()
    return join(
        part(request_id=request_id, route=route.value, status=status, state=features), None, 10
    )


def experience(delay_s: float) -> Experience:
    return Experience(
        StateSummary.of(task_state(TaskType.CHAT)), Route.EDGE, -delay_s, delay_s, False
    )


def build() -> tuple[StateReset, dict[Route, TierEndpoint], Decider, PoolFeed, InMemorySource]:
    transport = httpx.MockTransport(FakeEngine("m"))
    http = httpx.AsyncClient(transport=transport)
    endpoints = {r: TierEndpoint(r, SETTINGS.tier(r), http, 0.5, transport) for r in Route}
    source = InMemorySource()
    feed = PoolFeed(ExperiencePool(10), source, stale_after_s=30.0)
    decider = Decider(
        DecisionConfig(), random.Random(7), feed.pool, None,
        DecisionMetrics(CollectorRegistry()), BackgroundTasks(),
    )  # fmt: skip
    return StateReset(endpoints, decider, feed, seed=7), endpoints, decider, feed, source


async def routes(decider: Decider, policy: str, n: int) -> Sequence[Route]:
    return [(await decider.decide(policy, task_state(TaskType.CHAT))).route for _ in range(n)]


@pytest.mark.anyio
async def test_a_reset_restores_estimates_policies_and_the_pool() -> None:
    reset, endpoints, decider, feed, source = build()
    edge = endpoints[Route.EDGE]
    first_rr = await routes(decider, "round-robin", 3)
    first_random = await routes(decider, "random", 8)
    edge.ttft_s.update(5.0)
    edge.tpot_s.update(1.0)
    edge.cool_down(60.0)
    feed.pool.extend([experience(1.0), experience(2.0)])
    source.put(experience(3.0))  # written before the reset: must not reach the pool after it

    pool = [
        record("a", Route.EDGE),
        record("b", Route.CLOUD),
        record("c", Route.CLOUD, "upstream_error"),
    ]
    assert await reset.reset(pool) == 2  # the failed request carries nothing to learn

    assert edge.ttft_s.value == SETTINGS.edge_ttft_prior_s
    assert edge.tpot_s.value == SETTINGS.edge_tpot_prior_s
    assert edge.available
    assert [e.route for e in feed.pool.snapshot()] == [Route.EDGE, Route.CLOUD]
    assert feed.is_fresh()
    assert await feed.refresh() == 0
    assert len(feed.pool) == 2
    assert await routes(decider, "round-robin", 3) == first_rr
    assert await routes(decider, "random", 8) == first_random


@pytest.mark.anyio
async def test_later_experiences_still_feed_the_pool_after_a_reset() -> None:
    reset, _, _, feed, source = build()
    await reset.reset([])
    source.put(experience(1.5))
    assert await feed.refresh() == 1
    assert len(feed.pool) == 1


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("token", "sent", "status", "code"),
    [
        (None, "x" * 16, 403, "admin_disabled"),
        ("admin-token-for-tests", None, 401, "invalid_token"),
        ("admin-token-for-tests", "x" * 16, 401, "invalid_token"),
    ],
)
async def test_the_admin_api_needs_its_token(
    token: str | None, sent: str | None, status: int, code: str
) -> None:
    settings = OrchestratorSettings(redis_url="redis://127.0.0.1:1/0", admin_token=token)
    engine = FakeEngine(settings.edge_model)
    headers = {"Authorization": f"Bearer {sent}"} if sent else {}
    async with orchestrator(engine, engine, settings) as client:
        reply = await client.post("/admin/reset", json={"pool": []}, headers=headers)
    assert reply.status_code == status
    assert reply.json()["error"]["code"] == code


ADMIN = {"Authorization": "Bearer admin-token-for-tests"}


@asynccontextmanager
async def admin_client() -> AsyncIterator[httpx.AsyncClient]:
    """An orchestrator with an admin token and Redis away."""
    settings = OrchestratorSettings(
        redis_url="redis://127.0.0.1:1/0", admin_token="admin-token-for-tests"
    )
    engine = FakeEngine(settings.edge_model)
    async with orchestrator(engine, engine, settings) as client:
        yield client


@pytest.mark.anyio
async def test_a_reset_is_refused_clearly_when_redis_is_away_or_the_body_is_bad() -> None:
    async with admin_client() as client:
        away = await client.post("/admin/reset", json={"pool": []}, headers=ADMIN)
        bad = await client.post("/admin/reset", json={"pool": [{"route": "edge"}]}, headers=ADMIN)
        extra = await client.post("/admin/reset", json={"pools": []}, headers=ADMIN)
    assert away.status_code == 503
    assert away.json()["error"]["code"] == "redis"
    assert bad.status_code == 400
    assert extra.status_code == 400


@pytest.mark.anyio
async def test_history_pages_take_a_cursor_of_the_right_shape() -> None:
    engine = FakeEngine(SETTINGS.edge_model)
    async with orchestrator(engine, engine) as client:
        bad = await client.get("/history", params={"before": "not-an-id"})
        away = await client.get("/history", params={"before": "1-0"})
    assert bad.status_code == 400
    assert away.status_code == 503


@pytest.mark.anyio
async def test_a_pool_record_must_be_one_as_history_gives_it_not_a_coercible_one() -> None:
    written = record("r-1", Route.CLOUD).model_dump(mode="json")
    async with admin_client() as client:
        valid = await client.post("/admin/reset", json={"pool": [written]}, headers=ADMIN)
        coerced = await client.post(
            "/admin/reset", json={"pool": [written | {"finished_at": False}]}, headers=ADMIN
        )
    assert valid.status_code == 503, valid.text  # past validation, then Redis is away
    assert coerced.status_code == 400
    assert "finished_at" in coerced.text
