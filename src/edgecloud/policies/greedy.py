"""Greedy, model-based policy: the fastest option that meets the quality requirement."""

from __future__ import annotations

from edgecloud.model.tasks import Route

from .base import Decision, TaskState
from .estimate import estimate_service_delay_s


class Greedy:
    """Among available options meeting the quality requirement, the one with least estimated delay.

    When no option meets the requirement, the option with the best quality is taken; when a tier
    is unavailable, the other one is taken.
    """

    name = "greedy"
    uses_pool = False

    def decide(self, state: TaskState) -> Decision:
        estimates = {route: estimate_service_delay_s(state, route) for route in Route}
        candidates = [r for r in Route if state.tier(r).available] or list(Route)
        meeting = [r for r in candidates if state.tier(r).quality >= state.quality_required]
        if meeting:
            route = min(meeting, key=lambda r: estimates[r])
            note = "fastest meeting quality"
        else:
            route = max(candidates, key=lambda r: state.tier(r).quality)
            note = "no option meets quality; best quality"
        return Decision(route, self.name, estimates, note)
