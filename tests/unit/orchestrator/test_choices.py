"""The OpenAI contract is as wide as it looks: ``n`` and ``logprobs`` reach the engine and come back
in an aggregated answer as they do in a stream."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.unit.orchestrator.fakes import SETTINGS, FakeEngine, chat, orchestrator, sse


def token(index: int, text: str, logprob: float | None = None) -> dict[str, object]:
    choice: dict[str, object] = {"index": index, "delta": {"content": text}, "finish_reason": None}
    if logprob is not None:
        choice["logprobs"] = {"content": [{"token": text, "logprob": logprob, "top_logprobs": []}]}
    return {"id": "c-1", "model": SETTINGS.edge_model, "created": 1, "choices": [choice]}


class TwoChoiceEngine:
    def __init__(self) -> None:
        self.sent: list[dict[str, object]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(json.loads(request.content))
        events = [
            token(0, "Par", -0.1),
            token(1, "Lyo", -2.0),
            token(0, "is", -0.2),
            token(1, "n", -0.3),
            {"id": "c-1", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
            {"id": "c-1", "choices": [{"index": 1, "delta": {}, "finish_reason": "length"}]},
            {"id": "c-1", "choices": [], "usage": {"prompt_tokens": 4, "completion_tokens": 4}},
        ]
        return httpx.Response(
            200, content=sse(*events), headers={"content-type": "text/event-stream"}
        )


@pytest.mark.anyio
async def test_n_and_logprobs_pass_through_and_come_back_aggregated() -> None:
    engine = TwoChoiceEngine()
    async with orchestrator(engine, FakeEngine(SETTINGS.cloud_model)) as client:
        reply = await client.post(
            "/v1/chat/completions",
            json=chat(n=2, logprobs=True, top_logprobs=2),
            headers={"X-Policy": "edge-only"},
        )
    assert reply.status_code == 200, reply.text
    sent = engine.sent[0]
    assert (sent["n"], sent["logprobs"], sent["top_logprobs"]) == (2, True, 2)
    first, second = reply.json()["choices"]
    assert (first["index"], first["message"]["content"], first["finish_reason"]) == (
        0,
        "Paris",
        "stop",
    )
    assert (second["index"], second["message"]["content"], second["finish_reason"]) == (
        1,
        "Lyon",
        "length",
    )
    assert [t["logprob"] for t in first["logprobs"]["content"]] == [-0.1, -0.2]
    assert [t["token"] for t in second["logprobs"]["content"]] == ["Lyo", "n"]


@pytest.mark.anyio
async def test_without_logprobs_an_answer_says_none() -> None:
    async with orchestrator(FakeEngine(SETTINGS.edge_model), FakeEngine("c")) as client:
        reply = await client.post(
            "/v1/chat/completions", json=chat(), headers={"X-Policy": "edge-only"}
        )
    assert reply.json()["choices"][0]["logprobs"] is None
