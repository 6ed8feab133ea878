"""One cell's demands given one by one (dicts by UE id), scheduled by ``schedule_cells``.

The tests state their cases this way; the radio emulator builds the arrays itself.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from edgecloud.model.scheduling import CellDemands, SchedulerKind, schedule_cells


@dataclass(frozen=True, slots=True)
class Demand:
    ue_id: str
    need_bytes: float
    # Bytes one RB of each RBG carries for this UE in this epoch (its channel on that RBG).
    rb_capacity_bytes: Sequence[float]
    static_rbs: int | None = None


@dataclass(slots=True)
class Grant:
    rbs: int = 0
    capacity_bytes: float = 0.0


@dataclass(slots=True)
class CellSchedulerState:
    """What a scheduler remembers between epochs for one cell and direction."""

    rr_offset: int = 0
    average_bytes: dict[str, float] = field(default_factory=dict)  # PF: served bytes per epoch


def schedule(
    kind: SchedulerKind,
    demands: Sequence[Demand],
    rbg_sizes: Sequence[int],
    state: CellSchedulerState,
    pf_window_epochs: float = 100.0,
) -> dict[str, Grant]:
    """``schedule_cells`` for one cell's demands given one by one, UEs in the order of their ids."""
    ordered = sorted(demands, key=lambda d: d.ue_id)
    ids = [d.ue_id for d in ordered]
    if not ordered:
        return {}
    cells = CellDemands(
        np.array([0, len(ordered)]),
        np.array([d.need_bytes for d in ordered], dtype=np.float64),
        np.array([list(d.rb_capacity_bytes) for d in ordered], dtype=np.float64),
        np.array([d.static_rbs or 0 for d in ordered], dtype=np.int64),
        np.array([state.average_bytes.get(u, math.nan) for u in ids], dtype=np.float64),
        np.array([state.rr_offset]),
    )
    grants = schedule_cells(kind, cells, np.asarray(rbg_sizes, dtype=np.int64), pf_window_epochs)
    state.rr_offset += 1
    if kind is SchedulerKind.PROPORTIONAL_FAIR:
        known = ~np.isnan(grants.average_bytes)
        state.average_bytes.update(
            zip(np.array(ids)[known].tolist(), grants.average_bytes[known].tolist(), strict=True)
        )
    return {
        ue_id: Grant(int(rbs), float(capacity))
        for ue_id, rbs, capacity in zip(ids, grants.rbs, grants.capacity_bytes, strict=True)
    }
