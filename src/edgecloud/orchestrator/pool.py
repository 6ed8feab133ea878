"""The experience pool in memory: the newest history records of every replica, from Redis.

Every replica appends its finished requests to the shared Redis stream; each one keeps the newest
``pool_size`` of them here, refreshed in the background, so a policy reads the pool without I/O.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from redis.asyncio import Redis
from redis.exceptions import RedisError

from edgecloud.model.tasks import Route, TaskType
from edgecloud.policies.experience import Experience, StateSummary

from .history import RECORD_FIELD
from .records import HistoryRecord

logger = logging.getLogger(__name__)


def experience_of(record: HistoryRecord) -> Experience | None:
    """An experience from a history record; None for records that carry no decision to learn."""
    if record.status != "ok":
        return None
    try:
        summary = StateSummary.from_features(TaskType(record.task_type), record.state)
    except (KeyError, ValueError):
        return None
    return Experience(
        summary, Route(record.route), record.reward, record.total_s, record.quality_violated
    )


class ExperiencePool:
    def __init__(self, redis: Redis, stream: str, size: int) -> None:
        self._redis = redis
        self._stream = stream
        self._items: deque[Experience] = deque(maxlen=size)
        self._last_id: str | None = None
        self.version = 0  # how many experiences were ever added
        self._snapshot: tuple[tuple[Experience, ...], int] = ((), 0)
        self.refreshed_at = 0.0

    def add(self, experience: Experience) -> None:
        self._items.append(experience)
        self.version += 1

    def snapshot(self) -> tuple[Experience, ...]:
        """The pool as a tuple, copied only when it changed (kNN and ICL read it per request)."""
        items, version = self._snapshot
        if version != self.version:
            items = tuple(self._items)
            self._snapshot = (items, self.version)
        return items

    def is_stale(self, max_age_s: float) -> bool:
        return time.monotonic() - self.refreshed_at > max_age_s

    async def refresh(self, batch: int = 500) -> int:
        """Read the records added since the last refresh; returns how many experiences came."""
        entries: Any
        if self._last_id is None:
            raw: Any = await self._redis.xrevrange(self._stream, count=self._items.maxlen)
            entries = list(reversed(raw))
        else:
            entries = await self._redis.xrange(self._stream, min=f"({self._last_id}", count=batch)
        added = 0
        for entry_id, fields in entries:
            self._last_id = entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)
            try:
                record = HistoryRecord.model_validate_json(fields[RECORD_FIELD.encode()])
            except (KeyError, ValidationError):
                continue
            experience = experience_of(record)
            if experience is not None:
                self._items.append(experience)
                added += 1
        if self._last_id is None:
            self._last_id = "0-0"
        self.version += added
        self.refreshed_at = time.monotonic()
        return added

    async def run(self, interval_s: float, on_refresh: Callable[[int], None] | None = None) -> None:
        while True:
            try:
                await self.refresh()
                if on_refresh is not None:
                    on_refresh(len(self._items))
            except RedisError:
                logger.warning("experience pool: Redis unavailable, keeping %d", len(self._items))
            await asyncio.sleep(interval_s)
