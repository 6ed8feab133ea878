"""``make bench-radio``: does the radio emulator deliver each UE the rate its model gives it?

For 1, 8, 32 and 64 UEs that all download at once (from a bulk source that outruns any radio link,
through the real emulator over HTTP), each UE's delivered throughput is measured at the client and
compared with the model's rate: round robin, no fast fading, so a UE holds n_rbs / (UEs in its cell)
RBs at its large-scale SINR. Then, with fading on (Rician LOS / Rayleigh NLOS), the Jain fairness
index of the UEs' resource shares (throughput / the rate the whole carrier would give that UE) under
round robin and proportional fair. The emulator's CPU use is read with psutil during the 64-UE run.
The last line is the RESULT line.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil
from pydantic import AnyHttpUrl, SecretStr

from edgecloud.common.http import relay_client, relay_timeout
from edgecloud.common.settings_env import settings_environment
from edgecloud.model.scheduling import SchedulerKind
from edgecloud.radio_emulator import RadioSettings
from edgecloud.stack import Processes

TOKEN = "bench-admin-token-0000"
UE_COUNTS = (1, 8, 32, 64)


@dataclass
class UeResult:
    ue_id: str
    cell_id: int
    throughput_bps: float
    model_bps: float
    full_carrier_bps: float


async def register(client: httpx.AsyncClient, ue_ids: list[str]) -> dict[str, dict[str, Any]]:
    views = {}
    for ue_id in ue_ids:
        reply = await client.put(
            f"/admin/ues/{ue_id}", json={}, headers={"Authorization": f"Bearer {TOKEN}"}
        )
        reply.raise_for_status()
        views[ue_id] = reply.json()
    return views


async def download(
    client: httpx.AsyncClient, ue_id: str, start: float, end: float, chunk_bytes: int
) -> float:
    """Bytes per second between the first and the last chunk that arrived inside [start, end]."""
    first_at, last_at, total = None, None, 0
    headers = {"X-UE-Id": ue_id, "X-Bulk-Chunk-Bytes": str(chunk_bytes)}
    body = {"messages": [{"role": "user", "content": "bulk"}]}
    async with client.stream("POST", "/v1/chat/completions", json=body, headers=headers) as reply:
        async for chunk in reply.aiter_raw():
            now = time.monotonic()
            if now < start:
                continue
            if now > end:
                break
            if first_at is None:
                first_at = now  # bytes of the first chunk arrived before the window opened
            else:
                total += len(chunk)
            last_at = now
    if first_at is None or last_at is None or last_at <= first_at:
        return 0.0
    return total * 8 / (last_at - first_at)


async def phase(
    radio_url: str, n: int, tag: str, warmup_s: float, window_s: float, chunk_bytes: int
) -> list[UeResult]:
    ue_ids = [f"{tag}-{n}-{i}" for i in range(n)]
    limits = httpx.Limits(max_connections=n + 8)
    # httpx's own pool is slower than the emulator at this many streams (encode/httpx#3215).
    timeout = relay_timeout(10.0, 60.0, pool_s=60.0)
    async with relay_client(timeout, limits, base_url=radio_url) as client:
        views = await register(client, ue_ids)
        start = time.monotonic() + warmup_s
        rates = await asyncio.gather(
            *(download(client, ue, start, start + window_s, chunk_bytes) for ue in ue_ids)
        )
    per_cell: dict[int, int] = {}
    for view in views.values():
        per_cell[view["cell_id"]] = per_cell.get(view["cell_id"], 0) + 1
    results = []
    for ue_id, rate in zip(ue_ids, rates, strict=True):
        view = views[ue_id]
        rb_rate = view["dl_rate_bps"] / view["dl_rbs"]  # alone in its cell: the whole carrier
        n_rbs = view["dl_rbs"]
        model = rb_rate * n_rbs / per_cell[view["cell_id"]]
        results.append(UeResult(ue_id, view["cell_id"], rate, model, rb_rate * n_rbs))
    return results


def scheduler_lateness(radio_url: str) -> tuple[float, float]:
    """Late and total downlink epochs, from the emulator's own metrics."""
    values = {"late": 0.0, "epochs": 0.0}
    for line in httpx.get(f"{radio_url}/metrics/").text.splitlines():
        for key, name in (("late", "late_epochs_total"), ("epochs", "epochs_total")):
            if line.startswith(f"edgecloud_radio_scheduler_{name}") and "downlink" in line:
                values[key] = float(line.rsplit(" ", 1)[1])
    return values["late"], values["epochs"]


