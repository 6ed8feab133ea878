"""A fast stand-in for an OpenAI-compatible engine: streams tokens at a fixed pace.

For measuring what the orchestrator itself adds. ``POST /v1/chat/completions`` streams
``max_tokens`` one-word tokens, ``EDGECLOUD_FAKE_TPOT_S`` apart (default 20 ms, about the bundled
SmolLM2 on this CPU), in vLLM's chunk format with a usage chunk at the end; non-streamed requests
get one JSON body after the same time.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse


def chunk_event(
    model: str, created: int, delta: dict[str, str], finish: str | None = None
) -> bytes:
    payload = {
        "id": "fake",
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(payload)}\n\n".encode()


def usage_counts(tokens: int) -> dict[str, int]:
    return {"prompt_tokens": 8, "completion_tokens": tokens, "total_tokens": 8 + tokens}


def closing_events(model: str, created: int, tokens: int) -> tuple[bytes, bytes, bytes]:
    """The finish chunk, the usage chunk and ``[DONE]``, as vLLM ends a stream."""
    usage = {
        "id": "fake",
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [],
        "usage": usage_counts(tokens),
    }
    return (
        chunk_event(model, created, {}, "length"),
        f"data: {json.dumps(usage)}\n\n".encode(),
        b"data: [DONE]\n\n",
    )


async def _stream(model: str, tokens: int, tpot_s: float) -> AsyncIterator[bytes]:
    created = int(time.time())
    yield chunk_event(model, created, {"role": "assistant", "content": ""})
    for i in range(tokens):
        await asyncio.sleep(tpot_s)
        yield chunk_event(model, created, {"content": f" w{i}"})
    for event in closing_events(model, created, tokens):
        yield event


def completion_body(model: str, tokens: int) -> dict[str, Any]:
    text = "".join(f" w{i}" for i in range(tokens))
    return {
        "id": "fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "finish_reason": "length",
                "message": {"role": "assistant", "content": text},
            }
        ],
        "usage": usage_counts(tokens),
    }


def create_app() -> FastAPI:
    tpot_s = float(os.environ.get("EDGECLOUD_FAKE_TPOT_S", "0.02"))
    app = FastAPI(title="fake engine")

    @app.post("/v1/chat/completions")
    async def complete(request: Request) -> Response:
        body: dict[str, Any] = await request.json()
        tokens = int(body.get("max_tokens") or 16)
        model = str(body.get("model", "fake"))
        if body.get("stream"):
            return StreamingResponse(_stream(model, tokens, tpot_s), media_type="text/event-stream")
        await asyncio.sleep(tpot_s * tokens)
        return JSONResponse(completion_body(model, tokens))

    @app.get("/health")
    async def health() -> Response:
        return PlainTextResponse("")

    @app.get("/metrics")
    async def metrics() -> Response:
        return PlainTextResponse("vllm:num_requests_waiting 0\nvllm:num_requests_running 0\n")

    return app
