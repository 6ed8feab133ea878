"""``make bench-orchestrator``: what the orchestrator adds, and how long ICL takes to decide.

1. Overhead: 1, 16, 64 and 256 concurrent streams of 32 tokens (20 ms apart) from a local
   stand-in engine that takes almost no CPU (``fast_engine``; a GPU engine takes none of the
   orchestrator's), called directly and through the orchestrator (greedy policy, real Redis for the
   history). The overhead is the difference of the latency percentiles (request sent to last byte
   received), measured in ``--rounds`` rounds (direct and via alternating, so both see the same
   machine), of which the median round is reported; the orchestrator's and the engine's CPU share
   of a core during the via runs are printed beside it.
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
import shutil
import sys
from pathlib import Path

from pydantic import AnyHttpUrl

from edgecloud.common.settings_env import settings_environment
from edgecloud.orchestrator import OrchestratorSettings
from edgecloud.stack import Processes, free_port

from .cpu import CpuMeter
from .icl_decisions import icl_bench, task_states
from .load_generators import latencies, percentile, wrk_percentiles

CONCURRENCY = (1, 16, 64, 256)
ENGINE_TPOT_S = 0.02  # the stand-in engine's pace, about the bundled SmolLM2 on this CPU
ENGINE = "fast-engine"


def _start(procs: Processes) -> tuple[str, str]:
    """The stand-in engine (``fast_engine``: it leaves the CPU to the orchestrator, as a GPU
    engine would) and an orchestrator in front of it (real Redis); their URLs."""
    redis_url = procs.redis()
    port = free_port()
    fast_engine = [sys.executable, "-m", "edgecloud.bench.fast_engine", "--port", str(port)]
    procs.http(ENGINE, [*fast_engine, "--tpot-s", str(ENGINE_TPOT_S)], port, {}, health="/health")
    engine = f"http://127.0.0.1:{port}"
    settings = OrchestratorSettings(
        redis_url=redis_url,
        edge_url=AnyHttpUrl(engine),
        cloud_url=AnyHttpUrl(engine),
        edge_max_in_flight=256,
        cloud_max_in_flight=256,
    )
    orchestrator = procs.app(
        "orchestrator",
        "edgecloud.orchestrator:create_app_from_env",
        settings_environment(settings),
    )
    return engine, orchestrator


def _percentiles(
    url: str, c: int, args: argparse.Namespace, work: Path, use_wrk: bool, spread_ms: int
) -> dict[int, float]:
    if use_wrk:
        return wrk_percentiles(url, c, args.seconds, args.tokens, work, spread_ms)
    measured = asyncio.run(latencies(url, c, args.requests, args.tokens))
    return {q: percentile(measured, q) for q in (50, 99)}


def _overhead(
    procs: Processes, engine: str, orchestrator: str, args: argparse.Namespace
) -> dict[int, tuple[float, float]]:
    """Added p50 and p99 (ms) per concurrency level, the median of the rounds, as a table."""
    use_wrk = shutil.which("wrk") is not None
    print(
        "load generator:",
        "wrk (C)"
        if use_wrk
        else "httpx in this process (`make bench-tools` installs Debian's wrk, a load generator "
        "that leaves the CPU to the servers)",
    )
    print(
        f"{'streams':>7} {'direct p50 ms':>14} {'via p50 ms':>11} {'direct p99 ms':>14} "
        f"{'via p99 ms':>11} {'added p50 ms':>13} {'added p99 ms':>13} {'orch CPU %':>11}"
        f" {'engine CPU %':>13}"
    )
    work = procs.log_dir
    spread_ms = round(args.tokens * ENGINE_TPOT_S * 1e3)
    meter = CpuMeter(procs, "orchestrator")
    engine_meter = CpuMeter(procs, ENGINE)
    overhead = {}
    for c in CONCURRENCY:
        rounds = []
        for _ in range(args.rounds):
            d = _percentiles(engine, c, args, work, use_wrk, spread_ms)
            meter.start()
            engine_meter.start()
            v = _percentiles(orchestrator, c, args, work, use_wrk, spread_ms)
            cpu = (meter.percent(), engine_meter.percent())
            rounds.append((v[50] - d[50], v[99] - d[99], d, v, cpu))
        p50_s, p99_s, d, v, cpu = sorted(rounds, key=lambda r: r[1])[len(rounds) // 2]
        overhead[c] = (p50_s * 1e3, p99_s * 1e3)
        spread = ", ".join(f"{r[1] * 1e3:.1f}" for r in rounds)
        print(
            f"{c:>7} {d[50] * 1e3:>14.1f} {v[50] * 1e3:>11.1f} {d[99] * 1e3:>14.1f} "
            f"{v[99] * 1e3:>11.1f} {p50_s * 1e3:>13.2f} {p99_s * 1e3:>13.2f} {cpu[0]:>11.0f}"
            f" {cpu[1]:>13.0f}"
            f"   (added p99 of the rounds: {spread})"
        )
    if use_wrk:
        c = max(CONCURRENCY)
        d = wrk_percentiles(engine, c, args.seconds, args.tokens, work, 0)
        v = wrk_percentiles(orchestrator, c, args.seconds, args.tokens, work, 0)
        print(
            f"{c} streams started together (bursts): added p50 {(v[50] - d[50]) * 1e3:.2f} ms,"
            f" p99 {(v[99] - d[99]) * 1e3:.2f} ms (direct p99 {d[99] * 1e3:.1f} ms,"
            f" via {v[99] * 1e3:.1f} ms)"
        )
    return overhead


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=4, help="requests per stream and level")
    parser.add_argument("--tokens", type=int, default=32)
    parser.add_argument("--skip-icl", action="store_true", help="only the overhead part")
    parser.add_argument("--seconds", type=int, default=10, help="per level, with wrk")
    parser.add_argument("--rounds", type=int, default=3, help="direct and via, alternating")
    args = parser.parse_args()
    with Processes(Path(".work/bench/orchestrator")) as procs:
        engine, orchestrator = _start(procs)
        asyncio.run(latencies(orchestrator, 4, 2, args.tokens))  # warm-up
        overhead = _overhead(procs, engine, orchestrator, args)
        if args.skip_icl:
            return
        llm_url = procs.bundled_llm()
        icl = asyncio.run(icl_bench(llm_url, task_states(random.Random(3))))

    p50, p99 = overhead[64]
    p50_256, p99_256 = overhead[256]
    print(
        f"RESULT orchestrator overhead_p50_ms={p50:.2f} overhead_p99_ms={p99:.2f} "
        f"overhead_p50_ms_256={p50_256:.2f} overhead_p99_ms_256={p99_256:.2f} "
        f"icl_request_p50_ms={icl['choice'][0]:.1f} icl_cached_p50_ms={icl['cached'][0]:.3f}"
    )


if __name__ == "__main__":
    main()
