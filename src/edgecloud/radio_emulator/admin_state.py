"""What the admin API changed, kept in Redis so that a restarted radio emulator restores it.

One hash (``<admin_state_key>``) holds, per changed thing, the operator's settings as JSON:
``cell:<id>``, ``scheduler``, ``backhaul`` and ``ue:<id>`` (the UE's placement, mobility and
static RBs as they were after its last change). A deleted UE's field is removed. The store knows
nothing of the admin models: the admin API validates what it saves and what it restores.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from prometheus_client import Counter
from redis.asyncio import Redis
from redis.exceptions import RedisError
from tenacity import AsyncRetrying

from edgecloud.common.redis_retry import retrying

logger = logging.getLogger(__name__)


class AdminStateError(Exception):
    """Redis did not take (or give) the admin state."""


class AdminStateStore:
    def __init__(self, redis: Redis, key: str, events: Counter, attempts: int = 3) -> None:
        self._redis = redis
        self._key = key
        self._attempts = attempts
        self.events = events  # by event: saved, save_failed, restored, restore_failed

    def _retrying(self) -> AsyncRetrying:
        return retrying(self._attempts, max_wait_s=1.0, on=(RedisError,))

    async def save(self, field: str, value: dict[str, Any]) -> None:
        await self._change(lambda: self._redis.hset(self._key, field, json.dumps(value)))

    async def delete(self, field: str) -> None:
        await self._change(lambda: self._redis.hdel(self._key, field))

    async def _change(self, command: Any) -> None:
        try:
            async for attempt in self._retrying():
                with attempt:
                    await command()
        except RedisError as exc:
            self.events.labels("save_failed").inc()
            raise AdminStateError(str(exc)) from exc
        self.events.labels("saved").inc()

    async def load(self) -> dict[str, dict[str, Any]]:
        """Every saved change, by field."""
        try:
            async for attempt in self._retrying():
                with attempt:
                    raw: Any = await self._redis.hgetall(self._key)
        except RedisError as exc:
            raise AdminStateError(str(exc)) from exc
        saved = {}
        for field, value in raw.items():
            try:
                saved[field.decode()] = json.loads(value)
            except (UnicodeDecodeError, json.JSONDecodeError):
                logger.error("admin state %r is not JSON; skipped", field)
                self.events.labels("restore_failed").inc()
        return saved
