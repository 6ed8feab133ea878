"""The CPU-light stand-in engine speaks the same stream as the FastAPI fake, over real HTTP/1.1."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import httpx
import pytest

from edgecloud.api.sse import iter_event_batches
from edgecloud.bench import fast_engine
from edgecloud.stack import Processes

TPOT_S = 0.01


@pytest.fixture(scope="module")
def engine_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The module as the benchmark runs it: its own process, on uvloop."""
    with Processes(tmp_path_factory.mktemp("fast-engine")) as procs:
        yield fast_engine.start(procs, TPOT_S)


@asynccontextmanager
async def one_connection(url: str) -> AsyncIterator[httpx.AsyncClient]:
    limits = httpx.Limits(max_connections=1)  # one connection: keep-alive is used
    async with httpx.AsyncClient(base_url=url, limits=limits) as client:
        yield client


@pytest.mark.anyio
async def test_a_stream_has_the_tokens_asked_for_at_its_pace_then_usage_and_done(
    engine_url: str,
) -> None:
    body = {"model": "m", "stream": True, "max_tokens": 20, "messages": []}
    async with one_connection(engine_url) as client:
        for _ in range(2):  # the second request on the same kept-alive connection
            started = time.monotonic()
            async with client.stream("POST", "/v1/chat/completions", json=body) as reply:
                assert reply.status_code == 200
                assert reply.headers["content-type"] == "text/event-stream"
                batches = iter_event_batches(reply.aiter_bytes())
                events = [e async for batch in batches for e in batch]
            elapsed_s = time.monotonic() - started
            payloads = [e.json() for e in events]
            role, *tokens, finish, usage, done = payloads
            assert role is not None
            assert role["choices"][0]["delta"]["role"] == "assistant"
            assert [p["choices"][0]["delta"]["content"] for p in tokens if p] == [
                f" w{i}" for i in range(20)
            ]
            assert finish is not None
            assert finish["choices"][0]["finish_reason"] == "length"
            assert usage is not None
            assert usage["usage"]["completion_tokens"] == 20
            assert done is None
            assert events[-1].data == "[DONE]"
            assert 20 * TPOT_S * 0.8 < elapsed_s < 20 * TPOT_S * 5


@pytest.mark.anyio
async def test_health_metrics_a_plain_completion_and_unknown_paths(engine_url: str) -> None:
    async with one_connection(engine_url) as client:
        health = await client.get("/health")
        metrics = await client.get("/metrics")
        plain = await client.post("/v1/chat/completions", json={"model": "m", "max_tokens": 3})
        unknown = await client.get("/nope")
    assert health.status_code == 200
    assert "vllm:num_requests_running 0" in metrics.text
    completion = json.loads(plain.content)
    assert completion["choices"][0]["message"]["content"] == " w0 w1 w2"
    assert unknown.status_code == 404
