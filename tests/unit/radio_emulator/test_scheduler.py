"""The real-time shaper driven by a fake clock: rates, sharing between UEs, per-UE FIFO."""

from __future__ import annotations

import asyncio
import random

import numpy as np
import pytest

from edgecloud.model.cells import Direction, Ue
from edgecloud.model.mobility import Motion
from edgecloud.model.nr import Carrier
from edgecloud.model.rate_statistics import X_EDGES, RateDistribution
from edgecloud.model.scheduling import FloatArray, IntArray, SchedulerKind
from edgecloud.model.ue_table import UeTable
from edgecloud.radio_emulator.scheduler import AirScheduler

RB_RATE_BPS = 1e6  # every RB carries 1 Mbit/s in these tests, on every RBG


class FlatChannels:
    """A carrier of 51 RBs (13 RBGs) where every RB carries the same rate for every UE."""

    carrier = Carrier(numerology=1, bandwidth_mhz=20)
    rbg_sizes = carrier.rbg_sizes()

    def __init__(self) -> None:
        self.table = UeTable(len(self.rbg_sizes))
        self.ues: dict[str, Ue] = {}

    def ue(self, ue_id: str, cell_id: int = 0) -> Ue:
        if ue_id not in self.ues:
            slot = self.table.add()
            self.ues[ue_id] = Ue(
                ue_id, random.Random(0), [True], [0.0], Motion(0, 0), cell_id=cell_id, slot=slot
            )
            self.table.cell_id[slot] = cell_id
        return self.ues[ue_id]

    def set_static_rbs(self, ue: Ue, rbs: int) -> None:
        ue.static_rbs[Direction.DOWNLINK] = rbs
        self.table.static_rbs[0, ue.slot] = rbs

    def rb_rates_rows(self, slots: IntArray, direction: Direction, now: float) -> FloatArray:
        return np.full((len(slots), len(self.rbg_sizes)), RB_RATE_BPS)

    def rate_distribution(self, ue: Ue, direction: Direction) -> RateDistribution:
        return FLAT


def flat_distribution(rate_bps: float, n_rbgs: int) -> RateDistribution:
    """Every RBG carries ``rate_bps`` per RB, always: all of x's mass at 1."""
    one = int(np.searchsorted(X_EDGES, 1.0, side="right")) - 1
    pdf = np.zeros(len(X_EDGES) - 1)
    pdf[one] = 1.0
    below = np.cumsum(pdf) - pdf
    top = np.full(n_rbgs, rate_bps)
    return RateDistribution(rate_bps, pdf, pdf.copy(), below, top)


FLAT = flat_distribution(RB_RATE_BPS, len(FlatChannels.rbg_sizes))


def ue(sched: AirScheduler, ue_id: str, cell_id: int = 0) -> Ue:
    assert isinstance(sched.environment, FlatChannels)
    return sched.environment.ue(ue_id, cell_id)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def scheduler(clock: Clock, kind: SchedulerKind = SchedulerKind.ROUND_ROBIN) -> AirScheduler:
    return AirScheduler(FlatChannels(), Direction.DOWNLINK, kind, 0.001, clock=clock)


async def run_until_done(
    sched: AirScheduler, clock: Clock, tasks: list[asyncio.Task[None]]
) -> dict[int, float]:
    """Tick the fake clock by 1 ms until every task finished; returns each one's finish time."""
    finished: dict[int, float] = {}
    await asyncio.sleep(0)
    while len(finished) < len(tasks):
        clock.now = round(clock.now + 0.001, 9)
        sched.tick(clock.now)
        await asyncio.sleep(0)
        for i, task in enumerate(tasks):
            if task.done() and i not in finished:
                finished[i] = clock.now
        assert clock.now < 100, "transmissions never finished"
    return finished


@pytest.mark.anyio
async def test_one_ue_gets_the_whole_carrier() -> None:
    clock = Clock()
    sched = scheduler(clock)
    a = ue(sched, "a")
    assert sched.rate_bps(a) == pytest.approx(51e6)
    task = asyncio.create_task(sched.transmit(a, 63_750))  # 510 kbit at 51 Mbit/s = 10 ms
    done = await run_until_done(sched, clock, [task])
    assert done[0] == pytest.approx(0.010, abs=1e-9)
    assert sched.bytes_sent == pytest.approx(63_750)
    assert sched.cells[0].rb_seconds == pytest.approx(51 * 0.010)


