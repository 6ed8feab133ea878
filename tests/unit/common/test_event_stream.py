"""The streamed response: first chunk, the rest, the end; a client that leaves stops the body."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from starlette.types import Message

from edgecloud.common.event_stream import EventStreamResponse


@pytest.mark.anyio
async def test_it_sends_the_first_chunk_then_the_rest_then_the_end() -> None:
    async def rest() -> AsyncIterator[bytes]:
        yield b"data: 2\n\n"
        yield b"data: 3\n\n"

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    async def receive() -> Message:
        await asyncio.Event().wait()  # the client stays
        raise AssertionError

    response = EventStreamResponse(b"data: 1\n\n", rest(), {"x-request-id": "r1"})
    await response({"type": "http"}, receive, send)
    start, *body = sent
    assert start["status"] == 200
    assert (b"content-type", b"text/event-stream; charset=utf-8") in start["headers"]
    assert (b"x-request-id", b"r1") in start["headers"]
    assert not any(name == b"content-length" for name, _ in start["headers"])
    assert [m["body"] for m in body] == [b"data: 1\n\n", b"data: 2\n\n", b"data: 3\n\n", b""]
    assert [m["more_body"] for m in body] == [True, True, True, False]


@pytest.mark.anyio
async def test_a_client_that_leaves_stops_the_body_and_its_finally_runs() -> None:
    closed = asyncio.Event()
    produced: list[int] = []

    async def rest() -> AsyncIterator[bytes]:
        try:
            for i in range(1000):
                produced.append(i)
                await asyncio.sleep(0.01)
                yield b"data: x\n\n"
        finally:
            closed.set()  # where the relay closes the engine stream and frees the tier's slot

    gone = asyncio.Event()

    async def receive() -> Message:
        await gone.wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        if len(produced) == 5:
            gone.set()

    response = EventStreamResponse(None, rest(), None)
    await asyncio.wait_for(response({"type": "http"}, receive, send), timeout=5)
    assert closed.is_set()
    assert len(produced) < 20


@pytest.mark.anyio
async def test_the_bodys_own_error_reaches_the_server() -> None:
    async def rest() -> AsyncIterator[bytes]:
        yield b"data: 1\n\n"
        raise RuntimeError("bug")

    async def send(message: Message) -> None:
        return None

    async def receive() -> Message:
        await asyncio.Event().wait()
        raise AssertionError

    with pytest.raises(RuntimeError, match="bug"):
        await EventStreamResponse(None, rest(), None)({"type": "http"}, receive, send)
