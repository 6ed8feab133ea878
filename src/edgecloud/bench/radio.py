"""``make bench-radio``: does the radio emulator deliver each UE the rate its model gives it?

For 1, 8, 32, 64, 128 and 256 UEs that all download at once (from a bulk source that outruns any
radio link, through the real emulator over HTTP), each UE's delivered throughput is measured at the
client (the least-squares slope of the bytes it received against their arrival times) and compared
with the model's rate: round robin, no fast fading, so a UE holds n_rbs / (UEs in its cell) RBs at
its large-scale SINR. Larger counts get a longer warm-up (every stream's buffer fills first) and a
longer window (a round-robin cycle of 90 UEs is 90 epochs). Then, with fading on (Rician LOS /
Rayleigh NLOS), the Jain fairness index of the UEs' resource shares (throughput / the rate the whole
carrier would give that UE) under round robin and proportional fair. The emulator's CPU use
(psutil) and its late epochs (its own metrics) are read per UE count. The last line is RESULT.
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
import numpy as np
from pydantic import AnyHttpUrl, SecretStr

from edgecloud.bench.cpu import CpuMeter
from edgecloud.common.http import relay_client, relay_timeout
from edgecloud.common.settings_env import settings_environment
from edgecloud.model.capacity import LinkAbstraction
from edgecloud.model.layout import RadioLayout
from edgecloud.model.nr import Carrier
from edgecloud.model.scheduling import SchedulerKind
from edgecloud.radio_emulator import RadioSettings
from edgecloud.stack import Processes

TOKEN = "bench-admin-token-0000"
UE_COUNTS = (1, 8, 32, 64, 128, 256)


@dataclass
class UeResult:
    ue_id: str
    cell_id: int
    throughput_bps: float
    model_bps: float
    full_carrier_bps: float
    # What the emulator reported in the middle of the window: its expected rate, its measured one,
    # and the large-scale rate (RB share x the rate at the large-scale SINR) it used to report.
    reported_bps: float = 0.0
    measured_bps: float | None = None
    large_scale_bps: float = 0.0


# What the emulator reported before its rates saw fading: RB share x the rate at the large-scale
# SINR (its default link abstraction and numerology).
LINK = LinkAbstraction(implementation_factor=RadioLayout().implementation_factor)
RB_HZ = Carrier(RadioLayout().numerology).rb_bandwidth_hz


async def reported(client: httpx.AsyncClient, ue_ids: list[str], at: float) -> dict[str, Any]:
    """Every UE's view at ``at`` (monotonic), while they all download."""
    await asyncio.sleep(max(0.0, at - time.monotonic()))
    auth = {"Authorization": f"Bearer {TOKEN}"}
    replies = await asyncio.gather(*(client.get(f"/ues/{u}", headers=auth) for u in ue_ids))
    return {u: r.json() for u, r in zip(ue_ids, replies, strict=True)}


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
    """Bits per second: the slope of the bytes received against time, inside [start, end].

    A fit over every arrival, not the first and last alone: a client that reads many streams on
    two shared cores reads in bursts, and one late read at an end would move the rate."""
    arrivals: list[tuple[float, int]] = []
    total = 0
    headers = {"X-UE-Id": ue_id, "X-Bulk-Chunk-Bytes": str(chunk_bytes)}
    body = {"messages": [{"role": "user", "content": "bulk"}]}
    async with client.stream("POST", "/v1/chat/completions", json=body, headers=headers) as reply:
        async for chunk in reply.aiter_raw():
            now = time.monotonic()
            total += len(chunk)
            if now > end:
                break
            if now >= start:
                arrivals.append((now, total))
    if len(arrivals) < 3:
        return 0.0
    times, received = np.array(arrivals, dtype=np.float64).T
    slope_bytes_per_s = np.polyfit(times - times[0], received, 1)[0]
    return float(slope_bytes_per_s) * 8


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
        downloads = asyncio.gather(
            *(download(client, ue, start, start + window_s, chunk_bytes) for ue in ue_ids)
        )
        during = await reported(client, ue_ids, start + window_s / 2)
        rates = await downloads
    per_cell: dict[int, int] = {}
    for view in views.values():
        per_cell[view["cell_id"]] = per_cell.get(view["cell_id"], 0) + 1
    results = []
    for ue_id, rate in zip(ue_ids, rates, strict=True):
        view = views[ue_id]
        rb_rate = view["dl_rate_bps"] / view["dl_rbs"]  # alone in its cell: the whole carrier
        n_rbs = view["dl_rbs"]
        model = rb_rate * n_rbs / per_cell[view["cell_id"]]
        now = during[ue_id]
        large_scale = now["dl_rbs"] * LINK.rate_bps(RB_HZ, [now["dl_sinr_db"]])
        result = UeResult(ue_id, view["cell_id"], rate, model, rb_rate * n_rbs)
        result.reported_bps = now["dl_rate_bps"]
        result.measured_bps = now["dl_measured_rate_bps"]
        result.large_scale_bps = large_scale
        results.append(result)
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


