"""Publishes delivery reports to the Redis stream; while Redis is away they wait in a spool.

A report that does not go in after a few quick retries is spooled and replayed in order when Redis
is back (``edgecloud_radio_report_spool_total``); while the spool holds reports, new ones join it
behind them. Only a full spool drops a report, and that is counted (``dropped``).
"""

from __future__ import annotations

import logging

from redis.asyncio import Redis
from redis.exceptions import RedisError

from edgecloud.common.redis_retry import OUTAGE, retrying
from edgecloud.common.reports import REPORT_FIELD, DeliveryReport
from edgecloud.common.spool import Spool

from .metrics import RadioMetrics

logger = logging.getLogger(__name__)


class ReportPublisher:
    def __init__(
        self,
        redis: Redis,
        stream: str,
        maxlen: int,
        metrics: RadioMetrics,
        attempts: int = 4,
        spool_max: int = 20_000,
    ) -> None:
        self._redis = redis
        self._stream = stream
        self._maxlen = maxlen
        self._metrics = metrics
        self._attempts = attempts
        self.spool: Spool[DeliveryReport] = Spool(
            spool_max, metrics.report_spool, self._replay_one, OUTAGE
        )

    async def publish(self, report: DeliveryReport) -> bool:
        """True when the report is in the stream, or spooled to be; False when it was dropped."""
        if self.spool:
            return self._spool(report)
        try:
            await self._write(report)
        except OUTAGE:
            logger.warning("Redis unavailable: delivery report %s spooled", report.request_id)
            return self._spool(report)
        except RedisError:
            logger.exception("delivery report %s dropped", report.request_id)
            self._metrics.reports.labels("dropped").inc()
            return False
        self._metrics.reports.labels("published").inc()
        return True

    async def _replay_one(self, report: DeliveryReport) -> None:
        await self._write(report)
        self._metrics.reports.labels("published").inc()

    def _spool(self, report: DeliveryReport) -> bool:
        if self.spool.put(report):
            return True
        logger.error("report spool full: delivery report %s dropped", report.request_id)
        self._metrics.reports.labels("dropped").inc()
        return False

    async def _write(self, report: DeliveryReport) -> None:
        async for attempt in retrying(self._attempts, first_wait_s=0.05, max_wait_s=1.0):
            with attempt:
                await self._redis.xadd(
                    self._stream,
                    {REPORT_FIELD: report.model_dump_json()},
                    maxlen=self._maxlen,
                    approximate=True,
                )