def jain(values: list[float]) -> float:
    return sum(values) ** 2 / (len(values) * sum(v * v for v in values))


def radio_env(redis_url: str, upstream: str, fading: str, bandwidth_mhz: int) -> dict[str, str]:
    settings = RadioSettings(
        redis_url=redis_url,
        orchestrator_url=AnyHttpUrl(upstream),
        fading=fading,  # validated by the settings class
        bandwidth_mhz=bandwidth_mhz,
        downlink_scheduler=SchedulerKind.ROUND_ROBIN,
        admin_token=SecretStr(TOKEN),
    )
    return settings_environment(settings)


def _accuracy(
    procs: Processes, redis_url: str, upstream: str, args: argparse.Namespace
) -> tuple[float, float]:
    """Shaping accuracy at each UE count without fading; the worst ratio and the CPU at the most."""
    url = procs.app(
        "radio-flat",
        "edgecloud.radio_emulator:create_app_from_env",
        radio_env(redis_url, upstream, "none", args.bandwidth_mhz),
    )
    radio = procs.executors["radio-flat"]
    process = psutil.Process(radio.process.pid) if radio.process else None
    worst, cpu_pct, late, epochs = float("inf"), 0.0, 0.0, 0.0
    print(
        f"{'UEs':>4} {'accuracy min':>13} {'mean':>7} {'UE rate mean Mbit/s':>20} "
        f"{'cell total Mbit/s':>18} {'emulator CPU %':>15}"
    )
    for n in UE_COUNTS:
        before = process.cpu_times() if process else None
        started = time.monotonic()
        results = asyncio.run(phase(url, n, "acc", args.warmup, args.window, args.chunk_bytes))
        wall = time.monotonic() - started
        cpu = 0.0
        if process and before:
            after = process.cpu_times()
            cpu = 100 * (after.user + after.system - before.user - before.system) / wall
        ratios = [r.throughput_bps / r.model_bps for r in results]
        worst = min(worst, *ratios)
        if n == max(UE_COUNTS):
            cpu_pct = cpu
            late, epochs = scheduler_lateness(url)
        total = sum(r.throughput_bps for r in results) / 1e6
        print(
            f"{n:>4} {min(ratios):>13.4f} {statistics.mean(ratios):>7.4f} "
            f"{total / n:>20.3f} {total:>18.2f} {cpu:>15.1f}"
        )
    print(
        f"downlink scheduling loop: {late:.0f} of {epochs:.0f} epochs ran more than one "
        "epoch late (all UE counts)"
    )
    return worst, cpu_pct


def _fairness(
    procs: Processes, redis_url: str, upstream: str, args: argparse.Namespace
) -> dict[str, float]:
    """Jain's index of the RB shares of 32 fading UEs under round robin and proportional fair."""
    url = procs.app(
        "radio-fading",
        "edgecloud.radio_emulator:create_app_from_env",
        radio_env(redis_url, upstream, "auto", args.bandwidth_mhz),
    )
    fairness = {}
    for kind, label in (("round_robin", "rr"), ("proportional_fair", "pf")):
        httpx.put(
            f"{url}/admin/scheduler",
            json={"downlink": kind},
            headers={"Authorization": f"Bearer {TOKEN}"},
        ).raise_for_status()
        results = asyncio.run(phase(url, 32, label, args.warmup, args.window, args.chunk_bytes))
        shares = [r.throughput_bps / r.full_carrier_bps for r in results]
        fairness[label] = jain(shares)
        total = sum(r.throughput_bps for r in results) / 1e6
        print(
            f"32 UEs with fading, {kind}: Jain index of RB shares {fairness[label]:.4f}, "
            f"total {total:.2f} Mbit/s"
        )
    return fairness


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--window", type=float, default=5.0, help="measured seconds per phase")
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--bandwidth-mhz", type=int, default=10)
    parser.add_argument("--chunk-bytes", type=int, default=2048)
    args = parser.parse_args()
    with Processes(Path(".work/bench/radio")) as procs:
        redis_url = procs.redis()
        upstream = procs.app("bulk-source", "edgecloud.bench.bulk_source:create_app", {})
        worst, cpu_pct = _accuracy(procs, redis_url, upstream, args)
        fairness = _fairness(procs, redis_url, upstream, args)
    print(
        f"RESULT radio shaping_accuracy_min={worst:.4f} jain_rr={fairness['rr']:.4f} "
        f"jain_pf={fairness['pf']:.4f} cpu_pct_64ue={cpu_pct:.1f}"
    )


if __name__ == "__main__":
    main()
