"""Experiments: every policy on the same seeds, sweeping one factor at a time around a base case.

Factors: the number of UEs (arrivals scale with them), the RBs a UE's cell offers, the backhaul
delay and the task mix. Writes ``results.csv`` and one figure per factor (mean and p95 service
delay, quality-violation rate, decision time, per policy) and returns the rows.
"""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from edgecloud.policies.base import Policy

from .env import SimConfig
from .evaluate import EpisodeStats, evaluate

TASK_MIXES = {
    "balanced": (0.25, 0.25, 0.25, 0.25),
    "chat-heavy": (0.5, 0.3, 0.1, 0.1),
    "coding-heavy": (0.1, 0.1, 0.5, 0.3),
}
ARRIVALS_PER_UE_HZ = 0.3


@dataclass(frozen=True, slots=True)
class Point:
    factor: str
    value: str
    config: SimConfig


def base_config(tasks_per_episode: int) -> SimConfig:
    return SimConfig(
        n_ues=20, arrival_rate_hz=20 * ARRIVALS_PER_UE_HZ, tasks_per_episode=tasks_per_episode
    )


def sweep(
    base: SimConfig,
    ues: Iterable[int],
    rbs: Iterable[int],
    backhaul_s: Iterable[float],
    mixes: Iterable[str],
) -> list[Point]:
    points = [
        Point(
            "ues",
            str(n),
            dataclasses.replace(base, n_ues=n, arrival_rate_hz=n * ARRIVALS_PER_UE_HZ),
        )
        for n in ues
    ]
    points += [Point("rbs", str(n), dataclasses.replace(base, n_rbs=n)) for n in rbs]
    points += [
        Point("backhaul_ms", f"{d * 1e3:g}", dataclasses.replace(base, backhaul_delay_s=d))
        for d in backhaul_s
    ]
    points += [Point("mix", m, dataclasses.replace(base, task_mix=TASK_MIXES[m])) for m in mixes]
    return points


FIELDS = [
    "factor",
    "value",
    "policy",
    "mean_cost_s",
    "mean_delay_s",
    "p95_delay_s",
    "violation_rate",
    "decision_time_s",
    "cloud_share",
]


def run(
    points: list[Point],
    policies: dict[str, Callable[[], Policy]],
    seeds: list[int],
    out_dir: Path,
    progress: Callable[[str], None] = print,
) -> list[dict[str, object]]:
    out_dir.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, object]] = []
    for point in points:
        for name, make in policies.items():
            stats: EpisodeStats = evaluate(make(), point.config, seeds)
            row = {"factor": point.factor, "value": point.value, **dataclasses.asdict(stats)}
            row["policy"] = name
            rows.append(row)
            progress(
                f"{point.factor}={point.value:>10} {name:11} cost {stats.mean_cost_s:7.3f} s "
                f"p95 {stats.p95_delay_s:7.3f} s viol {stats.violation_rate:5.1%}"
            )
    with (out_dir / "results.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    plot(rows, out_dir)
    return rows


def plot(rows: list[dict[str, object]], out_dir: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    for factor in dict.fromkeys(str(r["factor"]) for r in rows):
        subset = [r for r in rows if r["factor"] == factor]
        values = list(dict.fromkeys(str(r["value"]) for r in subset))
        fig, axes = plt.subplots(1, 4, figsize=(18, 4))
        panels = [
            ("mean_delay_s", "mean service delay (s)"),
            ("p95_delay_s", "p95 delay (s)"),
            ("violation_rate", "quality violation rate"),
            ("decision_time_s", "decision time (s)"),
        ]
        for axis, (key, label) in zip(axes, panels, strict=True):
            for policy in dict.fromkeys(str(r["policy"]) for r in subset):
                ys = [
                    next(
                        float(str(r[key]))
                        for r in subset
                        if r["policy"] == policy and r["value"] == v
                    )
                    for v in values
                ]
                axis.plot(values, ys, marker="o", label=policy)
            axis.set_xlabel(factor)
            axis.set_ylabel(label)
            if key == "decision_time_s":
                axis.set_yscale("log")
        axes[0].legend(fontsize=7)
        fig.tight_layout()
        path = out_dir / f"sweep_{factor}.png"
        fig.savefig(path, dpi=90)
        plt.close(fig)
        written.append(path)
    return written


def summary(rows: list[dict[str, object]]) -> dict[str, float]:
    """Mean cost per policy over every point of the sweep."""
    out: dict[str, list[float]] = {}
    for row in rows:
        out.setdefault(str(row["policy"]), []).append(float(str(row["mean_cost_s"])))
    return {policy: sum(v) / len(v) for policy, v in out.items()}
