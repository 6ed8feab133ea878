"""The delivery-report consumer: every replica reads the radio's reports with one consumer group.

Nothing is stranded: the group is created at the start of the stream (reports the radio wrote while
no orchestrator ran are read, not skipped), each replica reads under its stable ``instance_id`` (a
restarted replica finds its own pending entries again), reports another consumer read and did not
acknowledge for ``report_claim_idle_s`` are claimed (``XAUTOCLAIM``) and joined here, and every
entry is acknowledged only after it was handled. An entry that cannot be handled is counted and
acknowledged, so that it never holds up the ones after it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from pydantic import ValidationError
from redis.asyncio import Redis
from redis.exceptions import ResponseError

from edgecloud.common.redis_retry import OUTAGE
from edgecloud.common.reports import REPORT_FIELD, DeliveryReport

from .history import HistoryStore
from .metrics import OrchestratorMetrics
from .settings import OrchestratorSettings

logger = logging.getLogger(__name__)


class ReportConsumer:
    def __init__(
        self,
        redis: Redis,
        history: HistoryStore,
        settings: OrchestratorSettings,
        metrics: OrchestratorMetrics,
    ) -> None:
        self._redis = redis
        self._history = history
        self._settings = settings
        self._metrics = metrics
        self._stream = settings.delivery_stream
        self._group = settings.delivery_group
        self._consumer = settings.instance_id

    async def run(self, block_ms: int = 1000) -> None:
        """Read reports, claim stale ones, sweep overdue joins and replay the spool, for good."""
        last_chores = 0.0
        while True:
            try:
                await self._ensure_group()
                while True:
                    batches: Any = await self._redis.xreadgroup(
                        self._group, self._consumer, {self._stream: ">"}, count=100, block=block_ms
                    )
                    for _, entries in batches or []:
                        await self._handle_all(entries)
                    if time.monotonic() - last_chores >= 1.0:
                        await self._chores()
                        last_chores = time.monotonic()
            except OUTAGE:
                logger.warning("delivery-report consumer: Redis unavailable, retrying in 1 s")
                await asyncio.sleep(1.0)
            except Exception:  # a bug must not end the loop for good; /readyz would not see it
                logger.exception("delivery-report consumer failed; restarting in 1 s")
                self._metrics.loop_restarts.labels("report_consumer").inc()
                await asyncio.sleep(1.0)

    async def _ensure_group(self) -> None:
        with contextlib.suppress(ResponseError):  # BUSYGROUP: it exists already
            await self._redis.xgroup_create(self._stream, self._group, id="0", mkstream=True)

    async def _chores(self) -> None:
        await self._history.spool.replay()
        await self.claim_stale()
        await self._history.sweep()

    async def claim_stale(self) -> int:
        """Join reports that another consumer (a crashed replica) read and never acknowledged;
        also this consumer's own, left by an outage mid-batch. Returns how many."""
        idle_ms = int(self._settings.report_claim_idle_s * 1000)
        claimed = 0
        start = "0-0"
        while True:
            reply: Any = await self._redis.xautoclaim(
                self._stream, self._group, self._consumer, idle_ms, start_id=start, count=100
            )
            start, entries = reply[0], reply[1]
            live = [(entry_id, fields) for entry_id, fields in entries if fields is not None]
            await self._handle_all(live)
            claimed += len(live)
            self._metrics.claimed_reports.inc(len(live))
            if start in (b"0-0", "0-0") or not entries:
                return claimed

    async def _handle_all(self, entries: list[tuple[bytes, dict[bytes, bytes]]]) -> None:
        for entry_id, fields in entries:
            await self._handle_safely(fields)
            await self._redis.xack(self._stream, self._group, entry_id)

    async def _handle_safely(self, fields: dict[bytes, bytes]) -> None:
        try:
            report = DeliveryReport.model_validate_json(fields[REPORT_FIELD.encode()])
        except (KeyError, ValidationError):
            logger.error("malformed delivery report skipped: %r", fields)
            self._metrics.bad_reports.inc()
            return
        try:
            await self._history.on_report(report)
        except OUTAGE:
            raise  # not acknowledged: read again (claimed) when Redis is back
        except Exception:
            logger.exception("delivery report could not be joined: %r", fields)
            self._metrics.bad_reports.inc()
