"""Relay an upstream HTTP response body downstream at the pace a link allows.

The upstream body is read ahead into a bounded queue, as a base station buffers what the core sends
it, while chunks leave towards the receiver only when the link has carried them. So a slow link
delays delivery without slowing generation (an LLM answer fits in the buffer), and
``upstream_done_at`` and ``delivered_at`` differ by the link's backlog. A bulk transfer that fills
the buffer is slowed down by TCP back-pressure instead of filling memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import httpx

Pace = Callable[[bytes, float], Awaitable[None]]  # (chunk, received_at) -> returns once carried


@dataclass(slots=True)
class RelayTimes:
    started_at: float
    first_sent_at: float | None = None
    upstream_done_at: float | None = None
    delivered_at: float | None = None
    bytes_delivered: int = 0
    completed: bool = False


class PacedRelay:
    def __init__(
        self,
        upstream: httpx.Response,
        pace: Pace,
        clock: Callable[[], float] = time.monotonic,
        max_chunks: int = 256,
    ) -> None:
        self._upstream = upstream
        self._pace = pace
        self._clock = clock
        self._queue: asyncio.Queue[tuple[float, bytes] | None] = asyncio.Queue()
        # Bounds the read-ahead; the end marker needs no slot, so it can always be queued.
        self._slots = asyncio.Semaphore(max_chunks)
        self.times = RelayTimes(started_at=clock())

    async def _read_upstream(self) -> None:
        try:
            # Decoded bytes: content-encoding is a hop-by-hop matter we do not relay.
            async for chunk in self._upstream.aiter_bytes():
                if chunk:
                    await self._slots.acquire()
                    self._queue.put_nowait((self._clock(), chunk))
        finally:
            self.times.upstream_done_at = self._clock()
            self._queue.put_nowait(None)

    async def stream(self) -> AsyncIterator[bytes]:
        reader = asyncio.create_task(self._read_upstream())
        try:
            while (item := await self._queue.get()) is not None:
                self._slots.release()
                received_at, chunk = item
                await self._pace(chunk, received_at)
                if self.times.first_sent_at is None:
                    self.times.first_sent_at = self._clock()
                self.times.bytes_delivered += len(chunk)
                self.times.delivered_at = self._clock()
                yield chunk
            await reader  # surfaces an upstream read error
            self.times.completed = True
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, httpx.HTTPError):
                await reader
            await self._upstream.aclose()
