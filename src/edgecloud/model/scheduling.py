"""Radio resource schedulers for one cell and one direction, one epoch at a time (pure).

Each epoch the scheduler hands the carrier's RBs, grouped in RBGs (TS 38.214 type-0 allocation), to
the UEs that have bytes waiting. Allocation is need-aware, as a gNB sizes grants from buffer status:
a UE gets no more RBs than its waiting bytes need, and the rest of an RBG goes to the next UE.

- static: UEs with a static allocation first get exactly their RBs (their best RBGs), need or not.
- round robin: RBG ``g`` goes to the UEs in turn starting at position ``offset + g``; the offset
  advances every epoch, so over ``k`` epochs every UE holds every RBG exactly once.
- proportional fair: RBG ``g`` goes to the UE with the largest ``r[u, g] / R[u]``, where ``R`` is
  the UE's served rate averaged over ``window`` epochs (exponential window, Kelly's PF).
- max C/I: RBG ``g`` goes to the UE with the largest ``r[u, g]``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

_EPSILON_BYTES = 1e-6


class SchedulerKind(StrEnum):
    ROUND_ROBIN = "round_robin"
    PROPORTIONAL_FAIR = "proportional_fair"
    MAX_CI = "max_ci"


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
    free = list(rbg_sizes)
    grants = {d.ue_id: Grant() for d in demands}
    need = {d.ue_id: d.need_bytes for d in demands}
    for demand in sorted((d for d in demands if d.static_rbs), key=lambda d: d.ue_id):
        _take_static(demand, free, grants[demand.ue_id])
    dynamic = sorted((d for d in demands if d.static_rbs is None), key=lambda d: d.ue_id)
    for demand in dynamic:
        # A newcomer's average starts at its fair share, so PF has no start-up transient.
        if demand.ue_id not in state.average_bytes:
            carried = sum(c * n for c, n in zip(demand.rb_capacity_bytes, free, strict=True))
            state.average_bytes[demand.ue_id] = min(demand.need_bytes, carried / len(dynamic))
    if dynamic:
        metric = _metric(kind, dynamic, state)
        for g in range(len(free)):
            _fill_rbg(g, free, dynamic, need, grants, metric)
    _update_state(kind, dynamic, grants, state, pf_window_epochs)
    return grants


Metric = Callable[[int, Demand, int], float]  # (rbg, demand, position in the sorted list)


def _metric(kind: SchedulerKind, dynamic: Sequence[Demand], state: CellSchedulerState) -> Metric:
    k = len(dynamic)
    if kind is SchedulerKind.ROUND_ROBIN:
        offset = state.rr_offset
        return lambda g, d, i: -((i - offset - g) % k)
    if kind is SchedulerKind.MAX_CI:
        return lambda g, d, i: d.rb_capacity_bytes[g]
    averages = state.average_bytes

    def proportional_fair(g: int, d: Demand, i: int) -> float:
        average = averages.get(d.ue_id, 0.0)
        return math.inf if average <= 0 else d.rb_capacity_bytes[g] / average

    return proportional_fair


def _fill_rbg(
    g: int,
    free: list[int],
    dynamic: Sequence[Demand],
    need: dict[str, float],
    grants: dict[str, Grant],
    metric: Metric,
) -> None:
    while free[g] > 0:
        best: tuple[float, int, Demand] | None = None
        for i, demand in enumerate(dynamic):
            if need[demand.ue_id] <= _EPSILON_BYTES or demand.rb_capacity_bytes[g] <= 0:
                continue
            value = metric(g, demand, i)
            if best is None or value > best[0]:
                best = (value, i, demand)
        if best is None:
            return
        demand = best[2]
        per_rb = demand.rb_capacity_bytes[g]
        rbs = min(free[g], math.ceil(need[demand.ue_id] / per_rb - 1e-9))
        free[g] -= rbs
        need[demand.ue_id] -= rbs * per_rb
        grant = grants[demand.ue_id]
        grant.rbs += rbs
        grant.capacity_bytes += rbs * per_rb


def _take_static(demand: Demand, free: list[int], grant: Grant) -> None:
    wanted = demand.static_rbs or 0
    for g in sorted(range(len(free)), key=lambda g: -demand.rb_capacity_bytes[g]):
        if wanted <= 0:
            break
        rbs = min(free[g], wanted)
        free[g] -= rbs
        wanted -= rbs
        grant.rbs += rbs
        grant.capacity_bytes += rbs * demand.rb_capacity_bytes[g]


def _update_state(
    kind: SchedulerKind,
    dynamic: Sequence[Demand],
    grants: dict[str, Grant],
    state: CellSchedulerState,
    pf_window_epochs: float,
) -> None:
    state.rr_offset += 1
    if kind is not SchedulerKind.PROPORTIONAL_FAIR:
        return
    weight = 1.0 / pf_window_epochs
    for demand in dynamic:
        served = min(grants[demand.ue_id].capacity_bytes, demand.need_bytes)
        previous = state.average_bytes.get(demand.ue_id, served)
        state.average_bytes[demand.ue_id] = (1 - weight) * previous + weight * served
