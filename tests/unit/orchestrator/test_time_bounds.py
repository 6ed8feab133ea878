"""Time bounds: admission waits a bounded time, and an aggregated request whose client left stops
its engine stream."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from edgecloud.model import Route
from edgecloud.orchestrator import OrchestratorSettings
from edgecloud.orchestrator.endpoints import TierEndpoint, bounded_slots
from edgecloud.orchestrator.relay import _drained_unless_gone
from tests.unit.orchestrator.fakes import SETTINGS, FakeEngine, chat, engine_stream, orchestrator


def _edge_endpoint(settings: OrchestratorSettings) -> TierEndpoint:
    transport = httpx.AsyncHTTPTransport()
    client = httpx.AsyncClient(transport=transport)
    return TierEndpoint(Route.EDGE, settings.tier(Route.EDGE), client, 0.2, transport)


class SlowEngine:
    """Streams one token a second: holds its admission slot."""

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        async def body() -> AsyncIterator[bytes]:
            await asyncio.sleep(1.0)
            yield engine_stream(SETTINGS.edge_model, ["slow"])

        return httpx.Response(200, content=body(), headers={"content-type": "text/event-stream"})


@pytest.mark.anyio
async def test_a_full_tier_answers_503_with_retry_after_within_the_admission_timeout() -> None:
    settings = SETTINGS.model_copy(update={"edge_max_in_flight": 1, "admission_timeout_s": 0.2})
    async with orchestrator(SlowEngine(), FakeEngine(SETTINGS.cloud_model), settings) as client:
        headers = {"X-Policy": "edge-only"}
        first, second = await asyncio.gather(
            client.post("/v1/chat/completions", json=chat(), headers=headers),
            client.post("/v1/chat/completions", json=chat(), headers=headers),
        )
        metrics = (await client.get("/metrics/")).text
    statuses = sorted([first.status_code, second.status_code])
    assert statuses == [200, 503]
    busy = first if first.status_code == 503 else second
    assert busy.json()["error"]["code"] == "tier_busy"
    assert busy.headers["retry-after"] == "1"
    assert 'policy="edge-only",route="edge",status="tier_busy"} 1.0' in metrics


@pytest.mark.anyio
async def test_a_client_that_left_stops_the_stream_it_was_waiting_for() -> None:
    closed = asyncio.Event()
    produced: list[int] = []

    async def endless() -> AsyncIterator[bytes]:
        try:
            while True:
                produced.append(1)
                yield b"data: {}\n\n"
                await asyncio.sleep(0.01)
        finally:
            closed.set()

    polls = 0

    async def gone_after_two_polls() -> bool:
        nonlocal polls
        polls += 1
        return polls >= 2

    finished = await _drained_unless_gone(endless(), gone_after_two_polls)
    assert finished is False
    assert closed.is_set()
    count = len(produced)
    await asyncio.sleep(0.05)
    assert len(produced) == count  # nothing more is read from the engine


@pytest.mark.anyio
async def test_a_client_that_stays_gets_the_whole_answer() -> None:
    async def short() -> AsyncIterator[bytes]:
        yield b"data: {}\n\n"

    async def present() -> bool:
        return False

    assert await _drained_unless_gone(short(), present) is True


@pytest.mark.anyio
async def test_a_decision_llm_call_takes_an_edge_slot_like_a_request() -> None:
    settings = SETTINGS.model_copy(update={"edge_max_in_flight": 1})
    endpoint = _edge_endpoint(settings)
    async with endpoint.slot():
        assert endpoint.in_flight == 1
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(endpoint.acquire(), 0.05)
    assert endpoint.in_flight == 0


@pytest.mark.anyio
async def test_a_free_slot_is_taken_without_a_trip_through_the_event_loop() -> None:
    """Each trip waits behind every relayed stream's pending events: a request must not make any
    on its way to the engine when a slot is free."""
    settings = SETTINGS.model_copy(update={"edge_max_in_flight": 1})
    endpoint = _edge_endpoint(settings)
    queued_before: list[str] = []
    asyncio.get_running_loop().call_soon(queued_before.append, "ran")
    assert await endpoint.admit(1.0) < 0.01
    assert endpoint.in_flight == 1
    assert queued_before == []  # the callback queued before it has not run yet
    with pytest.raises(TimeoutError):
        await endpoint.admit(0.05)  # the only slot is held
    assert endpoint.in_flight == 1


@pytest.mark.anyio
async def test_a_decision_llm_of_its_own_takes_a_bounded_number_of_calls() -> None:
    slot = bounded_slots(2)
    async with slot(), slot():
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(slot().__aenter__(), 0.05)
    async with slot():  # free again
        pass
