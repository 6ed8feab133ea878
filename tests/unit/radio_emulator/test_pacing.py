"""The paced relay with a fake clock and a fake link: timings, read-ahead bound, early exit."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator
from typing import cast

import httpx
import pytest

from edgecloud.radio_emulator.pacing import PacedRelay

CHUNKS = [b"a" * 100, b"b" * 300, b"c" * 600]


class Clock:
    def __init__(self) -> None:
        self.now_s = 10.0

    def __call__(self) -> float:
        return self.now_s


class Link:
    """Carries 1000 bytes per fake second: each chunk advances the clock by its air time."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.carried: list[int] = []

    async def pace(self, chunk: bytes, received_at: float) -> None:
        self.clock.now_s += len(chunk) / 1000
        self.carried.append(len(chunk))


async def upstream(chunks: list[bytes], counter: list[int] | None = None) -> httpx.Response:
    async def body() -> AsyncIterator[bytes]:
        for chunk in chunks:
            if counter is not None:
                counter.append(len(chunk))
            yield chunk

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body())

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return await client.send(client.build_request("GET", "http://up/"), stream=True)


@pytest.mark.anyio
async def test_every_chunk_is_carried_and_timed_by_the_clock() -> None:
    clock = Clock()
    link = Link(clock)
    relay = PacedRelay(await upstream(CHUNKS), link.pace, clock=clock)
    received = [chunk async for chunk in relay.stream()]
    assert received == CHUNKS
    assert link.carried == [100, 300, 600]
    times = relay.times
    assert times.completed
    assert times.bytes_delivered == 1000
    assert times.started_at == 10.0
    assert times.first_sent_at == pytest.approx(10.1)
    assert times.delivered_at == pytest.approx(11.0)
    assert times.upstream_done_at is not None
    assert times.upstream_done_at <= 11.0


@pytest.mark.anyio
async def test_read_ahead_stops_at_the_buffer_bound() -> None:
    read: list[int] = []
    gate = asyncio.Event()

    async def stuck(chunk: bytes, received_at: float) -> None:
        await gate.wait()

    relay = PacedRelay(await upstream([b"x"] * 10, read), stuck, max_chunks=3)
    stream = relay.stream()
    first = asyncio.ensure_future(anext(stream))
    for _ in range(20):
        await asyncio.sleep(0)
    # One chunk is on the (stuck) link, three fill the buffer, and the reader holds a fifth until a
    # slot frees: the other five stay upstream (TCP back-pressure in a real relay).
    assert len(read) == 5
    gate.set()
    assert await first == b"x"
    rest = [chunk async for chunk in stream]
    assert len(rest) == 9
    assert relay.times.completed


@pytest.mark.anyio
async def test_a_receiver_that_leaves_does_not_complete_the_relay() -> None:
    clock = Clock()
    relay = PacedRelay(await upstream(CHUNKS), Link(clock).pace, clock=clock)
    stream = cast(AsyncGenerator[bytes, None], relay.stream())
    assert await anext(stream) == CHUNKS[0]
    await stream.aclose()
    assert not relay.times.completed
    assert relay.times.bytes_delivered == 100
