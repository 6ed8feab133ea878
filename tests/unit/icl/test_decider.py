"""The decider: ICL's LLM call, its fallbacks, exploration and the cached mode, with a fake LLM."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Any

import httpx
import pytest
from prometheus_client import CollectorRegistry

from edgecloud.common.tasks import BackgroundTasks
from edgecloud.icl import Decider, DecisionClient, DecisionConfig, DecisionMetrics
from edgecloud.model import Route, TaskType
from edgecloud.policies import Decision, Experience, ExperiencePool, StateSummary
from tests.eventually import eventually_async
from tests.unit.factories import task_state

Handler = Callable[[httpx.Request], Any]


def answering(text: str, delay_s: float = 0.0) -> Handler:
    async def handler(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(delay_s)
        return httpx.Response(200, json={"choices": [{"message": {"content": text}}]})

    return handler


def scoring(edge: float, cloud: float, prior_edge: float, prior_cloud: float) -> Handler:
    import math

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        content_free = any("[N/A]" in m["content"] for m in body["messages"])
        assert body["messages"][-1] == {"role": "assistant", "content": "Answer:"}
        e, c = (prior_edge, prior_cloud) if content_free else (edge, cloud)
        top = [
            {"token": "edge", "logprob": math.log(e)},
            {"token": "cloud", "logprob": math.log(c)},
        ]
        return httpx.Response(
            200,
            json={"choices": [{"logprobs": {"content": [{"token": "edge", "top_logprobs": top}]}}]},
        )

    return handler


def make(
    handler: Handler,
    fresh_pool: bool = True,
    admission: Any = contextlib.nullcontext,
    **config: Any,
) -> tuple[Decider, str]:
    decision_config = replace(DecisionConfig(epsilon=0.0, timeout_s=0.5), **config)
    registry = CollectorRegistry()
    metrics = DecisionMetrics(registry)
    pool = ExperiencePool(100)
    if fresh_pool:
        here = StateSummary.of(task_state(TaskType.CHAT))
        pool.add(Experience(here, Route.EDGE, -0.4, 0.4, False))
    client = DecisionClient(
        httpx.AsyncClient(transport=httpx.MockTransport(handler), base_url="http://llm"), "m"
    )
    decider = Decider(
        decision_config,
        random.Random(1),
        pool,
        client,
        metrics,
        BackgroundTasks(),
        pool_fresh=lambda: fresh_pool,
        admission=admission,
    )
    decider.registry = registry  # type: ignore[attr-defined]
    return decider, "icl"


def counter(decider: Decider, name: str, **labels: str) -> float:
    value = decider.registry.get_sample_value(name, labels)  # type: ignore[attr-defined]
    return float(value or 0.0)


@pytest.mark.anyio
async def test_icl_follows_the_llms_constrained_answer_and_counts_agreement() -> None:
    decider, name = make(answering("cloud"))
    state = task_state(TaskType.CHAT, edge_tpot_s=0.01, cloud_tpot_s=0.02)  # greedy says edge
    decision = await decider.decide(name, state)
    assert decision.route is Route.CLOUD
    assert decision.policy == "icl"
    labels = {"mode": "request", "answer": "choice", "agrees_with_greedy": "no"}
    assert counter(decider, "edgecloud_icl_decisions_total", **labels) == 1


@pytest.mark.parametrize(
    ("handler", "reason"),
    [
        (answering("maybe"), "invalid_answer"),
        (answering("edge", delay_s=1.0), "timeout"),
        (lambda request: httpx.Response(500, json={}), "llm_error"),
    ],
)
@pytest.mark.anyio
async def test_icl_falls_back_to_greedy_and_counts_why(handler: Handler, reason: str) -> None:
    decider, name = make(handler)
    state = task_state(TaskType.CODING)  # greedy: cloud (edge quality too low)
    decision = await decider.decide(name, state)
    assert decision.route is Route.CLOUD
    assert "fallback" in decision.note
    assert counter(decider, "edgecloud_policy_fallbacks_total", policy="icl", reason=reason) == 1


@pytest.mark.anyio
async def test_a_stale_pool_means_greedy_for_pool_policies() -> None:
    decider, name = make(answering("edge"), fresh_pool=False)
    assert "pool_unavailable" in (await decider.decide(name, task_state())).note
    assert "pool_unavailable" in (await decider.decide("knn", task_state())).note


@pytest.mark.anyio
async def test_epsilon_greedy_explores_both_routes() -> None:
    decider, name = make(answering("edge"), epsilon=1.0)
    routes = {(await decider.decide(name, task_state())).route for _ in range(30)}
    assert routes == {Route.EDGE, Route.CLOUD}
    assert counter(decider, "edgecloud_icl_explorations_total") == 30


@pytest.mark.anyio
async def test_scoring_mode_uses_calibrated_log_probabilities() -> None:
    # Raw scores favour the edge, but the model favours the edge even without a state.
    handler = scoring(edge=0.6, cloud=0.4, prior_edge=0.8, prior_cloud=0.2)
    calibrated, name = make(handler, answer="score", calibrate=True)
    raw, _ = make(handler, answer="score", calibrate=False)
    assert (await calibrated.decide(name, task_state())).route is Route.CLOUD
    assert (await raw.decide(name, task_state())).route is Route.EDGE


@pytest.mark.anyio
async def test_cached_mode_answers_from_the_cache_once_filled() -> None:
    decider, name = make(answering("cloud"), mode="cached")
    state = task_state(TaskType.CHAT, edge_tpot_s=0.01, cloud_tpot_s=0.02)
    first = await decider.decide(name, state)
    assert "cache_miss" in first.note  # greedy answers while the entry is computed

    async def cached() -> Decision | None:
        decision = await decider.decide(name, state)
        return decision if decision.note == "icl cached" else None

    second = await eventually_async(cached, timeout_s=5.0, what="a cached decision")
    assert second.route is Route.CLOUD


@pytest.mark.anyio
async def test_calibrated_scoring_takes_a_slot_for_each_of_its_two_engine_requests() -> None:
    entered: list[int] = []
    requests: list[int] = []

    @contextlib.asynccontextmanager
    async def slot() -> AsyncIterator[None]:
        entered.append(1)
        yield

    scores = scoring(edge=0.6, cloud=0.4, prior_edge=0.9, prior_cloud=0.1)

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(len(entered))  # slots taken by the time the engine sees it
        response: httpx.Response = scores(request)
        return response

    decider, name = make(handler, admission=slot, answer="score", calibrate=True)
    assert (await decider.decide(name, task_state())).route is Route.CLOUD
    assert sorted(requests) == [1, 2]  # each engine request came with a slot of its own


@pytest.mark.anyio
async def test_each_llm_call_holds_an_admission_slot_and_waits_for_one() -> None:
    slots = asyncio.Semaphore(1)
    entered: list[int] = []

    @contextlib.asynccontextmanager
    async def slot() -> AsyncIterator[None]:
        async with slots:
            entered.append(1)
            yield

    decider, name = make(answering("cloud"), admission=slot)
    assert (await decider.decide(name, task_state())).route is Route.CLOUD
    assert entered == [1]
    await slots.acquire()  # the engine is full: the decision waits, then falls back
    waiting = await decider.decide(name, task_state())
    assert "timeout" in waiting.note
    assert counter(decider, "edgecloud_policy_fallbacks_total", policy="icl", reason="timeout") == 1
