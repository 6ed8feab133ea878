"""Requests too large, malformed or lax are refused with a 4xx in the one shape, and counted."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from edgecloud.api.openai import ChatCompletionRequest
from edgecloud.model import TaskType
from edgecloud.model.classify import classify
from edgecloud.orchestrator import state
from tests.unit.orchestrator.fakes import SETTINGS, FakeEngine, chat, orchestrator

ENGINES = (FakeEngine(SETTINGS.edge_model), FakeEngine(SETTINGS.cloud_model))


def counted(metrics: str, status: int, code: str) -> bool:
    return f'edgecloud_error_responses_total{{code="{code}",status="{status}"}} 1.0' in metrics


@pytest.mark.anyio
async def test_an_oversized_body_is_a_413_before_any_route_runs() -> None:
    prompt = "x" * 8_400_000  # the 8.4 MB prompt that froze another UE's stream
    async with orchestrator(*ENGINES) as client:
        declared = await client.post(
            "/v1/chat/completions", json=chat(messages=[{"role": "user", "content": prompt}])
        )

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(40):
                yield b" " * 65_536  # no Content-Length: counted as it arrives

        chunked = await client.post("/v1/chat/completions", content=chunks())
        metrics = (await client.get("/metrics/")).text
    for reply in (declared, chunked):
        assert reply.status_code == 413
        assert reply.json()["error"]["code"] == "body_too_large"
    assert 'edgecloud_error_responses_total{code="body_too_large",status="413"} 2.0' in metrics
    assert ENGINES[0].requests == []


@pytest.mark.anyio
async def test_oversized_headers_are_a_431() -> None:
    async with orchestrator(*ENGINES) as client:
        reply = await client.post(
            "/v1/chat/completions", json=chat(), headers={"X-Padding": "p" * 4_000_000}
        )
    assert reply.status_code == 431
    assert reply.json()["error"]["code"] == "headers_too_large"


@pytest.mark.parametrize(
    ("fields", "param"),
    [
        ({"stop": ["s"] * 5000}, "stop"),
        ({"stop": "s" * 1000}, "stop"),
        ({"temperature": True}, "temperature"),
        ({"max_tokens": True}, "max_tokens"),
        ({"stream": "yes"}, "stream"),
        ({"messages": [{"role": "user", "content": "hi"}] * 300}, "messages"),
    ],
)
@pytest.mark.anyio
async def test_lax_or_unbounded_fields_are_a_400(fields: dict[str, object], param: str) -> None:
    async with orchestrator(*ENGINES) as client:
        reply = await client.post("/v1/chat/completions", json=chat(**fields))
    assert reply.status_code == 400, reply.text
    error = reply.json()["error"]
    assert error["param"].split(".")[0] == param


@pytest.mark.anyio
async def test_a_request_may_ask_for_at_most_max_generated_tokens_over_its_choices() -> None:
    engines = (FakeEngine(SETTINGS.edge_model), FakeEngine(SETTINGS.cloud_model))
    bounded = SETTINGS.model_copy(update={"max_generated_tokens": 64, "default_max_tokens": 48})
    async with orchestrator(*engines, settings=bounded) as client:
        eight_times_8192 = await client.post(
            "/v1/chat/completions", json=chat(n=8, max_tokens=8192)
        )
        two_times_default = await client.post("/v1/chat/completions", json=chat(n=2))
        at_the_bound = await client.post("/v1/chat/completions", json=chat(n=2, max_tokens=32))
        metrics = (await client.get("/metrics/")).text
    for refused in (eight_times_8192, two_times_default):
        assert refused.status_code == 400, refused.text
        assert refused.json()["error"]["code"] == "too_many_tokens"
    assert "65536 tokens" in eight_times_8192.json()["error"]["message"]
    assert at_the_bound.status_code == 200, at_the_bound.text
    assert len(engines[0].requests) + len(engines[1].requests) == 1  # the refused never left
    assert 'edgecloud_error_responses_total{code="too_many_tokens",status="400"} 2.0' in metrics


@pytest.mark.anyio
async def test_a_lone_surrogate_is_a_400_not_a_500() -> None:
    raw = b'{"model": "auto", "messages": [{"role": "user", "content": "hi \\ud800"}]}'
    async with orchestrator(*ENGINES) as client:
        reply = await client.post(
            "/v1/chat/completions", content=raw, headers={"content-type": "application/json"}
        )
        metrics = (await client.get("/metrics/")).text
    assert reply.status_code == 400
    assert "Unicode" in reply.json()["error"]["message"]
    assert counted(metrics, 400, "invalid_value")


@pytest.mark.anyio
async def test_local_refusals_are_counted() -> None:
    async with orchestrator(*ENGINES) as client:
        unknown_model = await client.post("/v1/chat/completions", json=chat(model="nope"))
        unknown_policy = await client.post(
            "/v1/chat/completions", json=chat(), headers={"X-Policy": "nope"}
        )
        metrics = (await client.get("/metrics/")).text
    assert (unknown_model.status_code, unknown_policy.status_code) == (404, 400)
    assert counted(metrics, 404, "model_not_found")
    assert counted(metrics, 400, "unknown_policy")


def test_the_classifier_reads_a_capped_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []

    def recording(prompt: str) -> TaskType:
        seen.append(len(prompt))
        return TaskType.CHAT

    monkeypatch.setattr(state, "classify", recording)
    request = ChatCompletionRequest.model_validate(
        {"messages": [{"role": "user", "content": "word " * 80_000}]}
    )
    state.task_type_of(request)
    assert seen == [state.CLASSIFIED_CHARS]


@pytest.mark.anyio
async def test_the_classifier_runs_once_per_request(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def recording(text: str) -> TaskType:
        calls.append(text)
        return classify(text)

    monkeypatch.setattr(state, "classify", recording)
    async with orchestrator(*ENGINES) as client:
        reply = await client.post(
            "/v1/chat/completions", json=chat(), headers={"X-Policy": "edge-only"}
        )
    assert reply.status_code == 200
    assert len(calls) == 1


@pytest.mark.anyio
async def test_responses_carry_one_request_id() -> None:
    async with orchestrator(*ENGINES) as client:
        reply = await client.post(
            "/v1/chat/completions", json=chat(), headers={"X-Policy": "edge-only"}
        )
    assert len(reply.headers.get_list("x-request-id")) == 1
