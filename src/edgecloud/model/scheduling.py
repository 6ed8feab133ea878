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

The work is done on arrays (UEs x RBGs), so an epoch of a cell with hundreds of UEs costs a few
vectorised passes: every RBG first goes whole to its best UE at once, and only from the first RBG
where a UE's need runs out are the RBGs filled one UE at a time, as need-awareness requires.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

# Budgets are sums of floating-point products; without a tolerance a transmission can miss its
# epoch by a rounding error of a billionth of a byte (the shaper's backlogs use the same).
EPSILON_BYTES = 1e-6

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class SchedulerKind(StrEnum):
    ROUND_ROBIN = "round_robin"
    PROPORTIONAL_FAIR = "proportional_fair"
    MAX_CI = "max_ci"


@dataclass(frozen=True, slots=True)
class CellDemands:
    """The backlogged UEs of one or more cells as arrays, one row per UE.

    Rows are grouped by cell, each group in a stable order (round robin's): the rows of cell group
    ``c`` are ``bounds[c]:bounds[c + 1]``. Every group has at least one row.
    """

    bounds: IntArray  # (cells + 1,)
    need_bytes: FloatArray  # (k,)
    rb_capacity_bytes: FloatArray  # (k, RBGs): bytes one RB of each RBG carries this epoch
    static_rbs: IntArray  # (k,): 0 for a UE without a static allocation
    # PF: each UE's served bytes per epoch, averaged; NaN for a UE new to its cell.
    average_bytes: FloatArray  # (k,)
    rr_offsets: IntArray  # (cells,): round robin's offset in each cell this epoch


@dataclass(frozen=True, slots=True)
class CellGrants:
    rbs: IntArray  # (k,)
    capacity_bytes: FloatArray  # (k,)
    average_bytes: FloatArray  # (k,): PF's averages after this epoch (unchanged for a static UE)


def schedule_cells(
    kind: SchedulerKind,
    cells: CellDemands,
    rbg_sizes: IntArray,
    pf_window_epochs: float = 100.0,
    sub_epochs: int = 1,
) -> CellGrants:
    """``sub_epochs`` epochs in a row of every cell in ``cells``, decided at once.

    ``rb_capacity_bytes`` is what one RB carries in one epoch. Several epochs are one grid of
    ``sub_epochs`` x RBGs columns (the channel is the same in each: an epoch is far shorter than
    a coherence interval), round robin's offset advancing by one per epoch, so a late wake-up
    schedules every epoch that passed, as the epochs one at a time would."""
    k = len(cells.need_bytes)
    n_rbgs = len(rbg_sizes)
    cell_of = np.repeat(np.arange(len(cells.bounds) - 1), np.diff(cells.bounds))
    free = np.tile(rbg_sizes, (len(cells.bounds) - 1, sub_epochs))  # (cells, columns)
    shift = (np.arange(sub_epochs)[:, None] + np.arange(n_rbgs)).ravel()  # RR: epoch + RBG
    capacity = np.tile(cells.rb_capacity_bytes, (1, sub_epochs))
    rbs = np.zeros(k, dtype=np.int64)
    granted = np.zeros(k, dtype=np.float64)
    for i in np.flatnonzero(cells.static_rbs).tolist():
        for epoch in range(sub_epochs):
            columns = slice(epoch * n_rbgs, (epoch + 1) * n_rbgs)
            _take_static(
                i,
                int(cells.static_rbs[i]),
                capacity[i, columns],
                free[cell_of[i], columns],
                rbs,
                granted,
            )
    dynamic = cells.static_rbs == 0
    # A static UE takes no part in the dynamic allocation: as if it needed nothing more.
    need = np.where(dynamic, cells.need_bytes, 0.0)
    averages = _averages(kind, cells, need, cell_of, dynamic, free[:, :n_rbgs])
    metric = _metric(kind, cells, capacity, averages, cell_of, dynamic, shift)
    _fill(metric, cells.bounds, capacity, cell_of, need, free, rbs, granted)
    if kind is SchedulerKind.PROPORTIONAL_FAIR:
        kept = (1 - 1.0 / pf_window_epochs) ** sub_epochs
        served = np.minimum(granted, cells.need_bytes) / sub_epochs
        averages = np.where(dynamic, kept * averages + (1 - kept) * served, averages)
    return CellGrants(rbs, granted, averages)


def _dynamic_counts(cells: CellDemands, dynamic: npt.NDArray[np.bool_]) -> IntArray:
    counts: IntArray = np.add.reduceat(dynamic.astype(np.int64), cells.bounds[:-1])
    return counts


def _averages(
    kind: SchedulerKind,
    cells: CellDemands,
    need: FloatArray,
    cell_of: IntArray,
    dynamic: npt.NDArray[np.bool_],
    free: IntArray,
) -> FloatArray:
    """PF's served-rate averages; a newcomer's starts at its fair share (no start-up transient)."""
    averages = cells.average_bytes
    if kind is not SchedulerKind.PROPORTIONAL_FAIR:
        return averages
    new = np.isnan(averages) & dynamic
    if new.any():
        averages = averages.copy()
        carried = (cells.rb_capacity_bytes[new] * free[cell_of[new]]).sum(axis=1)
        sharing = _dynamic_counts(cells, dynamic)[cell_of[new]]
        averages[new] = np.minimum(need[new], carried / sharing)
    return averages


