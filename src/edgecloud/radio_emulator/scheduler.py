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
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from edgecloud.model.cells import DIRECTION_INDEX, Direction, Ue
from edgecloud.model.nr import Carrier
from edgecloud.model.scheduling import (
    CellDemands,
    CellGrants,
    FloatArray,
    IntArray,
    SchedulerKind,
    schedule_cells,
)
from edgecloud.model.ue_table import UeTable

# Budgets are sums of floating-point products; without a tolerance a transmission can miss its
# epoch by a rounding error of a billionth of a byte.
_EPSILON_BYTES = 1e-6
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

    def rate_bps(self, ue: Ue, n_rbs: float, direction: Direction) -> float: ...


@dataclass(slots=True)
class _Transmission:
    remaining_bytes: float
    done: asyncio.Future[None]


@dataclass(slots=True)
class _Backlog:
    ue: Ue
    queue: deque[_Transmission] = field(default_factory=deque)


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
    ) -> None:
        self.environment = environment
        self.direction = direction
        self._index = DIRECTION_INDEX[direction]
        self.kind = kind
        self.epoch_s = epoch_s
        self.pf_window_epochs = pf_window_epochs
        self._clock = clock
        self._backlogs: dict[int, _Backlog] = {}  # by slot
        # By slot: bytes waiting (withdrawn transmissions count until the queue reaches them),
        # when the UE became backlogged, and PF's average (NaN: not known yet).
        self._waiting_bytes = np.zeros(0)
        self._since = np.zeros(0)
        self._pf_average = np.zeros(0)
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

    def _fit_table(self) -> None:
        extra = self.environment.table.capacity - len(self._waiting_bytes)
        if extra > 0:
            self._waiting_bytes = np.concatenate([self._waiting_bytes, np.zeros(extra)])
            self._since = np.concatenate([self._since, np.zeros(extra)])
            self._pf_average = np.concatenate([self._pf_average, np.full(extra, math.nan)])

    def forget(self, ue: Ue) -> None:
        """Drop what the scheduler remembers of a UE that leaves the registry (its slot too)."""
        self.ue_bytes.pop(ue.ue_id, None)
        backlog = self._backlogs.pop(ue.slot, None)
        for transmission in backlog.queue if backlog else ():
            transmission.done.cancel()
        if ue.slot < len(self._waiting_bytes):
            self._waiting_bytes[ue.slot] = 0.0
            self._pf_average[ue.slot] = math.nan

    def remembers(self, ue: Ue) -> bool:
        known = ue.slot < len(self._pf_average) and not math.isnan(self._pf_average[ue.slot])
        return known or ue.ue_id in self.ue_bytes or ue.slot in self._backlogs

    def set_kind(self, kind: SchedulerKind) -> None:
        self.kind = kind
        self._pf_average[:] = math.nan
        self._rr_offsets.clear()

    def _backlogged(self) -> IntArray:
        return np.fromiter(self._backlogs, np.int64, len(self._backlogs))

    def active_ues(self, cell_id: int) -> int:
        slots = self._backlogged()
        return int((self.environment.table.cell_id[slots] == cell_id).sum())

    def rbs_for(self, ue: Ue) -> float:
        """RBs the UE holds on average now, or would hold if it had bytes waiting now."""
        static = ue.static_rbs[self.direction]
        if static:
            return float(static)
        table = self.environment.table
        slots = self._backlogged()
        peers = slots[(table.cell_id[slots] == ue.cell_id) & (slots != ue.slot)]
        reserved = table.static_rbs[self._index][peers]
        return max(0.0, self.n_rbs - float(reserved.sum())) / (int((reserved == 0).sum()) + 1)

    def rate_bps(self, ue: Ue) -> float:
        """The UE's expected rate from its share of RBs and its large-scale SINR."""
        return self.environment.rate_bps(ue, self.rbs_for(ue), self.direction)

    def enqueue(self, ue: Ue, n_bytes: int) -> asyncio.Future[None]:
        """Put bytes in the UE's buffer; the future completes when the link has carried them."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if n_bytes <= 0:
            done.set_result(None)
            return done
        backlog = self._backlogs.get(ue.slot)
        if backlog is None:
            self._fit_table()
            backlog = self._backlogs[ue.slot] = _Backlog(ue)
            self._since[ue.slot] = self._clock()
            self._waiting_bytes[ue.slot] = 0.0
            self._wakeup.set()
        backlog.queue.append(_Transmission(float(n_bytes), done))
        self._waiting_bytes[ue.slot] += n_bytes
        return done

    async def transmit(self, ue: Ue, n_bytes: int) -> None:
        await self.enqueue(ue, n_bytes)

    def tick(self, now: float) -> None:
        """Schedule one epoch: every backlogged UE is served for the time since it was last."""
        last_tick, self._last_tick = self._last_tick, now
        self.epochs += 1
        if self._backlogs:
            self._schedule(now, last_tick, max(0.0, now - last_tick))
        if self.epochs % _SWEEP_EPOCHS == 0:
            self._sweep_withdrawn()

    def _schedule(self, now: float, last_tick: float, epoch_s: float) -> None:
        slots = self._backlogged()
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
        served_s = np.maximum(now - np.maximum(self._since[slots], last_tick), 0.0)
        rates = self.environment.rb_rates_rows(slots, self.direction, now)
        demands = CellDemands(
            np.append(starts, len(slots)),
            self._waiting_bytes[slots],
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
        self._release_grants(slots, cells, grants, epoch_s / sub_epochs)

    def _release_grants(
        self, slots: IntArray, cells: IntArray, grants: CellGrants, sub_epoch_s: float
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
            backlog = self._backlogs[slot]
            sent = self._release(backlog, budget)
            sent_by_cell[cell_id] = sent_by_cell.get(cell_id, 0.0) + sent
            ue_id = backlog.ue.ue_id
            self.ue_bytes[ue_id] = self.ue_bytes.get(ue_id, 0.0) + sent
        for cell_id in np.unique(cells).tolist():
            counters = self.cells.setdefault(cell_id, CellCounters())
            counters.rb_seconds += float(rb_seconds[cell_id])
            sent = sent_by_cell.get(cell_id, 0.0)
            counters.bytes_sent += sent
            self.bytes_sent += sent

    def _sweep_withdrawn(self) -> None:
        """Drop transmissions whose waiters went away from UEs no grant reaches (no coverage)."""
        for backlog in list(self._backlogs.values()):
            self._release(backlog, 0.0)

    def _release(self, backlog: _Backlog, budget_bytes: float) -> float:
        """Send up to ``budget_bytes`` from the head of the UE's FIFO; a UE left empty leaves."""
        queue = backlog.queue
        slot = backlog.ue.slot
        sent = 0.0
        while queue:
            head = queue[0]
            if head.done.done():  # the waiter went away (client disconnected)
                self._waiting_bytes[slot] -= head.remaining_bytes
                queue.popleft()
                continue
            if budget_bytes < head.remaining_bytes - _EPSILON_BYTES:
                head.remaining_bytes -= budget_bytes
                self._waiting_bytes[slot] -= budget_bytes
                return sent + budget_bytes
            budget_bytes = max(0.0, budget_bytes - head.remaining_bytes)
            sent += head.remaining_bytes
            self._waiting_bytes[slot] -= head.remaining_bytes
            head.done.set_result(None)
            queue.popleft()
        self._waiting_bytes[slot] = 0.0
        del self._backlogs[slot]
        return sent

    async def run(self) -> None:
        """Tick every epoch while any UE is backlogged; sleep otherwise."""
        while True:
            if not self._backlogs:
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
