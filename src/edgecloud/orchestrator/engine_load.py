"""The engines' load poller: each engine's own queue from its /metrics (waiting and running)."""

from __future__ import annotations

import asyncio
import logging

import httpx
from prometheus_client import Gauge

from .endpoints import TierEndpoint

logger = logging.getLogger(__name__)

WAITING = "vllm:num_requests_waiting"
RUNNING = "vllm:num_requests_running"


def parse_queue(text: str) -> tuple[int, int]:
    """Sum of waiting and of running requests over every series of the exposition text."""
    totals = {WAITING: 0.0, RUNNING: 0.0}
    for line in text.splitlines():
        for name in totals:
            if line.startswith(name + "{") or line.startswith(name + " "):
                totals[name] += float(line.rsplit(" ", 1)[1])
    return int(totals[WAITING]), int(totals[RUNNING])


async def poll_load(
    endpoints: list[TierEndpoint], interval_s: float, engine_requests: Gauge | None = None
) -> None:
    while True:
        for tier in endpoints:
            try:
                reply = await tier.client.get("/metrics", timeout=interval_s)
                tier.waiting, tier.running = parse_queue(reply.text)
                if engine_requests is not None:
                    engine_requests.labels(tier.route.value, "waiting").set(tier.waiting)
                    engine_requests.labels(tier.route.value, "running").set(tier.running)
            except (httpx.HTTPError, ValueError):
                # A tier without metrics (or down) keeps its last known load; the request path
                # notices failures by itself.
                logger.debug("no load reading from the %s tier", tier.route.value)
        await asyncio.sleep(interval_s)