@pytest.mark.anyio
@pytest.mark.parametrize("kind", list(SchedulerKind))
async def test_two_saturated_ues_of_a_cell_share_its_rbs(kind: SchedulerKind) -> None:
    clock = Clock()
    sched = scheduler(clock, kind)
    tasks = [asyncio.create_task(sched.transmit(ue(sched, n), 637_500)) for n in ("a", "b")]
    await asyncio.sleep(0)
    assert sched.rbs_for(ue(sched, "a")) == 25.5
    assert sched.active_ues(0) == 2
    done = await run_until_done(sched, clock, tasks)
    if kind is SchedulerKind.MAX_CI:
        # Equal channels: max C/I serves the first UE alone, then the other (same total time).
        assert sorted(done.values()) == pytest.approx([0.1, 0.2], abs=0.002)
    else:
        assert list(done.values()) == pytest.approx([0.2, 0.2], abs=0.002)


@pytest.mark.anyio
async def test_ues_of_different_cells_do_not_share() -> None:
    clock = Clock()
    sched = scheduler(clock)
    tasks = [
        asyncio.create_task(sched.transmit(ue(sched, "a", 0), 63_750)),
        asyncio.create_task(sched.transmit(ue(sched, "b", 1), 63_750)),
    ]
    done = await run_until_done(sched, clock, tasks)
    assert done == {0: pytest.approx(0.010), 1: pytest.approx(0.010)}


@pytest.mark.anyio
async def test_requests_of_one_ue_share_its_rate_in_fifo_order() -> None:
    clock = Clock()
    sched = scheduler(clock)
    a = ue(sched, "a")
    tasks = [asyncio.create_task(sched.transmit(a, 63_750)) for _ in range(2)]
    done = await run_until_done(sched, clock, tasks)
    # Bandwidth is per UE, not per connection: the second request waits for the first.
    assert done[0] == pytest.approx(0.010)
    assert done[1] == pytest.approx(0.020)


@pytest.mark.anyio
async def test_a_static_allocation_fixes_the_rate() -> None:
    clock = Clock()
    sched = scheduler(clock)
    a, b = ue(sched, "a"), ue(sched, "b")
    sched.environment.set_static_rbs(a, 5)  # type: ignore[attr-defined]
    assert sched.rbs_for(a) == 5
    tasks = [
        asyncio.create_task(sched.transmit(a, 62_500)),  # 500 kbit at 5 Mbit/s: 100 ms
        asyncio.create_task(sched.transmit(b, 57_500)),
    ]  # 460 kbit at 46 Mbit/s: 10 ms
    done = await run_until_done(sched, clock, tasks)
    assert done[0] == pytest.approx(0.100, abs=1e-9)
    assert done[1] == pytest.approx(0.010, abs=1e-9)


@pytest.mark.anyio
async def test_a_cancelled_waiter_is_skipped() -> None:
    clock = Clock()
    sched = scheduler(clock)
    a = ue(sched, "a")
    gone = asyncio.create_task(sched.transmit(a, 10_000_000))
    await asyncio.sleep(0)
    gone.cancel()
    kept = asyncio.create_task(sched.transmit(a, 63_750))
    done = await run_until_done(sched, clock, [kept])
    assert done[0] == pytest.approx(0.010)


@pytest.mark.anyio
async def test_the_real_time_loop_delivers_at_the_set_rate() -> None:
    sched = AirScheduler(FlatChannels(), Direction.DOWNLINK, SchedulerKind.ROUND_ROBIN, 0.001)
    loop = asyncio.create_task(sched.run())
    try:
        started = asyncio.get_running_loop().time()
        await sched.transmit(ue(sched, "a"), 318_750)  # 2.55 Mbit at 51 Mbit/s = 50 ms
        elapsed = asyncio.get_running_loop().time() - started
    finally:
        loop.cancel()
    assert 0.049 <= elapsed < 0.2
