"""``make bench-orchestrator``: what the orchestrator adds, and how long ICL takes to decide.

1. Overhead: 1, 16 and 64 concurrent streams of 32 tokens (20 ms apart) from a fast local engine,
   called directly and through the orchestrator (greedy policy, real Redis for the history). The
   overhead is the difference of the latency percentiles (request sent to last byte received).
   The load comes from wrk when installed (Debian's package), else from httpx in this process,
   which on 2 cores competes with the servers for the CPU. With wrk, each stream's first request
   waits a random time within one response time, so the streams run out of step as users do;
   a synchronized start (every stream at t=0, and so in bursts of 64 for a while) is measured
   once more at the highest level and printed, but it is the burst, not the steady state.
2. ICL decision time with the real decision LLM (the bundled SmolLM2 on vLLM's CPU build): the
   decider runs in process over 40 states (ten per task type, varied load and radio) with a pool of
   experiences, per request (constrained choice; and log-probability scores, raw and calibrated) and
   cached. For each configuration: how often its answer agrees with greedy on the same state, and
   how often it had to fall back.
The last line is the RESULT line.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import shutil
import statistics
import subprocess
import time
from dataclasses import replace
from pathlib import Path

import httpx
from prometheus_client import CollectorRegistry
from pydantic import AnyHttpUrl

from edgecloud.common.settings_env import settings_environment
from edgecloud.common.tasks import BackgroundTasks
from edgecloud.icl import Decider, DecisionClient, DecisionConfig, DecisionMetrics
from edgecloud.llm.catalog import SMOLLM2
from edgecloud.model import DEFAULT_QUALITY, Route, TaskType, reward
from edgecloud.orchestrator import OrchestratorSettings
from edgecloud.policies import (
    Experience,
    ExperiencePool,
    Greedy,
    StateSummary,
    TaskState,
    TierState,
)
from edgecloud.policies.estimate import estimate_service_delay_s
from edgecloud.stack import Processes

CONCURRENCY = (1, 16, 64)
FAKE_TPOT_S = 0.02  # the fake engine's default pace


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def latencies(url: str, concurrency: int, requests_each: int, tokens: int) -> list[float]:
    body = {
        "model": "auto",
        "messages": [{"role": "user", "content": "hi"}],
        "stream": True,
        "max_tokens": tokens,
    }
    headers = {"X-Policy": "greedy", "X-UE-Id": "bench"}
    out: list[float] = []
    limits = httpx.Limits(max_connections=concurrency + 4)

    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:

        async def worker() -> None:
            for _ in range(requests_each):
                started = time.perf_counter()
                async with client.stream(
                    "POST", "/v1/chat/completions", json=body, headers=headers
                ) as reply:
                    async for _ in reply.aiter_raw():
                        pass
                    assert reply.status_code == 200
                out.append(time.perf_counter() - started)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return out


WRK_SCRIPT = """wrk.method = "POST"
wrk.body = '{"model": "auto", "stream": true, "max_tokens": %d, '
    .. '"messages": [{"role": "user", "content": "hi"}]}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Policy"] = "greedy"
wrk.headers["X-UE-Id"] = "bench"
-- Spread the first request of each connection over one response time (0 for a synchronized start).
local first_requests = 0
function delay()
  if first_requests < %d then
    first_requests = first_requests + 1
    return math.random(0, %d)
  end
  return 0
