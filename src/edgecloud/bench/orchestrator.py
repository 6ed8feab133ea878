"""``make bench-orchestrator``: what the orchestrator adds, and how long ICL takes to decide.

1. Overhead: 1, 16, 64 and 256 concurrent streams of 32 tokens (20 ms apart) from a local
   stand-in engine that takes almost no CPU (``fast_engine``; a GPU engine takes none of the
   orchestrator's), called directly and through the orchestrator (greedy policy, real Redis for the
   history). The overhead is the difference of the latency percentiles (request sent to last byte
   received), measured in ``--rounds`` rounds (direct and via alternating, so both see the same
   machine), of which the median round is reported; the orchestrator's and the engine's CPU share
   of a core during the via runs are printed beside it. Each round also measures a bare relay
   (``bare_relay``: aiohttp behind uvicorn, nothing else) in front of the same engine: its added
   latency, the floor, is what any Python relay pays on this machine, the orchestrator included.
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
from dataclasses import dataclass
from pathlib import Path

from pydantic import AnyHttpUrl

from edgecloud.common.settings_env import settings_environment
from edgecloud.orchestrator import OrchestratorSettings
from edgecloud.stack import Processes

from . import fast_engine
from .bare_relay import ENGINE_URL_VARIABLE
from .cpu import CpuMeter
from .icl_decisions import icl_bench, task_states
from .load_generators import latencies, percentile, wrk_percentiles

CONCURRENCY = (1, 16, 64, 256)
ENGINE_TPOT_S = 0.02  # the stand-in engine's pace, about the bundled SmolLM2 on this CPU
ENGINE = "fast-engine"


@dataclass(frozen=True)
class Targets:
    engine: str
    orchestrator: str
    bare_relay: str


def _start(procs: Processes) -> Targets:
    """The stand-in engine (``fast_engine``: it leaves the CPU to the orchestrator, as a GPU
    engine would), an orchestrator in front of it (real Redis) and a bare relay."""
    redis_url = procs.redis()
    engine = fast_engine.start(procs, ENGINE_TPOT_S, ENGINE)
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
    bare_relay = procs.app(
        "bare-relay",
        "edgecloud.bench.bare_relay:create_app_from_env",
        {ENGINE_URL_VARIABLE: engine},
    )
    return Targets(engine, orchestrator, bare_relay)


def _percentiles(
    url: str, c: int, args: argparse.Namespace, work: Path, use_wrk: bool, spread_ms: int
) -> dict[int, float]:
    if use_wrk:
        return wrk_percentiles(url, c, args.seconds, args.tokens, work, spread_ms)
    measured = asyncio.run(latencies(url, c, args.requests, args.tokens))
    return {q: percentile(measured, q) for q in (50, 99)}


@dataclass(frozen=True)
class Round:
    """One round at one level: latency percentiles (s) and the orchestrator's and engine's CPU."""

    direct: dict[int, float]
    via: dict[int, float]
    bare: dict[int, float]
    cpu_pct: tuple[float, float]

    def added_ms(self, q: int) -> float:
        return (self.via[q] - self.direct[q]) * 1e3

    def floor_ms(self, q: int) -> float:
        return (self.bare[q] - self.direct[q]) * 1e3


@dataclass(frozen=True)
class Level:
    """A level's reported numbers (ms): the median round of the orchestrator (by added p99),
    and the floor's own median over the rounds."""

    added_p50_ms: float
    added_p99_ms: float
    floor_p50_ms: float
    floor_p99_ms: float


def _round(
    procs: Processes,
    targets: Targets,
    meters: tuple[CpuMeter, CpuMeter],
    c: int,
    args: argparse.Namespace,
    use_wrk: bool,
) -> Round:
    """Direct, bare and via at ``c`` streams; ``meters`` (orchestrator, engine) over the via run."""
    work, spread_ms = procs.log_dir, round(args.tokens * ENGINE_TPOT_S * 1e3)
    direct = _percentiles(targets.engine, c, args, work, use_wrk, spread_ms)
    bare = _percentiles(targets.bare_relay, c, args, work, use_wrk, spread_ms)
    for meter in meters:
        meter.start()
    via = _percentiles(targets.orchestrator, c, args, work, use_wrk, spread_ms)
    cpu_pct = (meters[0].percent(), meters[1].percent())
    return Round(direct, via, bare, cpu_pct)


