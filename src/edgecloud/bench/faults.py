"""``make bench-faults``: the testbed under a fault campaign, counted (about 5 minutes).

A stack of its own (emulated engines, two orchestrator replicas, its own ports and Redis) carries
the ``paper`` scenario's open-loop request schedule (the live runner's replayer: exact arrival
times, 30 UEs placed by the admin API) for ``--load-s`` seconds while a campaign, through the local
fault backend, kills the edge engine, stops Redis for 60 s, kills one orchestrator replica and
finally restarts the radio emulator. Then: requests sent, answered, failed (streams running when
their process died, refused while the radio emulator was down, all others), history records of the
answered requests present after recovery, the radio's admin state before and after its restart,
and the time each service took to serve again. The last line is the RESULT line.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from edgecloud.faults import Action, Campaign, Event, Step, run_campaign
from edgecloud.faults.local import LocalBackend
from edgecloud.load.outcomes import write_csv
from edgecloud.load.prompts import PromptSet
from edgecloud.load.replay import client_for, replay
from edgecloud.load.testbed import StackAccess, Testbed
from edgecloud.sim.scenario import load_scenario
from edgecloud.sim.schedule import build_schedule
from edgecloud.stack import StackSettings, Supervisor, ensure_secrets, stack_services, wait_ready
from edgecloud.stack.readiness import is_ready
from edgecloud.stack.services import ServiceSpec

from .fault_outcomes import RADIO, Sample, Window, classify, outcome


def campaign(load_s: float) -> Campaign:
    """The issue's campaign, spread over the load."""
    f = load_s / 170
    return Campaign(
        fault=[
            Step(at_s=20 * f, action=Action.KILL, service="edge-llm"),
            Step(at_s=45 * f, action=Action.STOP, service="redis", duration_s=60),
            Step(at_s=125 * f, action=Action.KILL, service="orchestrator-2"),
            Step(at_s=150 * f, action=Action.STOP, service=RADIO, duration_s=2),
        ]
    )


def bench_settings() -> StackSettings:
    return ensure_secrets(
        StackSettings(
            engine="emulated",
            orchestrators=2,
            state_dir_name="bench-faults",
            radio_port=8300,
            orchestrator_port=8301,
            edge_port=8302,
            cloud_port=8303,
            redis_port=8304,
            with_prometheus=False,
            decision_llm=False,
        )
    )


class FaultLog:
    """The campaign's events and, for each, when the service served again."""

    def __init__(self, specs: dict[str, ServiceSpec], host: str, start: float) -> None:
        self._specs, self._host, self._start = specs, host, start  # start: on time.monotonic
        self.windows: list[Window] = []
        self.recovery_s: dict[str, float] = {}  # kill or start to serving again
        self.down_s: dict[str, float] = {}  # fault to serving again
        self._faulted_at: dict[str, tuple[Action, float, float]] = {}
        self._probes: list[threading.Thread] = []

    def on_event(self, event: Event, begun_s: float, done_s: float) -> None:
        print(f"  t={begun_s:6.1f} s  {event.action} {event.service}", flush=True)
        if event.action in (Action.KILL, Action.STOP):
            self._faulted_at[event.service] = (event.action, begun_s, done_s)
        if event.action in (Action.KILL, Action.START):
            probe = threading.Thread(target=self._probe, args=(event, begun_s), daemon=True)
            probe.start()
            self._probes.append(probe)

    def _probe(self, event: Event, begun_s: float) -> None:
        """Serving again: after a kill, from the kill; after a stop, from the start."""
        spec = self._specs[event.service]
        while not is_ready(spec, self._host):
            time.sleep(0.1)
        back_s = time.monotonic() - self._start
        action, fault_s, applied_s = self._faulted_at[event.service]
        self.recovery_s[event.service] = back_s - begun_s
        self.down_s[event.service] = back_s - fault_s
        self.windows.append(Window(event.service, action, fault_s, applied_s, back_s))

    def join(self) -> None:
        for probe in self._probes:
            probe.join(timeout=180)


