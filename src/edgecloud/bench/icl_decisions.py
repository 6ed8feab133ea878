"""The ICL part of ``make bench-orchestrator``: decision time, agreement with greedy, fallbacks.

The decider runs in process against the real decision LLM, over states with varied load and radio
and a pool of experiences whose outcomes follow the delay model with 10% noise.
"""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import replace

import httpx
from prometheus_client import CollectorRegistry

from edgecloud.common.tasks import BackgroundTasks
from edgecloud.icl import Decider, DecisionClient, DecisionConfig, DecisionMetrics
from edgecloud.llm.catalog import SMOLLM2
from edgecloud.model import DEFAULT_QUALITY, Route, TaskType, reward
from edgecloud.policies import (
    Experience,
    ExperiencePool,
    Greedy,
    StateSummary,
    TaskState,
    TierState,
)
from edgecloud.policies.estimate import estimate_service_delay_s

from .load_generators import percentile


def task_states(rng: random.Random) -> list[TaskState]:
    states = []
    for task in TaskType:
        for _ in range(10):
            edge_load, cloud_load = rng.randint(0, 8), rng.randint(0, 8)
            states.append(
                TaskState(
                    task_type=task,
                    quality_required=DEFAULT_QUALITY.requirement[task],
                    expected_output_tokens=rng.choice([32, 64, 128, 256]),
                    prompt_tokens=20,
                    dl_rate_bps=10 ** rng.uniform(5.5, 8),
                    ul_rate_bps=1e7,
                    sinr_db=10.0,
                    backhaul_delay_s=0.04,
                    bytes_per_token=180.0,
                    edge=TierState(
                        0.04 * (1 + edge_load),
                        0.016 * (1 + edge_load / 4),
                        DEFAULT_QUALITY.of(Route.EDGE, task),
                        in_flight=edge_load,
                    ),
                    cloud=TierState(
                        0.06 * (1 + cloud_load / 2),
                        0.012 * (1 + cloud_load / 8),
                        DEFAULT_QUALITY.of(Route.CLOUD, task),
                        in_flight=cloud_load,
                    ),
                )
            )
    return states


def experiences(states: list[TaskState], rng: random.Random) -> list[Experience]:
    """Outcomes of both routes for each state, as the model says, with 10% noise."""
    pool = []
    for state in states:
        summary = StateSummary.of(state)
        for route in Route:
            delay = estimate_service_delay_s(state, route) * rng.uniform(0.9, 1.1)
            violated = state.tier(route).quality < state.quality_required
            pool.append(Experience(summary, route, reward(delay, violated), delay, violated))
    return pool


async def icl_configuration(
    decider: Decider, states: list[TaskState], name: str, registry: CollectorRegistry
) -> tuple[list[float], float, float]:
    """Decision times, agreement with greedy, and the fallback fraction over ``states``."""
    greedy = Greedy()
    times, agree = [], 0
    fallbacks_before = fallback_count(registry)
    for state in states:
        started = time.perf_counter()
        decision = await decider.decide(name, state)
        times.append(time.perf_counter() - started)
        agree += decision.route is greedy.decide(state).route
    fallbacks = fallback_count(registry) - fallbacks_before
    return times, agree / len(states), fallbacks / len(states)


def fallback_count(registry: CollectorRegistry) -> float:
    return sum(
        sample.value
        for metric in registry.collect()
        if metric.name == "edgecloud_policy_fallbacks"
        for sample in metric.samples
        if sample.name.endswith("_total")
    )


async def icl_bench(llm_url: str, states: list[TaskState]) -> dict[str, tuple[float, float, float]]:
    rng = random.Random(7)
    history = experiences(task_states(random.Random(11)), rng)
    results = {}
    base = DecisionConfig(epsilon=0.0, timeout_s=10.0)
    configurations: list[tuple[str, DecisionConfig, str]] = [
        ("choice", replace(base, answer="choice"), "icl-request"),
        ("score-raw", replace(base, answer="score", calibrate=False), "icl-request"),
        ("score-calibrated", replace(base, answer="score", calibrate=True), "icl-request"),
        ("cached", replace(base, answer="choice"), "icl-cached"),
    ]
    for label, config, policy in configurations:
        registry = CollectorRegistry()
        pool = ExperiencePool(1000)
        pool.extend(history)
        background = BackgroundTasks()
        async with httpx.AsyncClient(base_url=llm_url, timeout=10) as http:
            decider = Decider(
                config,
                random.Random(1),
                pool,
                DecisionClient(http, SMOLLM2.name),
                DecisionMetrics(registry),
                background,
            )
            if policy == "icl-cached":
                # Warm the cache, one discrete state at a time: all at once, the one-core engine
                # took longer than the decider's timeout for every call (fallback 100%).
                for state in states:
                    await decider.decide(policy, state)
                    await background.drain(timeout_s=30)
            times, agreement, fallback = await icl_configuration(decider, states, policy, registry)
        results[label] = (statistics.median(times) * 1e3, agreement, fallback)
        print(
            f"ICL {label:17} decision p50 {results[label][0]:8.2f} ms  p95 "
            f"{percentile(times, 95) * 1e3:8.2f} ms  agrees with greedy {agreement:5.1%}  "
            f"fallback {fallback:5.1%}"
        )
    return results
