"""The UE registry's rules: who may stay, who makes room, what is forgotten with a UE.

The radio environment holds the UEs in order of last use; this adds what it cannot know: which UEs
have requests in flight, which were placed by the admin API (pinned, never evicted) and which were
registered by requests that were never answered with a 2xx (forgotten when the last one ends).
"""

from __future__ import annotations

import collections

from edgecloud.api.errors import TooManyUesError
from edgecloud.model.cells import RadioEnvironment, Ue, UeLimitError

from .metrics import RadioMetrics
from .scheduler import AirScheduler


class UeRegistry:
    def __init__(
        self,
        environment: RadioEnvironment,
        schedulers: tuple[AirScheduler, ...],
        metrics: RadioMetrics,
    ) -> None:
        self._environment = environment
        self._schedulers = schedulers
        self._metrics = metrics
        self._busy: collections.Counter[str] = collections.Counter()  # requests in flight per UE
        self._pinned: set[str] = set()
        self._unproven: set[str] = set()

    def _evictable(self, ue_id: str) -> bool:
        return self._busy[ue_id] == 0 and ue_id not in self._pinned

    def _count(self) -> None:
        self._metrics.registered_ues.set(len(self._environment.ues))

    def register(self, ue_id: str, pin: bool) -> Ue:
        """The UE, registered if new; at the cap the idle UE used longest ago makes room."""
        environment = self._environment
        new = ue_id not in environment.ues
        if new and len(environment.ues) >= environment.layout.max_ues:
            victim = environment.least_recent(self._evictable)
            if victim is not None:
                self.forget(victim)
                self._metrics.evicted_ues.inc()
        try:
            ue = environment.get_or_register(ue_id)
        except UeLimitError as exc:
            raise TooManyUesError(str(exc), code="too_many_ues") from exc
        environment.touch(ue_id)
        if pin:
            self._pinned.add(ue_id)
            self._unproven.discard(ue_id)  # placed: kept whatever its requests get
        elif new:
            self._unproven.add(ue_id)
        self._count()
        return ue

    def forget(self, ue_id: str) -> bool:
        """Remove a UE and everything the schedulers remember of it."""
        ue = self._environment.ues.get(ue_id)
        if ue is not None:
            for scheduler in self._schedulers:
                scheduler.forget(ue)
        removed = self._environment.remove(ue_id)
        self._pinned.discard(ue_id)
        self._unproven.discard(ue_id)
        self._count()
        return removed

    def request_started(self, ue_id: str) -> None:
        self._busy[ue_id] += 1

    def request_ended(self, ue_id: str, served: bool) -> None:
        """A request of the UE ended; a UE registered by requests never served goes again."""
        self._busy[ue_id] -= 1
        if self._busy[ue_id] > 0:
            return
        del self._busy[ue_id]
        if served:
            self._unproven.discard(ue_id)
        elif ue_id in self._unproven:
            self.forget(ue_id)
