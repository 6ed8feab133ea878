"""Fake engines for the orchestrator's unit tests (httpx MockTransport), and the app around them.

Redis points at a closed port, which also exercises the outage path: requests still succeed and
each lost history write is counted.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager

import httpx

from edgecloud.model import Route
from edgecloud.orchestrator import OrchestratorSettings, create_app

Handler = (
    Callable[[httpx.Request], httpx.Response]
    | Callable[[httpx.Request], Coroutine[None, None, httpx.Response]]
)


def sse(*payloads: object) -> bytes:
    return b"".join(f"data: {json.dumps(p)}\n\n".encode() for p in payloads) + b"data: [DONE]\n\n"


def engine_stream(model: str, words: list[str]) -> bytes:
    chunks: list[object] = [
        {
            "id": "cmpl-1",
            "model": model,
            "created": 1,
            "choices": [{"index": 0, "delta": {"content": w}, "finish_reason": None}],
        }
        for w in words
    ]
    chunks.append(
        {
            "id": "cmpl-1",
            "model": model,
            "created": 1,
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
        }
    )
    chunks.append(
        {
            "id": "cmpl-1",
            "model": model,
            "created": 1,
            "choices": [],
            "usage": {
                "prompt_tokens": 5,
                "completion_tokens": len(words),
                "total_tokens": 5 + len(words),
            },
        }
    )
    return sse(*chunks)


class FakeEngine:
    """Answers like vLLM's streaming chat endpoint and remembers what it was sent."""

    def __init__(self, model: str, status: int = 200) -> None:
        self.model = model
        self.status = status
        self.requests: list[dict[str, object]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(json.loads(request.content))
        if self.status != 200:
            body = {
                "error": {
                    "message": "engine says no",
                    "type": "BadRequestError",
                    "code": self.status,
                }
            }
            return httpx.Response(self.status, json=body)
        return httpx.Response(
            200,
            content=engine_stream(self.model, ["Hel", "lo", "!"]),
            headers={"content-type": "text/event-stream"},
        )


def refuse(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


SETTINGS = OrchestratorSettings(redis_url="redis://127.0.0.1:1/0", default_policy="greedy")


@asynccontextmanager
async def orchestrator(
    edge: Handler, cloud: Handler, settings: OrchestratorSettings = SETTINGS
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        settings,
        transports={Route.EDGE: httpx.MockTransport(edge), Route.CLOUD: httpx.MockTransport(cloud)},
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://orch") as client,
    ):
        yield client


def chat(**fields: object) -> dict[str, object]:
    return {"model": "auto", "messages": [{"role": "user", "content": "hi"}], **fields}