def radio_env(
    redis_url: str, upstream: str, fading: str, bandwidth_mhz: int, harq: bool = True
) -> dict[str, str]:
    settings = RadioSettings(
        redis_url=redis_url,
        orchestrator_url=AnyHttpUrl(upstream),
        fading=fading,  # validated by the settings class
        bandwidth_mhz=bandwidth_mhz,
        harq=harq,
        downlink_scheduler=SchedulerKind.ROUND_ROBIN,
        admin_token=SecretStr(TOKEN),
    )
    return settings_environment(settings)


@dataclass
class CountResult:
    ues: int
    accuracy_min: float
    cpu_pct: float
    late_epochs: float
    epochs: float


def phase_timing(n: int, args: argparse.Namespace) -> tuple[float, float]:
    """Warm-up and window for ``n`` UEs: at least the arguments', longer for many UEs."""
    return max(args.warmup, n / 64), max(args.window, n / 25)


def _accuracy(
    procs: Processes, redis_url: str, upstream: str, args: argparse.Namespace
) -> list[CountResult]:
    """Shaping accuracy, CPU and late epochs at each UE count, without fading."""
    url = procs.app(
        "radio-flat",
        "edgecloud.radio_emulator:create_app_from_env",
        # The shaper alone: HARQ's random block errors would make each UE's rate over a window
        # scatter around its mean (the fading runs below keep HARQ on, the default).
        radio_env(redis_url, upstream, "none", args.bandwidth_mhz, harq=False),
    )
    meter = CpuMeter(procs, "radio-flat")
    print(
        f"{'UEs':>4} {'accuracy min':>13} {'mean':>7} {'UE rate mean Mbit/s':>20} "
        f"{'cell total Mbit/s':>18} {'emulator CPU %':>15} {'late epochs':>12}"
    )
    counts = []
    for n in UE_COUNTS:
        late_before, epochs_before = scheduler_lateness(url)
        meter.start()
        warmup_s, window_s = phase_timing(n, args)
        results = asyncio.run(phase(url, n, "acc", warmup_s, window_s, args.chunk_bytes))
        cpu = meter.percent()
        late, epochs = scheduler_lateness(url)
        ratios = [r.throughput_bps / r.model_bps for r in results]
        count = CountResult(n, min(ratios), cpu, late - late_before, epochs - epochs_before)
        counts.append(count)
        total = sum(r.throughput_bps for r in results) / 1e6
        late_share = count.late_epochs / max(count.epochs, 1)
        print(
            f"{n:>4} {min(ratios):>13.4f} {statistics.mean(ratios):>7.4f} "
            f"{total / n:>20.3f} {total:>18.2f} {cpu:>15.1f} {late_share:>12.4f}"
        )
    print("late epochs: the share of downlink wake-ups more than one epoch late")
    return counts


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
        print_rate_errors(results)
    return fairness


def print_rate_errors(results: list[UeResult]) -> None:
    """How far each reported rate was from the rate the UE got (|reported / got - 1|)."""
    got = [r for r in results if r.throughput_bps > 0]
    for label, rates in (
        ("expected (reported now)", [r.reported_bps for r in got]),
        ("measured", [r.measured_bps or 0.0 for r in got]),
        ("large-scale (reported before)", [r.large_scale_bps for r in got]),
    ):
        errors = [abs(rate / r.throughput_bps - 1) for rate, r in zip(rates, got, strict=True)]
        print(f"  {label:>30}: error mean {statistics.mean(errors):.3f} max {max(errors):.3f}")


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
        counts = _accuracy(procs, redis_url, upstream, args)
        fairness = _fairness(procs, redis_url, upstream, args)
    most = counts[-1]
    print(
        f"RESULT radio shaping_accuracy_min={min(c.accuracy_min for c in counts):.4f} "
        f"ues_max={most.ues} cpu_pct_{most.ues}ue={most.cpu_pct:.1f} "
        f"late_epoch_share={most.late_epochs / max(most.epochs, 1):.4f} "
        f"jain_rr={fairness['rr']:.4f} jain_pf={fairness['pf']:.4f}"
    )


if __name__ == "__main__":
    main()
