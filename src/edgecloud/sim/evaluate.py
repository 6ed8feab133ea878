"""Running policies in the simulator on identical seeds, and the oracle lower bound."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from edgecloud.model.tasks import Route
from edgecloud.policies.base import Decision, Policy, TaskState
from edgecloud.policies.observation import ROUTES

from .env import OffloadingEnv, SimConfig


class Oracle:
    """Myopic with perfect knowledge: the option whose true cost (delay + penalty) is lowest.

    Simulator only: it reads the true answer lengths and loads the environment puts in ``info``.
    A far-sighted policy may beat it under load, since it ignores what its choice does to the tasks
    that follow.
    """

    name = "oracle"
    uses_pool = False

    def __init__(self) -> None:
        self.true_cost_s: dict[Route, float] = {}

    def decide(self, state: TaskState) -> Decision:
        route = min(ROUTES, key=lambda r: self.true_cost_s[r])
        return Decision(route, self.name, dict(self.true_cost_s))


@dataclass(frozen=True, slots=True)
class EpisodeStats:
    policy: str
    mean_cost_s: float  # service delay with violations penalised as in the reward
    mean_delay_s: float
    p95_delay_s: float
    violation_rate: float
    decision_time_s: float
    cloud_share: float


class SimEnv(Protocol):
    """What a policy evaluation needs of an environment: both simulators have it."""

    def reset(self, *, seed: int | None = None) -> tuple[Any, dict[str, Any]]: ...

    def step(self, action: int) -> tuple[Any, float, bool, bool, dict[str, Any]]: ...

    def task_state(self) -> TaskState: ...


def evaluate(
    policy: Policy,
    config: SimConfig,
    seeds: list[int],
    decide: Callable[[Policy, TaskState], Decision] | None = None,
) -> EpisodeStats:
    """Run ``policy`` for one episode per seed; the same seeds give every policy the same tasks."""
    return evaluate_env(policy, OffloadingEnv(config), seeds, decide)


def _outcomes(info: dict[str, Any], reward: float) -> list[dict[str, Any]]:
    """The requests whose outcome a step made known: the decided one (``OffloadingEnv``), or
    those that finished since the previous step (``CalibratedEnv``)."""
    if "completed" in info:
        return list(info["completed"])
    return [info["outcome"] | {"cost_s": -reward}]


def evaluate_env(
    policy: Policy,
    env: SimEnv,
    seeds: list[int],
    decide: Callable[[Policy, TaskState], Decision] | None = None,
) -> EpisodeStats:
    """Run ``policy`` for one episode per seed of ``env``."""
    outcomes: list[dict[str, Any]] = []
    decisions = clouds = 0
    decide_time = 0.0
    for seed in seeds:
        _, info = env.reset(seed=seed)
        truncated = False
        while not truncated:
            if isinstance(policy, Oracle):
                known = info.get("true_cost_s")
                policy.true_cost_s = known or env.option_costs_s()  # type: ignore[attr-defined]
            state = env.task_state()
            started = time.perf_counter()
            decision = decide(policy, state) if decide else policy.decide(state)
            decide_time += time.perf_counter() - started
            _, reward, _, truncated, info = env.step(ROUTES.index(decision.route))
            learn = getattr(policy, "observe", None)
            if learn is not None:  # policies that learn online from their outcomes (ICL)
                learn(reward, info)
            outcomes += _outcomes(info, reward)
            decisions += 1
            clouds += decision.route is Route.CLOUD
    delays = [o["delay_s"] for o in outcomes]
    return EpisodeStats(
        policy=policy.name,
        mean_cost_s=float(np.mean([o["cost_s"] for o in outcomes])),
        mean_delay_s=float(np.mean(delays)),
        p95_delay_s=float(np.percentile(delays, 95)),
        violation_rate=sum(bool(o["violated"]) for o in outcomes) / len(outcomes),
        decision_time_s=decide_time / decisions,
        cloud_share=clouds / decisions,
    )
