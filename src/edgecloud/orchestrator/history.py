"""The history (experience pool) in Redis, and the join of each request with its delivery report.

Each request has two halves: the orchestrator's (written when it sent the last byte) and the radio
emulator's delivery report (read from a Redis stream by a consumer group that every orchestrator
replica joins). Both halves go into one hash per request in a MULTI transaction, so exactly one
writer sees both and finishes the record; ``SET NX`` on a done-key guards against the timeout
sweeper finishing the same request twice. A request whose report does not arrive within
``join_timeout_s`` is finished without radio parts and counted as ``report_missing``.

If Redis is unreachable, halves and records go to a bounded local spool and are replayed in order
when it is back (``history_spool``); only a full spool drops a record, and that is counted as
``dropped``: never silently lost.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from pydantic import ValidationError
from redis.asyncio import Redis
from redis.exceptions import RedisError
from tenacity import AsyncRetrying

from edgecloud.common.redis_retry import OUTAGE, retrying
from edgecloud.common.reports import DeliveryReport
from edgecloud.common.spool import Spool

from .metrics import OrchestratorMetrics
from .records import HistoryRecord, OrchestratorPart, join
from .settings import OrchestratorSettings

logger = logging.getLogger(__name__)

RECORD_FIELD = "record"
JOIN_TTL_S = 3600
ORCHESTRATOR_HALF = "orchestrator"
RADIO_HALF = "radio"


_MAX_ID_PART = 2**64 - 1


def entry_id_before(entry_id: str) -> str | None:
    """The newest stream id older than ``entry_id`` (``ms-seq``), for an inclusive XREVRANGE bound;
    None when nothing is older (``0-0``). Parts past Redis' 64-bit range are clamped to it, so a
    cursor from anywhere pages instead of failing."""
    ms, seq = (min(int(part), _MAX_ID_PART) for part in entry_id.split("-"))
    if seq > 0:
        return f"{ms}-{seq - 1}"
    if ms > 0:
        return f"{ms - 1}-{_MAX_ID_PART}"
    return None


class HistoryStore:
    def __init__(
        self, redis: Redis, settings: OrchestratorSettings, metrics: OrchestratorMetrics
    ) -> None:
        self._redis = redis
        self._settings = settings
        self._metrics = metrics
        self._prefix = f"{settings.history_stream}:join"
        self._pending = f"{self._prefix}:pending"
        # While Redis is away: halves not yet joined and records not yet written, in order.
        self.spool: Spool[OrchestratorPart | HistoryRecord] = Spool(
            settings.history_spool_max, metrics.history_spool, self._write_spooled, OUTAGE
        )

    def _join_key(self, request_id: str) -> str:
        return f"{self._prefix}:{request_id}"

    def _retrying(self) -> AsyncRetrying:
        """Every write is retried a few times (a stale pooled connection after a Redis restart
        fails once), then the write goes to the spool."""
        return retrying(self._settings.history_write_attempts)

    async def submit(self, part: OrchestratorPart) -> None:
        """Record the orchestrator's half; finish now if the report is already there or not due.
        With Redis away (or writes still spooled, to keep their order) the half is spooled."""
        if self.spool:
            self._spool(part)
            return
        try:
            await self._submit(part)
        except OUTAGE:
            logger.warning("Redis unavailable: request %s spooled", part.request_id)
            self._spool(part)
        except RedisError:
            logger.exception("request %s could not be joined", part.request_id)
            self._finish_locally(part)

    async def _write_spooled(self, item: OrchestratorPart | HistoryRecord) -> None:
        """Replay one spooled item (an outage propagates: the item stays spooled)."""
        if isinstance(item, HistoryRecord):
            await self._append(item)
            self._metrics.history.labels("replayed").inc()
        else:
            await self._submit(item)

    async def _submit(self, part: OrchestratorPart) -> None:
        if not part.via_radio:
            await self._write(join(part, None, self._settings.violation_penalty_s), "direct")
            return
        halves = await self._put_half(part.request_id, ORCHESTRATOR_HALF, part.model_dump_json())
        if halves is None:
            return  # written already (a replayed half whose record made it before the outage)
        if RADIO_HALF.encode() not in halves:
            deadline = time.time() + self._settings.join_timeout_s
            async for attempt in self._retrying():
                with attempt:
                    await self._redis.zadd(self._pending, {part.request_id: deadline})
            return
        await self._complete(part.request_id, halves, outcome="joined")

    def _spool(self, item: OrchestratorPart | HistoryRecord) -> None:
        if not self.spool.put(item):
            request_id = item.request_id
            logger.error("history spool full: request %s dropped", request_id)
            if isinstance(item, OrchestratorPart):
                self._finish_locally(item)
            else:
                self._metrics.history.labels("dropped").inc()

    async def _put_half(
        self, request_id: str, half: str, payload: str
    ) -> dict[bytes, bytes] | None:
        """Both halves so far, with this one; None (and nothing kept) when the request was
        finished already, in the same round trip."""
        key = self._join_key(request_id)
        async for attempt in self._retrying():
            with attempt:
                async with self._redis.pipeline(transaction=True) as pipe:
                    pipe.exists(self._done_key(request_id))
                    pipe.hset(key, half, payload)
                    pipe.hgetall(key)
                    pipe.expire(key, JOIN_TTL_S)
                    done, _, halves, _ = await pipe.execute()
        if done:
            await self._redis.delete(key)
            return None
        return dict(halves)

    async def _complete(self, request_id: str, halves: dict[bytes, bytes], outcome: str) -> None:
        claimed = await self._redis.set(self._done_key(request_id), b"1", nx=True, ex=JOIN_TTL_S)
        if not claimed:
            return
        part = OrchestratorPart.model_validate_json(halves[ORCHESTRATOR_HALF.encode()])
        raw_report = halves.get(RADIO_HALF.encode())
        report = DeliveryReport.model_validate_json(raw_report) if raw_report else None
        await self._write(join(part, report, self._settings.violation_penalty_s), outcome)
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.delete(self._join_key(request_id))
            pipe.zrem(self._pending, request_id)
            await pipe.execute()

    def _done_key(self, request_id: str) -> str:
        return f"{self._join_key(request_id)}:done"

    async def _write(self, record: HistoryRecord, outcome: str) -> None:
        """The finished record into the history; spooled when Redis is away."""
        self._metrics.observe_record(record)
        try:
            await self._append(record)
        except OUTAGE:
            logger.warning("Redis unavailable: record %s spooled", record.request_id)
            self._spool(record)
        else:
            self._metrics.history.labels(outcome).inc()

    async def _append(self, record: HistoryRecord) -> None:
        async for attempt in self._retrying():
            with attempt:
                await self._redis.xadd(
                    self._settings.history_stream,
                    {RECORD_FIELD: record.model_dump_json()},
                    maxlen=self._settings.history_maxlen,
                    approximate=True,
                )

    def _finish_locally(self, part: OrchestratorPart) -> None:
        self._metrics.observe_record(join(part, None, self._settings.violation_penalty_s))
        self._metrics.history.labels("dropped").inc()

    async def on_report(self, report: DeliveryReport) -> None:
        if report.status_code != 200:
            return  # the orchestrator rejected the request: there is no generation to record
        halves = await self._put_half(report.request_id, RADIO_HALF, report.model_dump_json())
        if halves is None:
            # Finished without it (report_missing) before it came: the record stays as written,
            # so that no request has two; the late report is counted.
            self._metrics.late_reports.inc()
            return
        if ORCHESTRATOR_HALF.encode() in halves:
            await self._complete(report.request_id, halves, outcome="joined")

    async def sweep(self) -> int:
        """Finish requests whose report is overdue; returns how many."""
        now = time.time()
        overdue: Any = await self._redis.zrangebyscore(self._pending, "-inf", now)
        finished = 0
        for raw_id in overdue:
            request_id = raw_id.decode()
            if not await self._redis.zrem(self._pending, request_id):
                continue  # another replica took it
            try:
                halves: Any = await self._redis.hgetall(self._join_key(request_id))
                if ORCHESTRATOR_HALF.encode() in halves:
                    await self._complete(request_id, halves, outcome="report_missing")
                    finished += 1
            except OUTAGE:
                raise
            except Exception:
                logger.exception("overdue request %s could not be finished", request_id)
                self._metrics.bad_reports.inc()
        return finished

    async def read(self, count: int = 100) -> list[HistoryRecord]:
        """The newest records, newest first (an entry that is not a valid record is skipped)."""
        return (await self.read_page(count))[0]

    async def read_page(
        self, count: int, before: str | None = None
    ) -> tuple[list[HistoryRecord], str | None]:
        """Up to ``count`` records older than the entry ``before`` (all when None), newest first,
        and the cursor of the next older page (None when this page reached the oldest)."""
        newest = "+" if before is None else entry_id_before(before)
        if newest is None:
            return [], None
        entries: Any = await self._redis.xrevrange(
            self._settings.history_stream, max=newest, count=count
        )
        records = []
        for entry_id, fields in entries:
            try:
                records.append(HistoryRecord.model_validate_json(fields[RECORD_FIELD.encode()]))
            except (KeyError, ValidationError):
                logger.warning("history entry %r is not a record; skipped", entry_id)
        if len(entries) < count:
            return records, None
        last = entries[-1][0]
        return records, last.decode() if isinstance(last, bytes) else str(last)
