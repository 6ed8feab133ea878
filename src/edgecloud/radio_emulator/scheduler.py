"""The air-interface shaper: a real-time scheduling loop that releases each UE's bytes.

Every epoch, for each cell, the direction's scheduler (``edgecloud.model.scheduling``) hands the
carrier's RBGs to the UEs that have bytes waiting; each UE may then send exactly the bytes its RBs
carry over the time it was backlogged. Bandwidth is per UE: concurrent requests of one UE queue
behind each other in its FIFO. Unused capacity is not banked, so an idle UE cannot burst later.
A late epoch is served for the time that really passed (rates stay exact) and its lag is reported.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from edgecloud.model.cells import Direction, Ue
from edgecloud.model.nr import Carrier
from edgecloud.model.scheduling import CellSchedulerState, Demand, SchedulerKind, schedule

# Budgets are sums of floating-point products; without a tolerance a transmission can miss its
# epoch by a rounding error of a billionth of a byte.
_EPSILON_BYTES = 1e-6


class Channels(Protocol):
    """What the scheduler needs to know of the radio environment."""

    @property
    def carrier(self) -> Carrier: ...

    @property
    def rbg_sizes(self) -> list[int]: ...

    def rb_rates_bps(self, ue: Ue, direction: Direction, now: float) -> list[float]: ...

    def rate_bps(self, ue: Ue, n_rbs: float, direction: Direction) -> float: ...


@dataclass(slots=True)
class _Transmission:
    remaining_bytes: float
    done: asyncio.Future[None]


@dataclass(slots=True)
class _Backlog:
    ue: Ue
    queue: deque[_Transmission] = field(default_factory=deque)
    since: float = 0.0  # when the UE last became backlogged, or the last epoch that served it

    def waiting_bytes(self) -> float:
        return sum(t.remaining_bytes for t in self.queue if not t.done.done())


@dataclass(slots=True)
class CellCounters:
    rb_seconds: float = 0.0  # RBs granted x epoch duration
    bytes_sent: float = 0.0


class AirScheduler:
    """One direction (uplink or downlink) of every cell.

    ``transmit`` waits until the scheduler has released the given bytes; ``tick`` runs one epoch and
    is called by ``run`` in real time (tests drive it with their own clock).
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
        self.kind = kind
        self.epoch_s = epoch_s
        self.pf_window_epochs = pf_window_epochs
        self._clock = clock
        self._backlogs: dict[str, _Backlog] = {}
        self._states: dict[int, CellSchedulerState] = {}
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

    def forget(self, ue_id: str) -> None:
        """Drop what the scheduler remembers of a UE that left the registry."""
        self.ue_bytes.pop(ue_id, None)
        for state in self._states.values():
            state.average_bytes.pop(ue_id, None)

    def remembers(self, ue_id: str) -> bool:
        in_states = any(ue_id in state.average_bytes for state in self._states.values())
        return in_states or ue_id in self.ue_bytes or ue_id in self._backlogs

    def set_kind(self, kind: SchedulerKind) -> None:
        self.kind = kind
        self._states.clear()

    def active_ues(self, cell_id: int) -> int:
        return sum(1 for b in self._backlogs.values() if b.ue.cell_id == cell_id)

    def rbs_for(self, ue: Ue) -> float:
        """RBs the UE holds on average now, or would hold if it had bytes waiting now."""
        static = ue.static_rbs[self.direction]
        if static:
            return float(static)
        peers = [b.ue for b in self._backlogs.values() if b.ue.cell_id == ue.cell_id]
        reserved = sum(p.static_rbs[self.direction] or 0 for p in peers if p.ue_id != ue.ue_id)
        sharing = sum(1 for p in peers if not p.static_rbs[self.direction] and p.ue_id != ue.ue_id)
        return max(0.0, self.n_rbs - reserved) / (sharing + 1)

    def rate_bps(self, ue: Ue) -> float:
        """The UE's expected rate from its share of RBs and its large-scale SINR."""
        return self.environment.rate_bps(ue, self.rbs_for(ue), self.direction)

    def enqueue(self, ue: Ue, n_bytes: int) -> asyncio.Future[None]:
        """Put bytes in the UE's buffer; the future completes when the link has carried them."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if n_bytes <= 0:
            done.set_result(None)
            return done
        backlog = self._backlogs.get(ue.ue_id)
        if backlog is None:
            backlog = _Backlog(ue, since=self._clock())
            self._backlogs[ue.ue_id] = backlog
            self._wakeup.set()
        backlog.queue.append(_Transmission(float(n_bytes), done))
        return done

    async def transmit(self, ue: Ue, n_bytes: int) -> None:
        await self.enqueue(ue, n_bytes)

    def tick(self, now: float) -> None:
        """Schedule one epoch: every backlogged UE is served for the time since it was last."""
        epoch_s = max(0.0, now - self._last_tick)
        self._last_tick = now
        self.epochs += 1
        per_cell: dict[int, list[_Backlog]] = {}
        for backlog in self._backlogs.values():
            per_cell.setdefault(backlog.ue.cell_id, []).append(backlog)
        for cell_id, backlogs in per_cell.items():
            self._schedule_cell(cell_id, backlogs, now, epoch_s)
        for backlog in list(self._backlogs.values()):
            if not backlog.queue:
                del self._backlogs[backlog.ue.ue_id]

    def _schedule_cell(
        self, cell_id: int, backlogs: list[_Backlog], now: float, epoch_s: float
    ) -> None:
        demands = []
        for backlog in backlogs:
            served_s = max(0.0, now - backlog.since)
            backlog.since = now
            rates = self.environment.rb_rates_bps(backlog.ue, self.direction, now)
            demands.append(
                Demand(
                    backlog.ue.ue_id,
                    backlog.waiting_bytes(),
                    [rate * served_s / 8 for rate in rates],
                    backlog.ue.static_rbs[self.direction],
                )
            )
        state = self._states.setdefault(cell_id, CellSchedulerState())
        grants = schedule(
            self.kind, demands, self.environment.rbg_sizes, state, self.pf_window_epochs
        )
        counters = self.cells.setdefault(cell_id, CellCounters())
        for backlog in backlogs:
            grant = grants[backlog.ue.ue_id]
            sent = self._release(backlog.queue, grant.capacity_bytes)
            counters.rb_seconds += grant.rbs * epoch_s
            counters.bytes_sent += sent
            self.bytes_sent += sent
            self.ue_bytes[backlog.ue.ue_id] = self.ue_bytes.get(backlog.ue.ue_id, 0.0) + sent

    @staticmethod
    def _release(queue: deque[_Transmission], budget_bytes: float) -> float:
        sent = 0.0
        while queue:
            head = queue[0]
            if head.done.done():  # the waiter went away (client disconnected)
                queue.popleft()
                continue
            if budget_bytes < head.remaining_bytes - _EPSILON_BYTES:
                head.remaining_bytes -= budget_bytes
                return sent + budget_bytes
            budget_bytes = max(0.0, budget_bytes - head.remaining_bytes)
            sent += head.remaining_bytes
            head.done.set_result(None)
            queue.popleft()
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
