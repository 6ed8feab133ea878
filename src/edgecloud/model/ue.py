"""A UE as the radio environment knows it, the two link directions and the cell sites."""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field
from enum import StrEnum

from .mobility import Mobility, Motion

UE_ID_PATTERN = re.compile(r"^[A-Za-z0-9._:@-]{1,128}$")


class Direction(StrEnum):
    UPLINK = "uplink"
    DOWNLINK = "downlink"


DIRECTION_INDEX = {Direction.DOWNLINK: 0, Direction.UPLINK: 1}


class UeLimitError(Exception):
    pass


class RadioConfigError(ValueError):
    """A requested change is not valid for this layout (bad position, too many static RBs...)."""


@dataclass(frozen=True, slots=True)
class Position:
    x_m: float
    y_m: float

    def distance_m(self, other: Position) -> float:
        return math.hypot(self.x_m - other.x_m, self.y_m - other.y_m)


@dataclass(slots=True)
class Ue:
    ue_id: str
    rng: random.Random = field(compare=False, repr=False)
    site_los: list[bool]
    site_shadowing_db: list[float]
    motion: Motion
    mobility: Mobility = field(default_factory=Mobility)
    static_rbs: dict[Direction, int | None] = field(
        default_factory=lambda: {Direction.UPLINK: None, Direction.DOWNLINK: None}
    )
    cell_id: int = 0
    distance_m: float = 0.0
    los: bool = True
    dl_sinr_db: float = 0.0
    ul_sinr_db: float = 0.0
    site_loss_db: list[float] = field(default_factory=list)  # path loss + shadowing, per gNB
    ul_power_per_rb_dbm: float = 0.0
    slot: int = field(default=-1, compare=False)  # its row in the environment's UeTable

    @property
    def position(self) -> Position:
        return Position(self.motion.x_m, self.motion.y_m)

    def sinr_db(self, direction: Direction) -> float:
        return self.dl_sinr_db if direction is Direction.DOWNLINK else self.ul_sinr_db


def cell_sites(n_cells: int, radius_m: float) -> list[Position]:
    if n_cells == 1:
        return [Position(0.0, 0.0)]
    isd = math.sqrt(3) * radius_m
    ring_radius = isd / (2 * math.sin(math.pi / n_cells))
    return [
        Position(
            ring_radius * math.cos(2 * math.pi * i / n_cells),
            ring_radius * math.sin(2 * math.pi * i / n_cells),
        )
        for i in range(n_cells)
    ]
