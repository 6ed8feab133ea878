"""The experience source of the orchestrator: the shared Redis history stream.

Every replica appends its finished requests to the stream; each one reads what was added since
its last read into its own in-memory pool (``icl.feed.PoolFeed``), so a policy reads without I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from redis.asyncio import Redis
from redis.exceptions import RedisError

from edgecloud.icl.feed import ExperienceSourceError
from edgecloud.model.tasks import Route, TaskType
from edgecloud.policies.experience import Experience, StateSummary

from .history import RECORD_FIELD
from .records import HistoryRecord, RequestStatus


def experience_of(record: HistoryRecord) -> Experience | None:
    """An experience from a history record; None for records that carry no decision to learn."""
    if record.status != RequestStatus.OK:
        return None
    try:
        summary = StateSummary.from_features(TaskType(record.task_type), record.state)
    except (KeyError, ValueError):
        return None
    return Experience(
        summary, Route(record.route), record.reward, record.total_s, record.quality_violated
    )


class RedisHistorySource:
    def __init__(self, redis: Redis, stream: str, batch: int = 500) -> None:
        self._redis = redis
        self._stream = stream
        self._batch = batch
        self._last_id: str | None = None

    async def fetch(self, limit: int) -> Sequence[Experience]:
        try:
            entries = await self._entries(limit)
        except RedisError as exc:
            raise ExperienceSourceError(f"Redis unavailable: {exc}") from exc
        experiences = []
        for entry_id, fields in entries:
            self._last_id = entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)
            try:
                record = HistoryRecord.model_validate_json(fields[RECORD_FIELD.encode()])
            except (KeyError, ValidationError):
                continue
            experience = experience_of(record)
            if experience is not None:
                experiences.append(experience)
        if self._last_id is None:
            self._last_id = "0-0"
        return experiences[-limit:]

    async def skip_to_latest(self) -> None:
        try:
            newest: Any = await self._redis.xrevrange(self._stream, count=1)
        except RedisError as exc:
            raise ExperienceSourceError(f"Redis unavailable: {exc}") from exc
        entry_id = newest[0][0] if newest else b"0-0"
        self._last_id = entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)

    async def _entries(self, limit: int) -> list[Any]:
        if self._last_id is None:  # the first read: the newest ``limit`` records
            raw: Any = await self._redis.xrevrange(self._stream, count=limit)
            return list(reversed(raw))
        newer: Any = await self._redis.xrange(
            self._stream, min=f"({self._last_id}", count=self._batch
        )
        return list(newer)
