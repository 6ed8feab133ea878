"""ICL in the simulator: the orchestrator's decider (``icl.Decider``), a live decision LLM, a pool.

The pool starts from the outcomes of a random policy on its own seed (the paper's initial
experience) and grows with every outcome ICL itself causes.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

import httpx
from prometheus_client import CollectorRegistry

from edgecloud.common.tasks import BackgroundTasks
from edgecloud.icl import Decider, DecisionClient, DecisionConfig, DecisionMetrics
from edgecloud.model.tasks import Route
from edgecloud.policies import (
    Decision,
    Experience,
    ExperiencePool,
    StateSummary,
    TaskState,
    create_policy,
)
from edgecloud.policies.observation import ROUTES

from .env import OffloadingEnv, SimConfig


def experience(
    summary: StateSummary, route: Route, reward: float, info: dict[str, Any]
) -> Experience:
    outcome = info["outcome"]
    return Experience(summary, route, reward, outcome["delay_s"], outcome["violated"])


def random_outcomes(config: SimConfig, seed: int, tasks: int = 100) -> list[Experience]:
    """The outcomes of random decisions on a seed of their own: a pool's initial experience."""
    env = OffloadingEnv(config)
    env.reset(seed=seed)
    policy = create_policy("random", random.Random(seed))
    outcomes = []
    for _ in range(tasks):
        state = env.task_state()
        route = policy.decide(state).route
        _, reward, _, truncated, info = env.step(ROUTES.index(route))
        outcomes.append(experience(StateSummary.of(state), route, reward, info))
        if truncated:
            env.reset(seed=seed + 1)
    return outcomes


class SimulatedIcl:
    """A synchronous ICL policy for ``evaluate``, backed by the real decider and LLM."""

    uses_pool = True

    def __init__(
        self,
        llm_url: str,
        model: str,
        mode: str = "icl-request",
        seed: int = 0,
        timeout_s: float = 10.0,
    ) -> None:
        self.name = "icl"
        self._mode = mode
        self._loop = asyncio.new_event_loop()
        self.registry = CollectorRegistry()
        self.pool = ExperiencePool(2000)  # filled by warm_up and observe: always fresh
        self._http = httpx.AsyncClient(base_url=llm_url, timeout=timeout_s)
        self._decider = Decider(
            DecisionConfig(timeout_s=timeout_s, epsilon=0.1),
            random.Random(seed),
            self.pool,
            DecisionClient(self._http, model),
            DecisionMetrics(self.registry),
            BackgroundTasks(),
        )
        self._last: tuple[StateSummary, Route] | None = None

    def warm_up(self, config: SimConfig, seed: int, tasks: int = 100) -> None:
        """Fill the pool with the outcomes of random decisions on a seed of its own."""
        self.pool.extend(random_outcomes(config, seed, tasks))

    def decide(self, state: TaskState) -> Decision:
        decision = self._loop.run_until_complete(self._decider.decide(self._mode, state))
        self._last = (StateSummary.of(state), decision.route)
        return decision

    def observe(self, reward: float, info: dict[str, Any]) -> None:
        """Called by ``evaluate`` after each step: the outcome joins the pool."""
        if self._last is not None:
            self.pool.add(experience(*self._last, reward, info))

    def fallback_fraction(self) -> float:
        total = decided = 0.0
        for metric in self.registry.collect():
            for sample in metric.samples:
                if sample.name == "edgecloud_policy_fallbacks_total":
                    total += sample.value
                if sample.name in (
                    "edgecloud_policy_fallbacks_total",
                    "edgecloud_icl_decisions_total",
                    "edgecloud_icl_explorations_total",
                ):
                    decided += sample.value
        return total / decided if decided else 0.0

    def close(self) -> None:
        self._loop.run_until_complete(self._http.aclose())
        self._loop.close()


class SimulatedKnn:
    """kNN with a pool of its own: warmed up like ICL's, then grown with its outcomes."""

    uses_pool = True
    name = "knn"

    def __init__(self) -> None:
        from edgecloud.policies import KNearest

        self._policy = KNearest()
        self._pool: list[Experience] = []
        self._last: tuple[StateSummary, Route] | None = None

    def warm_up(self, config: SimConfig, seed: int, tasks: int = 100) -> None:
        self._pool.extend(random_outcomes(config, seed, tasks))

    def decide(self, state: TaskState) -> Decision:
        from dataclasses import replace

        decision = self._policy.decide(replace(state, pool=tuple(self._pool[-2000:])))
        self._last = (StateSummary.of(state), decision.route)
        return decision

    def observe(self, reward: float, info: dict[str, Any]) -> None:
        if self._last is not None:
            self._pool.append(experience(*self._last, reward, info))
