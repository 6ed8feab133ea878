"""The least a Python relay does: the floor under what the orchestrator adds, on this machine.

A bare ASGI app under the same server as the orchestrator (``stack.uvicorn_command``: uvicorn on
uvloop with httptools) that passes each chat request's body to the engine with aiohttp, on a
pooled connection, and relays the reply's bytes as they arrive; no validation, routing, history
or metrics. What it adds over calling the engine directly is what any Python relay pays here
(two sockets per stream, an event-loop wake-up per read), so ``make bench-orchestrator`` measures
it beside the orchestrator: the part of the overhead no orchestrator code can remove.

Run: ``BARE_RELAY_ENGINE_URL=http://127.0.0.1:8001 uvicorn --factory
edgecloud.bench.bare_relay:create_app_from_env``.
"""

from __future__ import annotations

import os

import aiohttp
from starlette.types import ASGIApp, Receive, Scope, Send

ENGINE_URL_VARIABLE = "BARE_RELAY_ENGINE_URL"
_RELAYED = "/v1/chat/completions"


async def _body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _answer(send: Send, status: int, body: bytes) -> None:
    headers = [(b"content-type", b"text/plain"), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def create_app(engine_url: str) -> ASGIApp:
    """``POST /v1/chat/completions`` relayed to ``engine_url``; ``GET /healthz`` answers ok."""
    session: aiohttp.ClientSession | None = None

    async def lifespan(receive: Receive, send: Send) -> None:
        nonlocal session
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=512))
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if session is not None:
                    await session.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await lifespan(receive, send)
            return
        body = await _body(receive)
        if scope["path"] == "/healthz":
            await _answer(send, 200, b"ok")
            return
        if scope["path"] != _RELAYED or scope["method"] != "POST" or session is None:
            await _answer(send, 404, b"not relayed")
            return
        headers = {"content-type": "application/json", "accept-encoding": "identity"}
        async with session.post(engine_url + _RELAYED, data=body, headers=headers) as reply:
            content_type = reply.headers.get("content-type", "text/event-stream").encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": reply.status,
                    "headers": [(b"content-type", content_type)],
                }
            )
            async for chunk in reply.content.iter_any():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    return app


def create_app_from_env() -> ASGIApp:
    """Entry point for ``uvicorn --factory``: the engine's URL from the environment."""
    return create_app(os.environ[ENGINE_URL_VARIABLE].rstrip("/"))
