"""k nearest neighbours over the experience pool: ICL's example selection without the LLM.

Among past decisions of the same task type, the ``k`` nearest states vote: the route with the best
mean reward among them wins. With no neighbours it decides like the greedy policy.
"""

from __future__ import annotations

from edgecloud.model.tasks import Route

from .base import Decision, TaskState
from .experience import StateSummary, distance
from .greedy import Greedy


class KNearest:
    name = "knn"
    uses_pool = True

    def __init__(self, k: int = 8) -> None:
        if k < 1:
            raise ValueError("k must be >= 1")
        self.k = k
        self._fallback = Greedy()

    def decide(self, state: TaskState) -> Decision:
        target = StateSummary.of(state)
        same_type = [e for e in state.pool if e.summary.task_type is state.task_type]
        nearest = sorted(same_type, key=lambda e: distance(e.summary, target))[: self.k]
        rewards: dict[Route, list[float]] = {}
        for experience in nearest:
            if state.tier(experience.route).available:
                rewards.setdefault(experience.route, []).append(experience.reward)
        if not rewards:
            greedy = self._fallback.decide(state)
            return Decision(greedy.route, self.name, greedy.estimates_s, "no neighbours: greedy")
        means = {route: sum(r) / len(r) for route, r in rewards.items()}
        route = max(means, key=lambda r: means[r])
        return Decision(route, self.name, note=f"{len(nearest)} neighbours, mean reward {means}")
