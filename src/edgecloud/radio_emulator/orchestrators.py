"""The orchestrator replicas the radio emulator forwards to: health-checked, taken in turn.

Each request goes to the next healthy replica (round robin); a replica that fails before the first
byte of its answer is marked down and the request goes on to the next one (the replica never
answered, so it wrote no record: nothing is generated or recorded twice). A replica marked down
comes back when its ``/healthz`` answers again; while every replica is down they are still tried, in
turn, rather than refused without trying.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx
from prometheus_client import Counter, Gauge

logger = logging.getLogger(__name__)

Answer = TypeVar("Answer")


class NoOrchestratorError(Exception):
    """Every replica failed before answering (the message names the last transport error)."""


class OrchestratorPool:
    def __init__(
        self, urls: list[str], client: httpx.AsyncClient, up: Gauge, failovers: Counter
    ) -> None:
        if not urls:
            raise ValueError("at least one orchestrator URL is needed")
        self.urls = [url.rstrip("/") for url in urls]
        self._client = client
        self._healthy = dict.fromkeys(self.urls, True)
        self._turn = itertools.cycle(range(len(self.urls)))
        self._up, self._failovers = up, failovers  # by url
        for url in self.urls:
            up.labels(url).set(1)
            failovers.labels(url)

    def candidates(self) -> list[str]:
        """Every replica, the healthy ones first, starting at the next one's turn."""
        start = next(self._turn)
        ordered = self.urls[start:] + self.urls[:start]
        return [u for u in ordered if self._healthy[u]] + [
            u for u in ordered if not self._healthy[u]
        ]

    async def first_answer(self, call: Callable[[str], Awaitable[Answer]]) -> Answer:
        """``call`` on each replica in turn until one answers; a replica whose call fails before
        an answer (a transport error) is marked failed. Raises NoOrchestratorError when none
        answered."""
        failure: httpx.TransportError | None = None
        for url in self.candidates():
            try:
                return await call(url)
            except httpx.TransportError as exc:
                self.failed(url)
                failure = exc
        raise NoOrchestratorError(failure.__class__.__name__) from failure

    def failed(self, url: str) -> None:
        """``url`` failed before answering: skip it until its health check passes."""
        if self._healthy[url]:
            logger.warning("orchestrator %s failed; skipped until healthy", url)
        self._set(url, healthy=False)
        self._failovers.labels(url).inc()

    def _set(self, url: str, healthy: bool) -> None:
        self._healthy[url] = healthy
        self._up.labels(url).set(1 if healthy else 0)

    async def check(self, timeout_s: float = 1.0) -> None:
        """Probe every replica's ``/healthz`` once."""

        async def probe(url: str) -> None:
            try:
                reply = await self._client.get(f"{url}/healthz", timeout=timeout_s)
                healthy = reply.status_code == 200
            except httpx.HTTPError:
                healthy = False
            if healthy and not self._healthy[url]:
                logger.info("orchestrator %s is healthy again", url)
            self._set(url, healthy)

        await asyncio.gather(*(probe(url) for url in self.urls))

    async def run_checks(self, interval_s: float) -> None:
        while True:
            await asyncio.sleep(interval_s)
            await self.check()
