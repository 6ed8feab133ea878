"""``edgecloud experiment live``: every policy on the live testbed, on identical schedules.

For each seed the scenario becomes one schedule (``sim.schedule``). A warm-up runs once with the
scenario's warm-up policy; its history records are the experience pool every policy then starts
from. Before each policy the UEs are placed afresh and the orchestrator reset with that pool; then
the schedule is replayed open-loop through the radio emulator and every request is joined with its
history record. Writes ``requests.csv`` (one row per request and policy), ``results.csv`` (one row
per policy, the simulator's columns and goodput) and the experiment figures.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from tqdm import tqdm

from edgecloud.load.prompts import PromptSet
from edgecloud.sim.experiments import plot
from edgecloud.sim.scenario import ArrivalKind, Scenario
from edgecloud.sim.schedule import Schedule, ScheduledRequest, build_schedule
from edgecloud.sim.trace import read_trace

from .outcomes import SUMMARY_FIELDS, Outcome, join, summarise, write_csv, write_outcomes
from .replay import Sent, client_for, replay
from .testbed import StackAccess, Testbed

# How long after the last answer the history joins may take (the orchestrator's join timeout is
# 10 s by default; a record without its report still arrives then).
RECORDS_WAIT_S = 20.0


@dataclass(frozen=True, slots=True)
class LiveRun:
    scenario: Scenario
    policies: Sequence[str]
    seeds: Sequence[int]
    access: StackAccess
    out_dir: Path
    prompts: PromptSet


def schedule_for(scenario: Scenario, seed: int, prompts: PromptSet) -> Schedule:
    trace = None
    if scenario.arrivals.kind is ArrivalKind.TRACE and scenario.arrivals.trace:
        trace = read_trace(scenario.path(scenario.arrivals.trace))
    return build_schedule(scenario, seed, prompts, trace)


def _max_streams(requests: Sequence[ScheduledRequest]) -> int:
    return max(16, min(4096, len(requests)))


async def _send(
    http: httpx.AsyncClient,
    testbed: Testbed,
    requests: Sequence[ScheduledRequest],
    policy: str,
    tag: str,
    on_done: Callable[[Sent], None] | None,
) -> tuple[list[Sent], dict[str, list[dict[str, Any]]]]:
    since = time.time()
    sent = await replay(http, requests, policy, tag, on_done)
    ids = {s.request_id for s in sent if s.request_id and s.status_code == 200}
    return sent, await testbed.records(ids, since, RECORDS_WAIT_S)


async def run_seed(
    run: LiveRun, seed: int, testbed: Testbed, bar: tqdm[Any]
) -> tuple[list[Outcome], dict[str, int]]:
    """Every policy on this seed's schedule; also how big the warm-up pool was."""
    scenario = run.scenario
    schedule = schedule_for(scenario, seed, run.prompts)
    async with client_for(run.access.radio_url, _max_streams(schedule.requests)) as http:
        pool: list[dict[str, Any]] = []
        if schedule.warmup:
            await testbed.place(schedule.ues, scenario)
            await testbed.reset([])
            bar.set_postfix_str(f"seed {seed} warm-up ({scenario.warmup.policy})")
            _, found = await _send(
                http, testbed, schedule.warmup, scenario.warmup.policy, f"warmup-{seed}", None
            )
            pool = [records[0] for records in found.values()]
        outcomes: list[Outcome] = []
        pool_sizes: dict[str, int] = {}

        def advance(_: Sent) -> None:
            bar.update(1)

        for policy in run.policies:
            await testbed.place(schedule.ues, scenario)
            pool_sizes[policy] = await testbed.reset(pool)
            bar.set_postfix_str(f"seed {seed} {policy}")
            sent, found = await _send(
                http, testbed, schedule.requests, policy, f"{policy}-{seed}", advance
            )
            outcomes += join(schedule, policy, sent, found, scenario.slo)
    return outcomes, pool_sizes


async def run_live(
    run: LiveRun, progress: Callable[[str], None] = print
) -> list[dict[str, object]]:
    scenario = run.scenario
    async with httpx.AsyncClient(timeout=30.0) as admin:
        testbed = Testbed(run.access, admin)
        await testbed.check(scenario, [*run.policies, scenario.warmup.policy])
        counts = [len(schedule_for(scenario, s, run.prompts).requests) for s in run.seeds]
        outcomes: list[Outcome] = []
        with tqdm(total=sum(counts) * len(run.policies), unit="req", desc=scenario.name) as bar:
            for seed in run.seeds:
                seed_outcomes, pools = await run_seed(run, seed, testbed, bar)
                outcomes += seed_outcomes
                progress(f"seed {seed}: warm-up pool {max(pools.values(), default=0)} records")
    rows = [summarise(outcomes, p, scenario.name, scenario.duration_s) for p in run.policies]
    write_outcomes(run.out_dir / "requests.csv", outcomes)
    write_csv(run.out_dir / "results.csv", rows, SUMMARY_FIELDS)
    plot(rows, run.out_dir)
    for row in rows:
        progress(
            f"{row['policy']:11} cost {row['mean_cost_s']:.3f} s  p95 {row['p95_delay_s']:.3f} s  "
            f"viol {row['violation_rate']:.1%}  cloud {row['cloud_share']:.0%}  "
            f"goodput {row['goodput_rps']:.3f}/s  failed {row['failed']}/{row['requests']}"
        )
    return rows


def run_live_sync(run: LiveRun, progress: Callable[[str], None] = print) -> list[dict[str, object]]:
    return asyncio.run(run_live(run, progress))
