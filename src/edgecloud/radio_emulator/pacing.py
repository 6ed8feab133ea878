"""Relay an upstream HTTP response body downstream at the pace a link allows.

The upstream body is read ahead into a bounded queue, as a base station buffers what the core sends
it, while chunks leave towards the receiver only when the link has carried them. So a slow link
delays delivery without slowing generation (an LLM answer fits in the buffer), and
``upstream_done_at`` and ``delivered_at`` differ by the link's backlog. A bulk transfer that fills
the buffer is slowed down by TCP back-pressure instead of filling memory. What one read brings
(up to 16 KiB when the upstream is ahead) leaves in segments of at most ``max_segment_bytes``, so
the receiver sees bytes arrive as the link carries them, not in bursts of a read's size.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import httpx

# Called when a chunk arrives from upstream (so the link sees every buffered byte at once, as a
# gNB's buffer status does); the awaitable it returns completes when the link has carried the chunk.
Pace = Callable[[bytes, float], Awaitable[None]]


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
        max_segment_bytes: int = 4096,
    ) -> None:
        self._upstream = upstream
        self._pace = pace
        self._clock = clock
        self._queue: asyncio.Queue[tuple[Awaitable[None], bytes] | None] = asyncio.Queue()
        # Bounds the read-ahead; the end marker needs no slot, so it can always be queued.
        self._slots = asyncio.Semaphore(max_chunks)
        self._max_segment_bytes = max_segment_bytes
        self.times = RelayTimes(started_at=clock())

    async def _read_upstream(self) -> None:
        try:
            # Decoded bytes: content-encoding is a hop-by-hop matter we do not relay.
            async for chunk in self._upstream.aiter_bytes():
                for start in range(0, len(chunk), self._max_segment_bytes):
                    segment = chunk[start : start + self._max_segment_bytes]
                    await self._slots.acquire()
                    self._queue.put_nowait((self._pace(segment, self._clock()), segment))
        finally:
            self.times.upstream_done_at = self._clock()
            self._queue.put_nowait(None)

    async def stream(self) -> AsyncIterator[bytes]:
        reader = asyncio.create_task(self._read_upstream())
        try:
            while (item := await self._queue.get()) is not None:
                self._slots.release()
                carried, chunk = item
                await carried
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
            self._discard_queued()
            await self._upstream.aclose()

    def _discard_queued(self) -> None:
        """Withdraw chunks that will never be sent (the receiver went away)."""
        while not self._queue.empty():
            item = self._queue.get_nowait()
            if item is None:
                continue
            carried = item[0]
            if isinstance(carried, asyncio.Future):
                carried.cancel()
            elif inspect.iscoroutine(carried):
                carried.close()