def _metric(
    kind: SchedulerKind,
    cells: CellDemands,
    capacity: FloatArray,
    averages: FloatArray,
    cell_of: IntArray,
    dynamic: npt.NDArray[np.bool_],
    shift: IntArray,
) -> FloatArray:
    """What each UE (row) scores on each column; the largest wins, ties to the lower row."""
    if kind is SchedulerKind.ROUND_ROBIN:
        # Position among the cell's dynamic UEs; RBG g goes first to position (offset + g) mod k.
        rank = np.cumsum(dynamic) - 1
        position = rank - np.concatenate([[0], np.cumsum(dynamic)])[cells.bounds[:-1]][cell_of]
        k = np.maximum(_dynamic_counts(cells, dynamic), 1)[cell_of][:, None]
        turn = position[:, None] - cells.rr_offsets[cell_of][:, None] - shift
        metric: FloatArray = -(turn % k).astype(np.float64)
        return metric
    if kind is SchedulerKind.MAX_CI:
        return capacity
    with np.errstate(divide="ignore", invalid="ignore"):
        metric = capacity / averages[:, None]
    metric[averages <= 0, :] = math.inf
    return metric


def _fill(
    metric: FloatArray,
    bounds: IntArray,
    capacity: FloatArray,
    cell_of: IntArray,
    need: FloatArray,
    free: IntArray,
    rbs: IntArray,
    granted: FloatArray,
) -> None:
    """Hand out the free RBs of every RBG by ``metric``, never more than a UE's need.

    Every RBG first goes whole to its best UE, all at once; in a cell where some UE's need runs
    out on an RBG, that RBG and the ones after it are handed out one UE at a time."""
    k, n_rbgs = capacity.shape
    starts = bounds[:-1]
    usable = (capacity > 0) & (need > EPSILON_BYTES)[:, None]
    masked = np.where(usable, metric, -math.inf)
    best = np.maximum.reduceat(masked, starts, axis=0)  # (cells, RBGs)
    is_best = usable & (masked == best[cell_of])
    rows = np.arange(k)[:, None]
    owner = np.minimum.reduceat(np.where(is_best, rows, k), starts, axis=0)
    has_owner = owner < k
    owner = np.where(has_owner, owner, 0)
    columns = np.broadcast_to(np.arange(n_rbgs), owner.shape)
    carried = np.where(has_owner, free * capacity[owner, columns], 0.0)
    # What each owner would carry up to each RBG: its need runs out on the RBG where it is reached.
    by_row = np.zeros((k, n_rbgs))
    by_row[owner[has_owner], columns[has_owner]] = carried[has_owner]
    reached = np.cumsum(by_row, axis=1)[owner, columns] >= need[owner] - EPSILON_BYTES
    runs_out = has_owner & reached
    first = np.where(runs_out.any(axis=1), runs_out.argmax(axis=1), n_rbgs)  # (cells,)
    whole = has_owner & (columns < first[:, None])
    np.add.at(rbs, owner[whole], free[whole])
    np.add.at(granted, owner[whole], carried[whole])
    np.subtract.at(need, owner[whole], carried[whole])
    free[whole] = 0
    for c in np.flatnonzero(first < n_rbgs).tolist():
        lo, hi = int(bounds[c]), int(bounds[c + 1])
        for g in range(int(first[c]), n_rbgs):
            _fill_rbg(
                g,
                masked[lo:hi, g],
                capacity[lo:hi, g],
                need[lo:hi],
                free[c],
                rbs[lo:hi],
                granted[lo:hi],
            )


def _fill_rbg(
    g: int,
    metric: FloatArray,
    capacity: FloatArray,
    need: FloatArray,
    free: IntArray,
    rbs: IntArray,
    granted: FloatArray,
) -> None:
    """One RBG, one UE at a time: the best UE with need left takes what its need fills."""
    metric = metric.copy()
    metric[need <= EPSILON_BYTES] = -math.inf
    while free[g] > 0:
        best = int(metric.argmax())
        if metric[best] == -math.inf:
            return
        per_rb = float(capacity[best])
        take = min(int(free[g]), math.ceil(need[best] / per_rb - 1e-9))
        free[g] -= take
        need[best] -= take * per_rb
        rbs[best] += take
        granted[best] += take * per_rb
        if need[best] <= EPSILON_BYTES:
            metric[best] = -math.inf


def _take_static(
    i: int, wanted: int, capacity: FloatArray, free: IntArray, rbs: IntArray, granted: FloatArray
) -> None:
    """A static allocation takes the UE's best RBGs first, need or not."""
    for g in np.argsort(-capacity, kind="stable").tolist():
        if wanted <= 0:
            break
        take = min(int(free[g]), wanted)
        free[g] -= take
        wanted -= take
        rbs[i] += take
        granted[i] += take * float(capacity[g])
