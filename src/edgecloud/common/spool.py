"""A bounded, ordered spool of writes a store could not take, replayed when the store is back.

The orchestrator spools history writes and the radio emulator its delivery reports while Redis
is unreachable. The spool keeps items in memory, oldest first, up to a bound: past it an item is
refused (the caller counts it as dropped), so an outage of any length costs bounded memory and
every lost item is counted. Replay writes the oldest item first and stops at the first outage,
leaving that item at the head, so the order is kept across any number of attempts.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from prometheus_client import CollectorRegistry, Counter, Gauge

logger = logging.getLogger(__name__)

Item = TypeVar("Item")


class SpoolMetrics:
    """``<prefix>_spool_total{event}`` and ``<prefix>_spool_items``."""

    def __init__(self, registry: CollectorRegistry, prefix: str, what: str) -> None:
        self.events = Counter(
            f"{prefix}_spool",
            f"{what} kept locally while Redis was unreachable, by event (spooled, replayed, "
            "dropped_full: refused because the spool was full)",
            ["event"],
            registry=registry,
        )
        self.items = Gauge(f"{prefix}_spool_items", f"{what} in the spool now", registry=registry)
        for event in ("spooled", "replayed", "dropped_full", "dropped_error", "dropped_shutdown"):
            self.events.labels(event)


class Spool(Generic[Item]):
    """``write`` puts one item into the store; it raises one of ``outage`` while the store is
    away (any other error means the item will never go in)."""

    def __init__(
        self,
        max_items: int,
        metrics: SpoolMetrics,
        write: Callable[[Item], Awaitable[None]],
        outage: tuple[type[Exception], ...],
    ) -> None:
        self._items: deque[Item] = deque()
        self._max_items = max_items
        self._metrics = metrics
        self._write = write
        self._outage = outage
        self._lock = asyncio.Lock()  # one replay at a time, so that nothing is written twice

    def __len__(self) -> int:
        return len(self._items)

    def put(self, item: Item) -> bool:
        """Keep ``item`` for replay; False (and counted) when the spool is full."""
        if len(self._items) >= self._max_items:
            self._metrics.events.labels("dropped_full").inc()
            return False
        self._items.append(item)
        self._metrics.events.labels("spooled").inc()
        self._metrics.items.set(len(self._items))
        return True

    async def replay(self) -> int:
        """Write the items oldest first until the spool is empty or the store is away (that item
        stays first); returns how many were written."""
        written = 0
        async with self._lock:
            while self._items:
                try:
                    await self._write(self._items[0])
                except self._outage:
                    break
                except Exception:  # not the store being away: this item will never go in
                    logger.exception("a spooled write failed for good; dropped: %r", self._items[0])
                    self._items.popleft()
                    self._metrics.events.labels("dropped_error").inc()
                else:
                    self._items.popleft()
                    written += 1
                    self._metrics.events.labels("replayed").inc()
                self._metrics.items.set(len(self._items))
        if written:
            logger.info("replayed %d spooled writes; %d left", written, len(self._items))
        return written

    async def run_replay(self, interval_s: float = 1.0) -> None:
        """Replay whenever there is something to replay, every ``interval_s``."""
        while True:
            await asyncio.sleep(interval_s)
            if self._items:
                await self.replay()

    async def flush(self) -> int:
        """At shutdown: a last replay; what is still spooled is lost with the process, so it is
        counted (``dropped_shutdown``) and logged. Returns how many were lost."""
        await self.replay()
        lost = len(self._items)
        if lost:
            logger.error("shutting down with %d spooled writes Redis never took: lost", lost)
            self._metrics.events.labels("dropped_shutdown").inc(lost)
            self._items.clear()
            self._metrics.items.set(0)
        return lost
