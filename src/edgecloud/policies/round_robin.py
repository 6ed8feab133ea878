"""Round robin between the tiers: a baseline that ignores the state."""

from __future__ import annotations

from edgecloud.model.tasks import Route

from .base import Decision, TaskState


class RoundRobin:
    name = "round-robin"
    uses_pool = False

    def __init__(self) -> None:
        self._next = 0

    def decide(self, state: TaskState) -> Decision:
        route = (Route.EDGE, Route.CLOUD)[self._next % 2]
        self._next += 1
        return Decision(route, self.name)
