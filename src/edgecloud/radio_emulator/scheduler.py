"""The air-interface shaper: a scheduling loop that releases each UE's bytes at its rate.

Every epoch, for each cell, the RBs of the carrier are shared equally among the UEs that have bytes
waiting in this direction; each such UE may send the bytes its share carries over the time it was
backlogged. Bandwidth is per UE: concurrent requests of one UE queue behind each other in its FIFO.
A UE that stops having bytes waiting gives its RBs back at the next epoch; unused capacity is not
banked, so an idle UE cannot burst later.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from .cells import UeRadio

# Budgets are sums of floating-point products; without a tolerance a transmission can miss its
# epoch by a rounding error of a billionth of a byte.
_EPSILON_BYTES = 1e-6

RateFunction = Callable[[UeRadio, float], float]  # (UE, RBs held) -> rate in bit/s


@dataclass(slots=True)
class _Transmission:
    remaining_bytes: float
    done: asyncio.Future[None]


@dataclass(slots=True)
class _Backlog:
    ue: UeRadio
    queue: deque[_Transmission] = field(default_factory=deque)
    since: float = 0.0  # when the UE last became backlogged, or the last epoch that served it


class AirScheduler:
    """One direction (uplink or downlink) of every cell.

    ``transmit`` waits until the scheduler has released the given bytes; ``tick`` runs one epoch and
    is called by ``run`` in real time (tests drive it with their own clock).
    """

    def __init__(
        self,
        n_rbs: int,
        rate_bps: RateFunction,
        epoch_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.n_rbs = n_rbs
        self.epoch_s = epoch_s
        self._rate_bps = rate_bps
        self._clock = clock
        self._backlogs: dict[str, _Backlog] = {}
        self._wakeup = asyncio.Event()
        self.last_lag_s = 0.0
        self.bytes_sent = 0.0

    def active_ues(self, cell_id: int) -> int:
        return sum(1 for b in self._backlogs.values() if b.ue.cell_id == cell_id)

    def rbs_for(self, ue: UeRadio) -> float:
        """RBs the UE holds now, or would hold if it had bytes waiting now."""
        others = sum(
            1
            for b in self._backlogs.values()
            if b.ue.cell_id == ue.cell_id and b.ue.ue_id != ue.ue_id
        )
        return self.n_rbs / (others + 1)

    def rate_bps(self, ue: UeRadio) -> float:
        return self._rate_bps(ue, self.rbs_for(ue))

    async def transmit(self, ue: UeRadio, n_bytes: int) -> None:
        if n_bytes <= 0:
            return
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        backlog = self._backlogs.get(ue.ue_id)
        if backlog is None:
            backlog = _Backlog(ue, since=self._clock())
            self._backlogs[ue.ue_id] = backlog
            self._wakeup.set()
        backlog.queue.append(_Transmission(float(n_bytes), done))
        await done

    def tick(self, now: float) -> None:
        """Serve every backlogged UE for the time since it was last served."""
        per_cell: dict[int, list[_Backlog]] = {}
        for backlog in self._backlogs.values():
            per_cell.setdefault(backlog.ue.cell_id, []).append(backlog)
        for backlogs in per_cell.values():
            rbs_each = self.n_rbs / len(backlogs)
            for backlog in backlogs:
                budget = self._rate_bps(backlog.ue, rbs_each) * max(0.0, now - backlog.since) / 8
                backlog.since = now
                self.bytes_sent += self._release(backlog.queue, budget)
                if not backlog.queue:
                    del self._backlogs[backlog.ue.ue_id]

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
            due = self._clock() + self.epoch_s
            await asyncio.sleep(self.epoch_s)
            now = self._clock()
            self.last_lag_s = max(0.0, now - due)
            self.tick(now)
