"""Load shapes: how many UEs are active over a run (steady, ramp, spike), as timed stages."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Shape(StrEnum):
    STEADY = "steady"  # ramp up at the spawn rate, then hold the peak
    RAMP = "ramp"  # climb in five equal steps to the peak over the run
    SPIKE = "spike"  # a quarter of the peak, the peak for the middle fifth, back to a quarter


@dataclass(frozen=True, slots=True)
class Stage:
    until_s: float
    users: int
    spawn_rate: float


def stages(shape: Shape, peak_users: int, spawn_rate: float, run_time_s: float) -> list[Stage]:
    if peak_users < 1 or spawn_rate <= 0 or run_time_s <= 0:
        raise ValueError("a load shape needs at least one user, a spawn rate and a run time")
    if shape is Shape.STEADY:
        return [Stage(run_time_s, peak_users, spawn_rate)]
    if shape is Shape.RAMP:
        steps = 5
        return [
            Stage(run_time_s * k / steps, max(1, round(peak_users * k / steps)), spawn_rate)
            for k in range(1, steps + 1)
        ]
    base = max(1, peak_users // 4)
    # A spike arrives at once: spawn the extra users within a second.
    burst_rate = max(spawn_rate, float(peak_users - base))
    return [
        Stage(run_time_s * 0.4, base, spawn_rate),
        Stage(run_time_s * 0.6, peak_users, burst_rate),
        Stage(run_time_s, base, burst_rate),
    ]


def stage_at(plan: list[Stage], elapsed_s: float) -> Stage | None:
    """The stage in force ``elapsed_s`` into the run; None once the run is over."""
    return next((stage for stage in plan if elapsed_s < stage.until_s), None)
