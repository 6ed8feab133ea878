"""The air-interface shaper: a real-time scheduling loop that releases each UE's bytes.

Every epoch, for each cell, the direction's scheduler (``edgecloud.model.scheduling``) hands the
carrier's RBGs to the UEs that have bytes waiting; each UE may then send exactly the bytes its RBs
carry over the time it was backlogged. Bandwidth is per UE: concurrent requests of one UE queue
behind each other in its FIFO. Unused capacity is not banked, so an idle UE cannot burst later.
A late wake-up schedules every epoch that passed since the last one, at once (rates stay exact, and
round robin and PF stay as fair as on time); its lag is reported.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from edgecloud.model.cells import DIRECTION_INDEX, Direction, Ue
from edgecloud.model.harq import Harq
from edgecloud.model.nr import Carrier
from edgecloud.model.rate_statistics import RateDistribution, shared_rate_bps, static_rate_bps
from edgecloud.model.scheduling import (
    CellDemands,
    CellGrants,
    FloatArray,
    IntArray,
    SchedulerKind,
    schedule_cells,
)
from edgecloud.model.ue_table import UeTable, grown

from .backlogs import Backlogs

# Withdrawn transmissions are dropped when a grant reaches them, and at least this often.
_SWEEP_EPOCHS = 64
_MAX_SUB_EPOCHS = 16


class Channels(Protocol):
    """What the scheduler needs to know of the radio environment."""

    @property
    def carrier(self) -> Carrier: ...

    @property
    def rbg_sizes(self) -> list[int]: ...

    @property
    def table(self) -> UeTable: ...

    def rb_rates_rows(self, slots: IntArray, direction: Direction, now: float) -> FloatArray: ...

    def rate_distribution(self, ue: Ue, direction: Direction) -> RateDistribution: ...


@dataclass(slots=True)
class CellCounters:
    rb_seconds: float = 0.0  # RBs granted x epoch duration
    bytes_sent: float = 0.0


class AirScheduler:
    """One direction (uplink or downlink) of every cell.

    ``transmit`` waits until the scheduler has released the given bytes; ``tick`` runs one epoch and
    is called by ``run`` in real time (tests drive it with their own clock). What it keeps per UE
    is in arrays indexed by the UE's slot in the environment's ``UeTable``.
    """

    def __init__(
        self,
        environment: Channels,
        direction: Direction,
        kind: SchedulerKind,
        epoch_s: float,
        pf_window_epochs: float = 100.0,
        clock: Callable[[], float] = time.monotonic,
        harq: Harq | None = None,
        seed: int = 0,
        rate_window_s: float = 1.0,
    ) -> None:
        self.environment = environment
        self.direction = direction
        self._index = DIRECTION_INDEX[direction]
        self.kind = kind
        self.epoch_s = epoch_s
        self.pf_window_epochs = pf_window_epochs
        self._clock = clock
        self.backlogs = Backlogs(clock, harq, seed, rate_window_s)
        self._pf_average = np.zeros(0)  # by slot: PF's average (NaN: not known yet)
        self._rr_offsets: dict[int, int] = {}
        self._rbg_sizes = np.asarray(environment.rbg_sizes, dtype=np.int64)
        self._wakeup = asyncio.Event()
        self._last_tick = clock()
        self.last_lag_s = 0.0
        self.max_lag_s = 0.0
        self.late_epochs = 0
        self.epochs = 0
        self.bytes_sent = 0.0
        self.cells: dict[int, CellCounters] = {}
        self.ue_bytes: dict[str, float] = {}

    @property
    def n_rbs(self) -> int:
        return self.environment.carrier.n_rbs

    def forget(self, ue: Ue) -> None:
        """Drop what the scheduler remembers of a UE that leaves the registry (its slot too)."""
        self.ue_bytes.pop(ue.ue_id, None)
        self.backlogs.forget(ue)
        if ue.slot < len(self._pf_average):
            self._pf_average[ue.slot] = math.nan

    def remembers(self, ue: Ue) -> bool:
        known = ue.slot < len(self._pf_average) and not math.isnan(self._pf_average[ue.slot])
        measured = self.backlogs.measured_rate_bps(ue) is not None
        return known or measured or ue.ue_id in self.ue_bytes or ue.slot in self.backlogs

    def set_kind(self, kind: SchedulerKind) -> None:
        self.kind = kind
        self._pf_average[:] = math.nan
        self._rr_offsets.clear()

    def active_ues(self, cell_id: int) -> int:
        slots = self.backlogs.slots()
        return int((self.environment.table.cell_id[slots] == cell_id).sum())

    def _sharing(self, ue: Ue) -> tuple[float, list[Ue]]:
        """The RBs left to share in the UE's cell (after its peers' static ones) and the peers
        with bytes waiting that share them, in round robin's order."""
        slots = self.backlogs.slots()
        table = self.environment.table
        peers = np.sort(slots[(table.cell_id[slots] == ue.cell_id) & (slots != ue.slot)])
        reserved = int(table.static_rbs[self._index][peers].sum())
        dynamic = [self.backlogs.ue(slot) for slot in peers.tolist()]
        dynamic = [p for p in dynamic if not p.static_rbs[self.direction]]
        return max(0.0, self.n_rbs - reserved), dynamic

    def rbs_for(self, ue: Ue) -> float:
        """RBs the UE holds on average now, or would hold if it had bytes waiting now."""
        static = ue.static_rbs[self.direction]
        if static:
            return float(static)
        rbs, sharing = self._sharing(ue)
        return rbs / (len(sharing) + 1)

    def rate_bps(self, ue: Ue) -> float:
        """The rate the UE gets while it has bytes waiting, with the peers that have some now.

        Over fast fading and this scheduler: the best RBGs of a static allocation, PF's
        multi-user diversity gain (``model.rate_statistics``); less HARQ's retransmissions."""
        environment, direction = self.environment, self.direction
        mine = environment.rate_distribution(ue, direction)
        harq = self.backlogs.harq
        goodput = harq.efficiency() if harq is not None else 1.0
        static = ue.static_rbs[direction]
        if static:
            return goodput * static_rate_bps(mine, static, environment.rbg_sizes)
        rbs, sharing = self._sharing(ue)
        if not sharing:
            return goodput * shared_rate_bps(self.kind, mine, rbs, 0)
        if self.kind is SchedulerKind.MAX_CI:
            peers = [environment.rate_distribution(p, direction) for p in sharing]
            return goodput * shared_rate_bps(self.kind, mine, rbs, len(sharing), peers=peers)
        # Round robin's turn passes from the peer with the next lower slot (it wraps round).
        before = max((p for p in sharing if p.slot < ue.slot), key=lambda p: p.slot, default=None)
        before_me = environment.rate_distribution(before or sharing[-1], direction)
        return goodput * shared_rate_bps(self.kind, mine, rbs, len(sharing), before_me=before_me)

    def measured_rate_bps(self, ue: Ue) -> float | None:
        """The rate the UE really got, while the link was its limit (None: not measured yet)."""
        return self.backlogs.measured_rate_bps(ue)

    def enqueue(self, ue: Ue, n_bytes: int) -> asyncio.Future[None]:
        """Put bytes in the UE's buffer; the future completes when the link has carried them."""
        if n_bytes <= 0:
            done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            done.set_result(None)
            return done
        capacity = self.environment.table.capacity
        self._pf_average = grown(self._pf_average, capacity, math.nan)
        done, new = self.backlogs.enqueue(ue, n_bytes, capacity)
        if new:
            self._wakeup.set()
        return done

    async def transmit(self, ue: Ue, n_bytes: int) -> None:
        await self.enqueue(ue, n_bytes)

    def tick(self, now: float) -> None:
        """Schedule one epoch: every backlogged UE is served for the time since it was last."""
        last_tick, self._last_tick = self._last_tick, now
        self.epochs += 1
        if self.backlogs:
            self._schedule(now, last_tick, max(0.0, now - last_tick))
        if self.epochs % _SWEEP_EPOCHS == 0:
            self.backlogs.sweep()

    def _schedule(self, now: float, last_tick: float, epoch_s: float) -> None:
        slots = self.backlogs.slots()
        table = self.environment.table
        cells = table.cell_id[slots]
        order = np.lexsort((slots, cells))  # by cell, then by slot: round robin's order
        slots, cells = slots[order], cells[order]
        cell_ids, starts = np.unique(cells, return_index=True)
        # A late wake-up schedules every epoch that passed (a long stall: as many, longer ones).
        sub_epochs = min(max(1, round(epoch_s / self.epoch_s)), _MAX_SUB_EPOCHS)
        offsets = np.array([self._rr_offsets.get(c, 0) for c in cell_ids.tolist()])
        self._rr_offsets.update(
            (c, o + sub_epochs) for c, o in zip(cell_ids.tolist(), offsets.tolist(), strict=True)
        )
        served_s = np.maximum(now - np.maximum(self.backlogs.since[slots], last_tick), 0.0)
        rates = self.environment.rb_rates_rows(slots, self.direction, now)
        demands = CellDemands(
            np.append(starts, len(slots)),
            self.backlogs.need_bytes(slots, now),
            rates * (served_s / (8 * sub_epochs))[:, None],
            table.static_rbs[self._index][slots],
            self._pf_average[slots],
            offsets,
        )
        grants = schedule_cells(
            self.kind, demands, self._rbg_sizes, self.pf_window_epochs, sub_epochs
        )
        if self.kind is SchedulerKind.PROPORTIONAL_FAIR:
            self._pf_average[slots] = grants.average_bytes
        self._carry_grants(slots, cells, cell_ids, grants, now, epoch_s / sub_epochs)

    def _carry_grants(
        self,
        slots: IntArray,
        cells: IntArray,
        cell_ids: IntArray,
        grants: CellGrants,
        now: float,
        sub_epoch_s: float,
    ) -> None:
        rb_seconds = np.bincount(cells, weights=grants.rbs * sub_epoch_s)
        sent_by_cell: dict[int, float] = {}
        granted = np.flatnonzero(grants.capacity_bytes > 0)
        for slot, cell_id, budget in zip(
            slots[granted].tolist(),
            cells[granted].tolist(),
            grants.capacity_bytes[granted].tolist(),
            strict=True,
        ):
            ue_id = self.backlogs.ue(slot).ue_id
            sent = self.backlogs.carry(slot, budget, now)
            sent_by_cell[cell_id] = sent_by_cell.get(cell_id, 0.0) + sent
            self.ue_bytes[ue_id] = self.ue_bytes.get(ue_id, 0.0) + sent
        for cell_id in cell_ids.tolist():
            counters = self.cells.setdefault(cell_id, CellCounters())
            counters.rb_seconds += float(rb_seconds[cell_id])
            sent = sent_by_cell.get(cell_id, 0.0)
            counters.bytes_sent += sent
            self.bytes_sent += sent

    async def run(self) -> None:
        """Tick every epoch while any UE is backlogged; sleep otherwise."""
        while True:
            if not self.backlogs:
                self._wakeup.clear()
                await self._wakeup.wait()
                self._last_tick = self._clock()
            due = self._clock() + self.epoch_s
            await asyncio.sleep(self.epoch_s)
            now = self._clock()
            self.last_lag_s = max(0.0, now - due)
            self.max_lag_s = max(self.max_lag_s, self.last_lag_s)
            if self.last_lag_s > self.epoch_s:
                self.late_epochs += 1
            self.tick(now)
