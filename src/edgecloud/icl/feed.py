"""Feeding an experience pool from a source, and knowing whether it is fresh.

A source answers the experiences added since its last answer (like httpx's transports, the Redis
one and the in-memory one share a small protocol). The feed polls it in the background; a pool
whose source has not answered for a while is stale, and the policies that read it fall back.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import Protocol

from edgecloud.policies.experience import Experience
from edgecloud.policies.pool import ExperiencePool

logger = logging.getLogger(__name__)


class ExperienceSourceError(Exception):
    """The source could not be read now (for example, Redis is unreachable)."""


class ExperienceSource(Protocol):
    async def fetch(self, limit: int) -> Sequence[Experience]:
        """The experiences added since the previous call (at most ``limit``, the newest)."""
        ...

    async def skip_to_latest(self) -> None:
        """Forget what was added so far: the next fetch answers only what comes after."""
        ...


class InMemorySource:
    """Experiences put in by the caller, answered once each: for tests and offline tools."""

    def __init__(self) -> None:
        self._queued: deque[Experience] = deque()

    def put(self, experience: Experience) -> None:
        self._queued.append(experience)

    async def skip_to_latest(self) -> None:
        self._queued.clear()

    async def fetch(self, limit: int) -> Sequence[Experience]:
        taken = list(self._queued)
        self._queued.clear()
        return taken[-limit:]


class PoolFeed:
    def __init__(
        self,
        pool: ExperiencePool,
        source: ExperienceSource,
        stale_after_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.pool = pool
        self._source = source
        self._stale_after_s = stale_after_s
        self._clock = clock
        self._refreshed_at: float | None = None
        self._generation = 0  # a restart makes a fetch begun before it void

    def is_fresh(self) -> bool:
        """Whether the source answered within ``stale_after_s`` (never, before the first answer)."""
        if self._refreshed_at is None:
            return False
        return self._clock() - self._refreshed_at <= self._stale_after_s

    async def refresh(self) -> int:
        """Add what the source has; returns how many experiences came. Raises on a source error."""
        generation = self._generation
        experiences = await self._source.fetch(self.pool.size)
        if generation != self._generation:
            return 0
        self.pool.extend(experiences)
        self._refreshed_at = self._clock()
        return len(experiences)

    async def restart(self, experiences: Sequence[Experience]) -> None:
        """The pool holds ``experiences`` only, and the source is read from now on (raises
        ``ExperienceSourceError`` when the source cannot be read)."""
        self._generation += 1
        await self._source.skip_to_latest()
        self.pool.replace(experiences)
        self._refreshed_at = self._clock()

    async def run(self, interval_s: float, on_refresh: Callable[[int], None] | None = None) -> None:
        while True:
            try:
                await self.refresh()
                if on_refresh is not None:
                    on_refresh(len(self.pool))
            except ExperienceSourceError as exc:
                logger.warning("experience pool: %s; keeping %d", exc, len(self.pool))
            except Exception:  # a bad entry or a bug must not end the feed for good
                logger.exception("experience pool refresh failed; keeping %d", len(self.pool))
            await asyncio.sleep(interval_s)
