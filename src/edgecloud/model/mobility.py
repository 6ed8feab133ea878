"""UE mobility models: static, constant velocity (bouncing off the area's edge), random waypoint.

Pure: a model is a frozen description; ``advance`` returns the new position and motion state after
``dt_s`` seconds, drawing any randomness from the generator it is given.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from enum import StrEnum


class MobilityKind(StrEnum):
    STATIC = "static"
    CONSTANT_VELOCITY = "constant_velocity"
    RANDOM_WAYPOINT = "random_waypoint"


@dataclass(frozen=True, slots=True)
class Area:
    """A square area centred on the origin, half-width in metres."""

    half_width_m: float

    def contains(self, x_m: float, y_m: float) -> bool:
        return abs(x_m) <= self.half_width_m and abs(y_m) <= self.half_width_m

    def random_point(self, rng: random.Random) -> tuple[float, float]:
        w = self.half_width_m
        return rng.uniform(-w, w), rng.uniform(-w, w)


@dataclass(frozen=True, slots=True)
class Mobility:
    kind: MobilityKind = MobilityKind.STATIC
    speed_mps: float = 0.0  # constant velocity; the maximum speed of random waypoint
    min_speed_mps: float = 0.5  # random waypoint
    pause_s: float = 0.0  # random waypoint: pause at each waypoint

    def __post_init__(self) -> None:
        if self.speed_mps < 0 or self.min_speed_mps < 0 or self.pause_s < 0:
            raise ValueError("speeds and pauses must be >= 0")
        if self.kind is MobilityKind.RANDOM_WAYPOINT and self.speed_mps < self.min_speed_mps:
            raise ValueError("random waypoint needs speed_mps >= min_speed_mps")


@dataclass(slots=True)
class Motion:
    """The moving state of one UE."""

    x_m: float
    y_m: float
    heading_rad: float = 0.0
    speed_mps: float = 0.0
    waypoint: tuple[float, float] | None = None
    pause_left_s: float = 0.0


def advance(
    motion: Motion, mobility: Mobility, area: Area, dt_s: float, rng: random.Random
) -> Motion:
    if mobility.kind is MobilityKind.STATIC or dt_s <= 0:
        return motion
    if mobility.kind is MobilityKind.CONSTANT_VELOCITY:
        return _bounce(motion, mobility.speed_mps, area, dt_s)
    return _random_waypoint(motion, mobility, area, dt_s, rng)


def _bounce(motion: Motion, speed_mps: float, area: Area, dt_s: float) -> Motion:
    w = area.half_width_m
    x = motion.x_m + speed_mps * math.cos(motion.heading_rad) * dt_s
    y = motion.y_m + speed_mps * math.sin(motion.heading_rad) * dt_s
    heading = motion.heading_rad
    # Reflect off the walls; a step never crosses the area twice (dt is short).
    if abs(x) > w:
        x = math.copysign(2 * w - abs(x), x)
        heading = math.pi - heading
    if abs(y) > w:
        y = math.copysign(2 * w - abs(y), y)
        heading = -heading
    return Motion(x, y, heading, speed_mps)


def _random_waypoint(
    motion: Motion, mobility: Mobility, area: Area, dt_s: float, rng: random.Random
) -> Motion:
    x, y = motion.x_m, motion.y_m
    waypoint, speed, pause = motion.waypoint, motion.speed_mps, motion.pause_left_s
    remaining = dt_s
    while remaining > 1e-12:
        if pause > 0:
            used = min(pause, remaining)
            pause -= used
            remaining -= used
            continue
        if waypoint is None:
            waypoint = area.random_point(rng)
            speed = rng.uniform(mobility.min_speed_mps, mobility.speed_mps)
        distance = math.hypot(waypoint[0] - x, waypoint[1] - y)
        if speed <= 0:
            break
        reach_s = distance / speed
        if reach_s > remaining:
            fraction = remaining * speed / distance
            x += (waypoint[0] - x) * fraction
            y += (waypoint[1] - y) * fraction
            remaining = 0.0
        else:
            x, y = waypoint
            remaining -= reach_s
            waypoint, pause = None, mobility.pause_s
    return Motion(x, y, motion.heading_rad, speed, waypoint, pause)
