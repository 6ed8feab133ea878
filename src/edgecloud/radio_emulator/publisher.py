"""Publishes delivery reports to the Redis stream, retrying briefly; a lost report is counted."""

from __future__ import annotations

import logging

from redis.asyncio import Redis
from redis.exceptions import RedisError
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from edgecloud.common.reports import REPORT_FIELD, DeliveryReport

from .metrics import RadioMetrics

logger = logging.getLogger(__name__)


class ReportPublisher:
    def __init__(
        self, redis: Redis, stream: str, maxlen: int, metrics: RadioMetrics, attempts: int = 4
    ) -> None:
        self._redis = redis
        self._stream = stream
        self._maxlen = maxlen
        self._metrics = metrics
        self._attempts = attempts

    async def publish(self, report: DeliveryReport) -> bool:
        try:
            async for attempt in AsyncRetrying(
                stop=stop_after_attempt(self._attempts),
                wait=wait_exponential(multiplier=0.05, max=1.0),
                retry=retry_if_exception_type(RedisError),
                reraise=True,
            ):
                with attempt:
                    await self._redis.xadd(
                        self._stream,
                        {REPORT_FIELD: report.model_dump_json()},
                        maxlen=self._maxlen,
                        approximate=True,
                    )
        except RedisError:
            logger.exception("delivery report %s dropped: Redis unavailable", report.request_id)
            self._metrics.reports.labels("dropped").inc()
            return False
        self._metrics.reports.labels("published").inc()
        return True