HEADER = (
    f"{'streams':>7} {'direct p50':>10} {'via p50':>8} {'direct p99':>10} {'via p99':>8} "
    f"{'added p50':>9} {'added p99':>9} {'floor p50':>9} {'floor p99':>9} {'orch CPU %':>10}"
    f" {'engine CPU %':>12}"
)


def _overhead(procs: Processes, targets: Targets, args: argparse.Namespace) -> dict[int, Level]:
    """Each level's added and floor latency (ms), as a table."""
    use_wrk = shutil.which("wrk") is not None
    print(
        "load generator:",
        "wrk (C)"
        if use_wrk
        else "httpx in this process (`make bench-tools` installs Debian's wrk, a load generator "
        "that leaves the CPU to the servers)",
    )
    print("in ms; added = via the orchestrator - direct; floor = via a bare relay - direct")
    print(HEADER)
    meters = (CpuMeter(procs, "orchestrator"), CpuMeter(procs, ENGINE))
    levels = {}
    for c in CONCURRENCY:
        rounds = sorted(
            (_round(procs, targets, meters, c, args, use_wrk) for _ in range(args.rounds)),
            key=lambda r: r.added_ms(99),
        )
        r = rounds[len(rounds) // 2]
        floors = {q: sorted(x.floor_ms(q) for x in rounds)[len(rounds) // 2] for q in (50, 99)}
        levels[c] = Level(r.added_ms(50), r.added_ms(99), floors[50], floors[99])
        print(
            f"{c:>7} {r.direct[50] * 1e3:>10.1f} {r.via[50] * 1e3:>8.1f}"
            f" {r.direct[99] * 1e3:>10.1f} {r.via[99] * 1e3:>8.1f}"
            f" {r.added_ms(50):>9.2f} {r.added_ms(99):>9.2f}"
            f" {floors[50]:>9.2f} {floors[99]:>9.2f} {r.cpu_pct[0]:>10.0f} {r.cpu_pct[1]:>12.0f}"
            f"   (added p99 of the rounds: {', '.join(f'{x.added_ms(99):.1f}' for x in rounds)};"
            f" floor p99: {', '.join(f'{x.floor_ms(99):.1f}' for x in rounds)})"
        )
    if use_wrk:
        _synchronized_start(procs, targets, args)
    return levels


def _synchronized_start(procs: Processes, targets: Targets, args: argparse.Namespace) -> None:
    c, work = max(CONCURRENCY), procs.log_dir
    d = wrk_percentiles(targets.engine, c, args.seconds, args.tokens, work, 0)
    v = wrk_percentiles(targets.orchestrator, c, args.seconds, args.tokens, work, 0)
    print(
        f"{c} streams started together (bursts): added p50 {(v[50] - d[50]) * 1e3:.2f} ms,"
        f" p99 {(v[99] - d[99]) * 1e3:.2f} ms (direct p99 {d[99] * 1e3:.1f} ms,"
        f" via {v[99] * 1e3:.1f} ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=4, help="requests per stream and level")
    parser.add_argument("--tokens", type=int, default=32)
    parser.add_argument("--skip-icl", action="store_true", help="only the overhead part")
    parser.add_argument("--seconds", type=int, default=10, help="per level, with wrk")
    parser.add_argument("--rounds", type=int, default=3, help="direct and via, alternating")
    args = parser.parse_args()
    with Processes(Path(".work/bench/orchestrator")) as procs:
        targets = _start(procs)
        for url in (targets.orchestrator, targets.bare_relay):
            asyncio.run(latencies(url, 4, 2, args.tokens))  # warm-up
        levels = _overhead(procs, targets, args)
        if args.skip_icl:
            return
        llm_url = procs.bundled_llm()
        icl = asyncio.run(icl_bench(llm_url, task_states(random.Random(3))))

    at_64, at_256 = levels[64], levels[256]
    print(
        f"RESULT orchestrator overhead_p50_ms={at_64.added_p50_ms:.2f} "
        f"overhead_p99_ms={at_64.added_p99_ms:.2f} "
        f"overhead_p50_ms_256={at_256.added_p50_ms:.2f} "
        f"overhead_p99_ms_256={at_256.added_p99_ms:.2f} "
        f"floor_p50_ms_256={at_256.floor_p50_ms:.2f} floor_p99_ms_256={at_256.floor_p99_ms:.2f} "
        f"icl_request_p50_ms={icl['choice'][0]:.1f} icl_cached_p50_ms={icl['cached'][0]:.3f}"
    )


if __name__ == "__main__":
    main()