async def _admin_view(http: httpx.AsyncClient, access: StackAccess, ues: list[str]) -> list[Any]:
    views = []
    for ue in ues:
        reply = await http.get(f"{access.radio_url}/ues/{ue}", headers=access.headers())
        view = reply.json()
        views.append({k: view.get(k) for k in ("ue_id", "cell_id", "x_m", "y_m", "mobility")})
    return views


async def run(settings: StackSettings, load_s: float, seed: int) -> int:
    specs = {spec.name: spec for spec in stack_services(settings)}
    scenario = load_scenario("paper").model_copy(update={"duration_s": load_s})
    prompts = PromptSet.load(scenario.path(scenario.prompts))
    schedule = build_schedule(scenario, seed, prompts)
    token = settings.admin_token.get_secret_value() if settings.admin_token else ""
    access = StackAccess(
        f"http://{settings.host}:{settings.radio_port}",
        f"http://{settings.host}:{settings.orchestrator_port}",
        token,
    )
    async with httpx.AsyncClient(timeout=30) as http, client_for(access.radio_url, 512) as ue:
        testbed = Testbed(access, http)
        await testbed.place(schedule.ues, scenario)
        ue_ids = [u.ue_id for u in schedule.ues]
        before = await _admin_view(http, access, ue_ids)
        print(f"{len(schedule.requests)} requests over {load_s:.0f} s; the campaign:", flush=True)
        since = time.time()
        start = time.monotonic()  # the campaign's clock and the replay's start together
        log = FaultLog(specs, settings.host, start)
        faults = threading.Thread(
            target=run_campaign,
            args=(LocalBackend(settings), campaign(load_s), log.on_event),
            kwargs={"start": start},
            daemon=True,
        )
        faults.start()
        sent = await replay(ue, schedule.requests, "greedy", f"faults-{seed}")
        await asyncio.to_thread(faults.join)
        await asyncio.to_thread(log.join)
        ids = {s.request_id for s in sent if s.request_id is not None}
        records = await testbed.records(ids, since, timeout_s=60)
        after = await _admin_view(http, access, ue_ids)
    starts = {r.index: r.at_s for r in schedule.requests}
    samples = [Sample(s, starts[s.index] + s.late_s) for s in sent]
    result = outcome(samples, log.windows, {rid: len(v) for rid, v in records.items()})
    _write_requests(settings.state_dir / "requests.csv", samples, log.windows)
    _report(result.by_kind, log, before == after)
    print(f"records: {result.records_expected} expected, {result.records_lost} lost, "
          f"{result.records_duplicated} duplicated")  # fmt: skip
    print(result.result_line(max(log.recovery_s.values(), default=0.0)))
    return 0 if result.records_lost == 0 and result.by_kind.get("failed_not_started", 0) == 0 else 1


def _write_requests(path: Path, samples: list[Sample], windows: list[Window]) -> None:
    rows = [
        {
            "index": x.sent.index,
            "start_s": round(x.start_s, 3),
            "e2e_s": round(x.sent.e2e_s, 3),
            "status": x.sent.status_code,
            "completed": x.sent.completed,
            "kind": classify(x, windows),
            "error": x.sent.error or "",
        }
        for x in samples
    ]
    write_csv(path, rows, list(rows[0]))
    print(f"per request: {path}")


def _report(by_kind: dict[str, int], log: FaultLog, admin_kept: bool) -> None:
    print("requests: " + ", ".join(f"{k} {n}" for k, n in sorted(by_kind.items())))
    for service, seconds in sorted(log.recovery_s.items()):
        print(
            f"  {service:15} serving {seconds:5.1f} s after its kill or start "
            f"(not serving for {log.down_s[service]:5.1f} s)"
        )
    print(f"radio admin state after its restart: {'kept' if admin_kept else 'CHANGED'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--load-s", type=float, default=170.0, help="seconds of load")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    settings = bench_settings()
    supervisor = Supervisor(settings)
    if supervisor.running_pid() is not None:
        supervisor.stop()
    shutil.rmtree(settings.redis_data_dir, ignore_errors=True)  # a clean history each run
    supervisor.start(stack_services(settings))
    try:
        for spec in stack_services(settings):
            wait_ready(spec, settings.host)
        code = asyncio.run(run(settings, args.load_s, args.seed))
    finally:
        supervisor.stop()
    raise SystemExit(code)


if __name__ == "__main__":
    main()
