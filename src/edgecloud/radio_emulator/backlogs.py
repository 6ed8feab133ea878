"""What each UE has waiting for the air: its FIFO of transmissions, its HARQ blocks, its rate.

Bytes leave in one transport block per UE and grant. With HARQ on, a block fails with the
probability ``model.harq`` gives; its copy is sent one round trip later, before any new data, and
bytes reach the UE in order, so the blocks sent after a failed one wait for it (RLC's in-order
delivery). A copy larger than the grant that carries it is paid back from the next grants.
The measured rate is a moving average (over ``rate_window_s`` of busy time) of the bytes delivered
per second while the link was the limit: between grants that left bytes waiting.
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from edgecloud.model.cells import Ue
from edgecloud.model.harq import Harq
from edgecloud.model.scheduling import EPSILON_BYTES, FloatArray, IntArray
from edgecloud.model.ue_table import grown


@dataclass(slots=True)
class _Transmission:
    remaining_bytes: float
    done: asyncio.Future[None]


@dataclass(slots=True)
class _Segment:
    """Bytes sent in one block: delivered once every segment before them is."""

    size_bytes: float
    ok: bool
    due_at: float = math.inf  # a failed block's next copy
    copies: int = 1


@dataclass(slots=True)
class _Backlog:
    ue: Ue
    queue: deque[_Transmission] = field(default_factory=deque)
    segments: deque[_Segment] = field(default_factory=deque)
    debt_bytes: float = 0.0


class Backlogs:
    def __init__(
        self,
        clock: Callable[[], float],
        harq: Harq | None,
        seed: int = 0,
        rate_window_s: float = 1.0,
        draw: Callable[[], float] | None = None,
    ) -> None:
        """``draw`` gives the uniform numbers block errors are drawn with (default: seeded)."""
        self._clock = clock
        self.harq = harq
        self._draw = draw or np.random.default_rng(seed).random
        self._rate_window_s = rate_window_s
        self._backlogs: dict[int, _Backlog] = {}  # by slot
        # Slots with a failed block waiting for its copy, or a copy's cost still to pay.
        self._harq_waiting: set[int] = set()
        # By slot: bytes not yet sent in any block, when the UE became backlogged, the start of
        # the time the measured rate accrues, and the rate's moving sums (bytes, seconds).
        self.untransmitted = np.zeros(0)
        self.since = np.zeros(0)
        self._mark = np.zeros(0)
        self._rate_bytes = np.zeros(0)
        self._rate_s = np.zeros(0)
        self.retransmitted_bytes = 0.0
        self.failed_blocks = 0
        self.blocks = 0

    def __bool__(self) -> bool:
        return bool(self._backlogs)

    def __contains__(self, slot: int) -> bool:
        return slot in self._backlogs

    def fit(self, capacity: int) -> None:
        self.untransmitted = grown(self.untransmitted, capacity)
        self.since = grown(self.since, capacity)
        self._mark = grown(self._mark, capacity)
        self._rate_bytes = grown(self._rate_bytes, capacity)
        self._rate_s = grown(self._rate_s, capacity)

    def slots(self) -> IntArray:
        return np.fromiter(self._backlogs, np.int64, len(self._backlogs))

    def ue(self, slot: int) -> Ue:
        return self._backlogs[slot].ue

    def enqueue(self, ue: Ue, n_bytes: int, capacity: int) -> tuple[asyncio.Future[None], bool]:
        """The waiter for ``n_bytes`` more of the UE's, and whether the UE was idle before."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        backlog = self._backlogs.get(ue.slot)
        new = backlog is None
        if backlog is None:
            self.fit(capacity)
            backlog = self._backlogs[ue.slot] = _Backlog(ue)
            self.since[ue.slot] = self._mark[ue.slot] = self._clock()
            self.untransmitted[ue.slot] = 0.0
        backlog.queue.append(_Transmission(float(n_bytes), done))
        self.untransmitted[ue.slot] += n_bytes
        return done, new

    def need_bytes(self, slots: IntArray, now: float) -> FloatArray:
        """What each UE could send now: new bytes and the copies that are due."""
        need = self.untransmitted[slots].copy()
        if not self._harq_waiting:
            return need
        waiting = np.fromiter(self._harq_waiting, np.int64, len(self._harq_waiting))
        for row in np.flatnonzero(np.isin(slots, waiting)).tolist():
            backlog = self._backlogs[int(slots[row])]
            due = sum(s.size_bytes for s in backlog.segments if s.due_at <= now)
            need[row] = max(0.0, need[row] + due + backlog.debt_bytes)
        return need

    def measured_rate_bps(self, ue: Ue) -> float | None:
        if ue.slot >= len(self._rate_s) or self._rate_s[ue.slot] <= 0:
            return None
        return float(8 * self._rate_bytes[ue.slot] / self._rate_s[ue.slot])

    def carry(self, slot: int, budget_bytes: float, now: float) -> float:
        """What one grant carries for the UE; returns the bytes delivered to it."""
        backlog = self._backlogs[slot]
        self._withdraw(backlog)
        budget = budget_bytes - backlog.debt_bytes
        backlog.debt_bytes = 0.0
        budget = self._retransmit(backlog, budget, now)
        if budget > EPSILON_BYTES and self.untransmitted[slot] > EPSILON_BYTES:
            size = min(budget, float(self.untransmitted[slot]))
            self.untransmitted[slot] -= size
            self.blocks += 1
            if self.harq is not None and self._draw() < self.harq.bler(1):
                self.failed_blocks += 1
                backlog.segments.append(_Segment(size, False, now + self.harq.rtt_s))
            else:
                backlog.segments.append(_Segment(size, True))
        elif budget < 0:
            backlog.debt_bytes = -budget
        delivered = self._deliver(backlog)
        self._measure(slot, now, delivered)
        if not self._leave_if_empty(slot, backlog):
            if backlog.debt_bytes or any(not s.ok for s in backlog.segments):
                self._harq_waiting.add(slot)
            else:
                self._harq_waiting.discard(slot)
        return delivered

    def _withdraw(self, backlog: _Backlog) -> None:
        """Waiters that went away before any of their bytes left: their bytes leave the buffer."""
        queue = backlog.queue
        while queue and queue[0].done.done() and not backlog.segments:
            self._unqueue(backlog, queue.popleft().remaining_bytes)

    def _retransmit(self, backlog: _Backlog, budget: float, now: float) -> float:
        harq = self.harq
        for segment in backlog.segments:
            if harq is None or budget <= EPSILON_BYTES:
                break
            if segment.ok or segment.due_at > now:
                continue
            segment.copies += 1
            budget -= segment.size_bytes
            self.retransmitted_bytes += segment.size_bytes
            last = segment.copies >= harq.max_transmissions
            if last or self._draw() >= harq.bler(segment.copies):
                segment.ok = True
            else:
                segment.due_at = now + harq.rtt_s
        return budget

    def _deliver(self, backlog: _Backlog) -> float:
        """Hand the UE the bytes now in order; complete the waiters they cover."""
        delivered = 0.0
        segments = backlog.segments
        while segments and segments[0].ok:
            delivered += segments.popleft().size_bytes
        budget, queue = delivered, backlog.queue
        while queue:
            head = queue[0]
            if head.done.done():  # the waiter went away: its bytes leave the buffer
                gone = min(head.remaining_bytes, max(0.0, budget))
                budget -= gone
                self._unqueue(backlog, head.remaining_bytes - gone)
                queue.popleft()
                continue
            if budget < head.remaining_bytes - EPSILON_BYTES:
                head.remaining_bytes -= max(0.0, budget)
                break
            budget -= head.remaining_bytes
            head.done.set_result(None)
            queue.popleft()
        return delivered

    def _unqueue(self, backlog: _Backlog, n_bytes: float) -> None:
        slot = backlog.ue.slot
        self.untransmitted[slot] = max(0.0, self.untransmitted[slot] - n_bytes)

    def _measure(self, slot: int, now: float, delivered_bytes: float) -> None:
        """A grant that left new bytes waiting: the time since the last one was the link's."""
        if self.untransmitted[slot] > EPSILON_BYTES:
            busy_s = now - self._mark[slot]
            kept = math.exp(-busy_s / self._rate_window_s)
            self._rate_bytes[slot] = kept * self._rate_bytes[slot] + delivered_bytes
            self._rate_s[slot] = kept * self._rate_s[slot] + busy_s
        self._mark[slot] = now

    def sweep(self) -> None:
        """Drop the waiters that went away of UEs no grant reaches (no coverage)."""
        for slot, backlog in list(self._backlogs.items()):
            self._deliver(backlog)
            self._leave_if_empty(slot, backlog)

    def _leave_if_empty(self, slot: int, backlog: _Backlog) -> bool:
        """A UE with nothing queued and nothing in flight is no longer backlogged."""
        if backlog.queue or backlog.segments:
            return False
        self.untransmitted[slot] = 0.0
        self._harq_waiting.discard(slot)
        del self._backlogs[slot]
        return True

    def forget(self, ue: Ue) -> None:
        backlog = self._backlogs.pop(ue.slot, None)
        self._harq_waiting.discard(ue.slot)
        for transmission in backlog.queue if backlog else ():
            transmission.done.cancel()
        if ue.slot < len(self.untransmitted):
            self.untransmitted[ue.slot] = 0.0
            self._rate_bytes[ue.slot] = self._rate_s[ue.slot] = 0.0
