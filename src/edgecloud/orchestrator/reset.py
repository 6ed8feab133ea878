"""Bringing the orchestrator back to a starting state, so that experiments compare like with like.

A reset sets every tier's TTFT and TPOT estimates back to their priors and lifts any cool-down,
restarts the policies' own state (round-robin position, random draws, ICL's decision cache) from
the configured seed, and replaces the experience pool with the given records; the pool feed then
takes only records written after the reset. Requests in flight are not touched.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from edgecloud.icl import Decider, PoolFeed
from edgecloud.model.tasks import Route

from .endpoints import TierEndpoint
from .history_source import experience_of
from .records import HistoryRecord


class StateReset:
    def __init__(
        self, endpoints: Mapping[Route, TierEndpoint], decider: Decider, feed: PoolFeed, seed: int
    ) -> None:
        self._endpoints = endpoints
        self._decider = decider
        self._feed = feed
        self._seed = seed

    async def reset(self, pool: Sequence[HistoryRecord]) -> int:
        """Returns the experiences the pool now holds (records that carry no decision to learn
        from, such as failed requests, are left out)."""
        for endpoint in self._endpoints.values():
            endpoint.reset_estimates()
        self._decider.reset(self._seed)
        experiences = [e for e in map(experience_of, pool) if e is not None]
        await self._feed.restart(experiences)
        return len(self._feed.pool)
