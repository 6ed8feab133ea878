"""The emulated engine's API in process: vLLM's shapes, exact lengths, metrics, faults, errors."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx
import pytest

from edgecloud.llm.emulated import EmulatorSettings, FaultKind, create_app, load_profile
from edgecloud.llm.emulated.profile import EngineProfile
from edgecloud.llm.emulated.service import InjectedStreamAbortError

# Fast steps, so the tests take milliseconds: 2 ms per iteration, 0.1 ms per decoding sequence.
FAST = load_profile("edge-l4-llama-3.2-3b").model_copy(
    update={
        "step": load_profile("edge-l4-llama-3.2-3b").step.model_copy(
            update={"base_s": 0.002, "per_decode_seq_s": 0.0001}
        )
    }
)
MODEL = FAST.served_model_name


@asynccontextmanager
async def engine(
    profile: EngineProfile = FAST, **settings: Any
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(EmulatorSettings(**settings), profile)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://engine") as client,
    ):
        yield client


def chat(content: str = "What is the capital of France?", **extra: Any) -> dict[str, Any]:
    return {"model": MODEL, "messages": [{"role": "user", "content": content}], **extra}


def events(body: str) -> list[dict[str, Any]]:
    lines = [line[6:] for line in body.splitlines() if line.startswith("data: ")]
    assert lines[-1] == "[DONE]"
    return [json.loads(line) for line in lines[:-1]]


@pytest.mark.anyio
async def test_a_stream_has_exactly_max_tokens_with_ignore_eos_and_usage_last() -> None:
    async with engine() as client:
        reply = await client.post(
            "/v1/chat/completions",
            json=chat(
                max_tokens=12,
                ignore_eos=True,
                stream=True,
                stream_options={"include_usage": True},
            ),
        )
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/event-stream")
    chunks = events(reply.text)
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    content = [c for c in chunks if c["choices"] and c["choices"][0]["delta"].get("content")]
    assert len(content) == 12
    assert content[-1]["choices"][0]["finish_reason"] == "length"
    assert chunks[-1]["choices"] == []
    usage = chunks[-1]["usage"]
    assert usage["completion_tokens"] == 12
    assert usage["total_tokens"] == usage["prompt_tokens"] + 12
    assert all(c["id"] == chunks[0]["id"] and c["model"] == MODEL for c in chunks)


@pytest.mark.anyio
async def test_without_ignore_eos_lengths_come_from_the_profile_and_the_seed() -> None:
    async def lengths(seed: int) -> list[int]:
        async with engine(seed=seed) as client:
            replies = [
                await client.post("/v1/chat/completions", json=chat(max_tokens=2000))
                for _ in range(6)
            ]
        return [r.json()["usage"]["completion_tokens"] for r in replies]

    first = await lengths(1)
    assert first == await lengths(1)
    assert first != await lengths(2)
    assert len(set(first)) > 1  # drawn, not one fixed length
    assert all(1 <= n < 2000 for n in first)


@pytest.mark.anyio
async def test_a_whole_completion_in_vllms_shape() -> None:
    async with engine() as client:
        reply = await client.post("/v1/chat/completions", json=chat(max_tokens=5, ignore_eos=True))
    body = reply.json()
    assert body["object"] == "chat.completion"
    choice = body["choices"][0]
    assert choice["finish_reason"] == "length"
    assert choice["message"]["role"] == "assistant"
    assert len(choice["message"]["content"].split()) == 5
    assert body["usage"]["completion_tokens"] == 5


@pytest.mark.anyio
async def test_concurrent_streams_share_iterations_and_slow_each_other() -> None:
    slow = FAST.model_copy(
        update={"step": FAST.step.model_copy(update={"base_s": 0.005, "per_decode_seq_s": 0.005})}
    )
    async with engine(slow) as client:

        async def timed() -> float:
            started = time.monotonic()
            await client.post("/v1/chat/completions", json=chat(max_tokens=20, ignore_eos=True))
            return time.monotonic() - started

        alone_s = await timed()
        together_s = await asyncio.gather(*(timed() for _ in range(4)))
    # 20 iterations of 10 ms alone, of 25 ms with four sequences: batched, not queued one after
    # another (which would take four times as long as alone).
    assert 0.18 < alone_s < 0.5
    assert all(1.8 * alone_s < t < 3.5 * alone_s for t in together_s)


@pytest.mark.anyio
async def test_metrics_carry_vllms_names_and_the_model_label() -> None:
    async with engine() as client:
        await client.post("/v1/chat/completions", json=chat(max_tokens=4, ignore_eos=True))
        text = (await client.get("/metrics")).text
    label = f'model_name="{MODEL}"'
    for name in (
        "vllm:num_requests_running",
        "vllm:num_requests_waiting",
        "vllm:kv_cache_usage_perc",
        "vllm:time_to_first_token_seconds_count",
        "vllm:inter_token_latency_seconds_count",
        "vllm:e2e_request_latency_seconds_count",
        "vllm:request_queue_time_seconds_count",
        "vllm:request_prefill_time_seconds_count",
        "vllm:request_decode_time_seconds_count",
        "vllm:prompt_tokens_total",
        "vllm:generation_tokens_total",
    ):
        assert f"{name}{{{label}" in text, name
    assert f"vllm:generation_tokens_total{{{label}}} 4.0" in text
    assert f"vllm:inter_token_latency_seconds_count{{{label}}} 3.0" in text
    assert f'vllm:request_success_total{{finished_reason="length",{label}}} 1.0' in text


@pytest.mark.anyio
async def test_models_and_health() -> None:
    async with engine() as client:
        models = (await client.get("/v1/models")).json()
        health = await client.get("/health")
    assert [card["id"] for card in models["data"]] == [MODEL]
    assert models["data"][0]["max_model_len"] == FAST.limits.max_model_len
    assert health.status_code == 200


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("body", "status", "param"),
    [
        (chat() | {"model": "nope"}, 404, "model"),
        (chat(max_tokens=9000), 400, None),  # over our wire model's bound
        (chat("word " * 40_000, max_tokens=1000), 400, "max_tokens"),  # over max_model_len
        (chat(n=2), 400, None),
        ({"model": MODEL, "messages": []}, 400, None),
    ],
)
async def test_bad_requests_get_a_4xx_in_the_one_error_shape(
    body: dict[str, Any], status: int, param: str | None
) -> None:
    async with engine() as client:
        reply = await client.post("/v1/chat/completions", json=body)
    assert reply.status_code == status
    error = reply.json()["error"]
    assert error["message"]
    if param:
        assert error["param"] == param


@pytest.mark.anyio
async def test_injected_faults_at_their_rates() -> None:
    rates = {FaultKind.SERVER_ERROR: 0.3, FaultKind.OVERLOADED: 0.2}
    async with engine(error_rates=rates, seed=3) as client:
        statuses = [
            (await client.post("/v1/chat/completions", json=chat(max_tokens=1))).status_code
            for _ in range(200)
        ]
    assert 40 <= statuses.count(500) <= 80
    assert 25 <= statuses.count(503) <= 55
    assert statuses.count(200) == 200 - statuses.count(500) - statuses.count(503)


@pytest.mark.anyio
async def test_an_aborted_stream_is_cut_halfway() -> None:
    # In process the cut is the exception that ends the response; under uvicorn it closes the
    # connection before the last chunk (tests/integration/test_emulated_engine.py).
    async with engine(error_rates={FaultKind.STREAM_ABORT: 1.0}) as client:
        with pytest.raises(InjectedStreamAbortError):
            await client.post(
                "/v1/chat/completions", json=chat(max_tokens=10, ignore_eos=True, stream=True)
            )


@pytest.mark.anyio
async def test_a_slow_start_answers_503_until_it_is_over() -> None:
    async with engine(startup_delay_s=0.3) as client:
        early = await client.get("/health")
        refused = await client.post("/v1/chat/completions", json=chat(max_tokens=1))
        await anyio.sleep(0.35)
        late = await client.get("/health")
    assert early.status_code == 503
    assert refused.status_code == 503
    assert refused.json()["error"]["code"] == "starting"
    assert late.status_code == 200
