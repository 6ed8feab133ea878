"""ICL measured as a decision maker: its choices against the calibrated simulator's oracle.

States come from a run of the scenario's calibrated simulator under the random policy (both tiers
loaded the way a mix of choices loads them). At every ``stride``-th request the simulator labels
the state with the oracle's choice (``CalibratedEnv.option_costs_s``: each tier's true cost with
what is in flight), and remembers the experience pool as it stood then (the outcomes finished
before it). Each decision-LLM configuration then decides every labelled state through the
orchestrator's own decider (``icl.Decider``, per-request mode, no exploration) with that pool:
agreement with the oracle, cloud share, fallback rate and decision time per configuration.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import httpx
from prometheus_client import CollectorRegistry

from edgecloud.common.tasks import BackgroundTasks
from edgecloud.icl import ICL, Decider, DecisionClient, DecisionConfig, DecisionMetrics
from edgecloud.icl.config import IclAnswer
from edgecloud.model.tasks import Route
from edgecloud.policies import Experience, ExperiencePool, StateSummary, TaskState, create_policy
from edgecloud.policies.observation import ROUTES

from .calibrated import CalibratedConfig, CalibratedEnv


@dataclass(frozen=True, slots=True)
class LabelledState:
    state: TaskState
    oracle: Route
    costs_s: dict[Route, float]
    pool: tuple[Experience, ...]  # what had finished before this decision


@dataclass(frozen=True, slots=True)
class LlmConfig:
    """One way of asking one decision LLM."""

    label: str
    url: str
    model: str
    answer: IclAnswer = "choice"
    calibrate: bool = True


@dataclass(frozen=True, slots=True)
class IclScore:
    label: str
    agreement: float  # share of states where ICL chose the oracle's tier
    cloud_share: float
    fallback_rate: float
    decision_s: float  # mean wall time of a decision
    oracle_cloud_share: float


def draw_states(
    config: CalibratedConfig, n_states: int, seeds: Sequence[int], stride: int = 3
) -> list[LabelledState]:
    """Up to ``n_states`` labelled states, every ``stride``-th request of each seed's schedule."""
    env = CalibratedEnv(config)
    policy = create_policy("random", random.Random(0))
    states: list[LabelledState] = []
    for seed in seeds:
        env.reset(seed=seed)
        decided: dict[int, tuple[StateSummary, Route]] = {}
        pool: list[Experience] = []
        truncated, step = False, 0
        while not truncated and len(states) < n_states:
            state = env.task_state()
            if step % stride == 0:
                costs = env.option_costs_s()
                oracle = min(ROUTES, key=lambda r: costs[r])
                states.append(LabelledState(state, oracle, costs, tuple(pool)))
            route = policy.decide(state).route
            decided[step] = (StateSummary.of(state), route)
            _, _, _, truncated, info = env.step(ROUTES.index(route))
            for outcome in info["completed"]:
                summary, chosen = decided.pop(int(outcome["index"]))
                cost = float(outcome["cost_s"])
                pool.append(
                    Experience(summary, chosen, -cost, outcome["delay_s"], outcome["violated"])
                )
            step += 1
        if len(states) >= n_states:
            break
    return states


async def _score(
    llm: LlmConfig,
    states: Sequence[LabelledState],
    timeout_s: float,
    on_state: Callable[[], None],
    transport: httpx.AsyncBaseTransport | None,
) -> IclScore:
    pool = ExperiencePool(2000)
    registry = CollectorRegistry()
    config = replace(
        DecisionConfig(), answer=llm.answer, calibrate=llm.calibrate, epsilon=0.0,
        timeout_s=timeout_s,
    )  # fmt: skip
    agree = clouds = fallbacks = 0
    spent_s = 0.0
    async with httpx.AsyncClient(base_url=llm.url, timeout=timeout_s, transport=transport) as http:
        decider = Decider(
            config, random.Random(0), pool, DecisionClient(http, llm.model),
            DecisionMetrics(registry), BackgroundTasks(),
        )  # fmt: skip
        for labelled in states:
            pool.replace(labelled.pool)
            started = time.perf_counter()
            decision = await decider.decide(ICL, labelled.state)
            spent_s += time.perf_counter() - started
            agree += decision.route is labelled.oracle
            clouds += decision.route is Route.CLOUD
            fallbacks += decision.note.startswith("fallback")
            on_state()
    n = len(states)
    return IclScore(
        llm.label, agree / n, clouds / n, fallbacks / n, spent_s / n,
        sum(s.oracle is Route.CLOUD for s in states) / n,
    )  # fmt: skip


def score(
    llm: LlmConfig,
    states: Sequence[LabelledState],
    timeout_s: float = 10.0,
    on_state: Callable[[], None] = lambda: None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> IclScore:
    """``transport`` replaces the network (unit tests)."""
    if not states:
        raise ValueError("no states to decide")
    return asyncio.run(_score(llm, states, timeout_s, on_state, transport))


def result_line(scores: Sequence[IclScore]) -> str:
    return "RESULT icl " + " ".join(f"{s.label}={s.agreement:.3f}" for s in scores)