end
"""
_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


def wrk_percentiles(
    url: str, concurrency: int, seconds: int, tokens: int, work: Path, spread_ms: int
) -> dict[int, float]:
    """p50 and p99 latency from wrk (C, one thread): the load generator takes little CPU."""
    script = work / "bench.lua"
    script.write_text(WRK_SCRIPT % (tokens, concurrency, spread_ms))
    result = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{concurrency}",
            f"-d{seconds}s",
            "--latency",
            "--timeout",
            "30s",
            "-s",
            str(script),
            f"{url}/v1/chat/completions",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    found = {}
    for match in re.finditer(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s|m)\s*$", result.stdout, re.M):
        found[int(match[1])] = float(match[2]) * _UNITS[match[3]]
    if set(found) != {50, 99}:
        raise RuntimeError(f"unexpected wrk output:\n{result.stdout}")
    return found


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
                for state in states:  # warm the cache: one LLM call per discrete state
                    await decider.decide(policy, state)
                await background.drain(timeout_s=120)
            times, agreement, fallback = await icl_configuration(decider, states, policy, registry)
        results[label] = (statistics.median(times) * 1e3, agreement, fallback)
        print(
            f"ICL {label:17} decision p50 {results[label][0]:8.2f} ms  p95 "
            f"{percentile(times, 95) * 1e3:8.2f} ms  agrees with greedy {agreement:5.1%}  "
            f"fallback {fallback:5.1%}"
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=4, help="requests per stream and level")
    parser.add_argument("--tokens", type=int, default=32)
    parser.add_argument("--skip-icl", action="store_true", help="only the overhead part")
    parser.add_argument("--seconds", type=int, default=10, help="per level, with wrk")
    args = parser.parse_args()
    with Processes(Path(".work/bench/orchestrator")) as procs:
        redis_url = procs.redis()
        engine = procs.app(
            "fake-engine",
            "edgecloud.bench.fake_engine:create_app",
            {"EDGECLOUD_FAKE_TPOT_S": str(FAKE_TPOT_S)},
            health="/health",
        )
        orchestrator = procs.app(
            "orchestrator",
            "edgecloud.orchestrator:create_app_from_env",
            settings_environment(
                OrchestratorSettings(
                    redis_url=redis_url,
                    edge_url=AnyHttpUrl(engine),
                    cloud_url=AnyHttpUrl(engine),
                    edge_max_in_flight=256,
                    cloud_max_in_flight=256,
                )
            ),
        )
        asyncio.run(latencies(orchestrator, 4, 2, args.tokens))  # warm-up
        use_wrk = shutil.which("wrk") is not None
        print(
            "load generator:",
            "wrk (C)"
            if use_wrk
            else "httpx in this process (install "
            "Debian's wrk for a load generator that leaves the CPU to the servers)",
        )
        overhead = {}
        print(
            f"{'streams':>7} {'direct p50 ms':>14} {'via p50 ms':>11} {'direct p99 ms':>14} "
            f"{'via p99 ms':>11} {'added p50 ms':>13} {'added p99 ms':>13}"
        )
        spread_ms = round(args.tokens * FAKE_TPOT_S * 1e3)
        for c in CONCURRENCY:
            if use_wrk:
                d = wrk_percentiles(engine, c, args.seconds, args.tokens, procs.log_dir, spread_ms)
                v = wrk_percentiles(
                    orchestrator, c, args.seconds, args.tokens, procs.log_dir, spread_ms
                )
            else:
                direct = asyncio.run(latencies(engine, c, args.requests, args.tokens))
                via = asyncio.run(latencies(orchestrator, c, args.requests, args.tokens))
                d = {q: percentile(direct, q) for q in (50, 99)}
                v = {q: percentile(via, q) for q in (50, 99)}
            p50, p99 = (v[50] - d[50]) * 1e3, (v[99] - d[99]) * 1e3
            overhead[c] = (p50, p99)
            print(
                f"{c:>7} {d[50] * 1e3:>14.1f} {v[50] * 1e3:>11.1f} {d[99] * 1e3:>14.1f} "
                f"{v[99] * 1e3:>11.1f} {p50:>13.2f} {p99:>13.2f}"
            )

        if use_wrk:
            c = max(CONCURRENCY)
            d = wrk_percentiles(engine, c, args.seconds, args.tokens, procs.log_dir, 0)
            v = wrk_percentiles(orchestrator, c, args.seconds, args.tokens, procs.log_dir, 0)
            print(
                f"{c} streams started together (bursts): added p50 {(v[50] - d[50]) * 1e3:.2f} ms,"
                f" p99 {(v[99] - d[99]) * 1e3:.2f} ms (direct p99 {d[99] * 1e3:.1f} ms,"
                f" via {v[99] * 1e3:.1f} ms)"
            )
        if args.skip_icl:
            return
        llm_url = procs.decision_llm()
        icl = asyncio.run(icl_bench(llm_url, task_states(random.Random(3))))

    p50, p99 = overhead[max(CONCURRENCY)]
    print(
        f"RESULT orchestrator overhead_p50_ms={p50:.2f} overhead_p99_ms={p99:.2f} "
        f"icl_request_p50_ms={icl['choice'][0]:.1f} icl_cached_p50_ms={icl['cached'][0]:.3f}"
    )


if __name__ == "__main__":
    main()
