"""The shaping loop driven by a fake clock: rates, sharing between UEs, per-UE FIFO."""

from __future__ import annotations

import asyncio

import pytest

from edgecloud.radio_emulator.cells import Position, UeRadio
from edgecloud.radio_emulator.scheduler import AirScheduler

RB_RATE_BPS = 1e6  # every RB carries 1 Mbit/s in these tests


def ue(ue_id: str, cell_id: int = 0) -> UeRadio:
    return UeRadio(ue_id, cell_id, Position(0, 0), 50.0, True, 10.0, 10.0)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def scheduler(clock: Clock, n_rbs: int = 10) -> AirScheduler:
    return AirScheduler(n_rbs, lambda u, rbs: rbs * RB_RATE_BPS, 0.001, clock=clock)


async def run_until_done(
    sched: AirScheduler, clock: Clock, tasks: list[asyncio.Task[None]], epoch_s: float = 0.001
) -> dict[int, float]:
    """Tick the fake clock until every task finished; returns each task's finish time."""
    finished: dict[int, float] = {}
    await asyncio.sleep(0)
    while len(finished) < len(tasks):
        clock.now = round(clock.now + epoch_s, 9)
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
    a = ue("a")
    assert sched.rate_bps(a) == pytest.approx(10e6)
    task = asyncio.create_task(sched.transmit(a, 12_500))  # 100 kbit at 10 Mbit/s = 10 ms
    done = await run_until_done(sched, clock, [task])
    assert done[0] == pytest.approx(0.010, abs=1e-9)
    assert sched.bytes_sent == pytest.approx(12_500)


@pytest.mark.anyio
async def test_two_active_ues_in_a_cell_share_its_rbs_equally() -> None:
    clock = Clock()
    sched = scheduler(clock)
    tasks = [asyncio.create_task(sched.transmit(ue(n), 12_500)) for n in ("a", "b")]
    await asyncio.sleep(0)
    assert sched.rbs_for(ue("a")) == 5
    assert sched.active_ues(0) == 2
    done = await run_until_done(sched, clock, tasks)
    assert done[0] == pytest.approx(0.020, abs=1e-9)
    assert done[1] == pytest.approx(0.020, abs=1e-9)


@pytest.mark.anyio
async def test_ues_of_different_cells_do_not_share() -> None:
    clock = Clock()
    sched = scheduler(clock)
    tasks = [
        asyncio.create_task(sched.transmit(ue("a", 0), 12_500)),
        asyncio.create_task(sched.transmit(ue("b", 1), 12_500)),
    ]
    done = await run_until_done(sched, clock, tasks)
    assert done == {0: pytest.approx(0.010), 1: pytest.approx(0.010)}


@pytest.mark.anyio
async def test_requests_of_one_ue_share_its_rate_in_fifo_order() -> None:
    clock = Clock()
    sched = scheduler(clock)
    a = ue("a")
    tasks = [asyncio.create_task(sched.transmit(a, 12_500)) for _ in range(2)]
    done = await run_until_done(sched, clock, tasks)
    # Bandwidth is per UE, not per connection: the second request waits for the first.
    assert done[0] == pytest.approx(0.010)
    assert done[1] == pytest.approx(0.020)


@pytest.mark.anyio
async def test_a_cancelled_waiter_is_skipped() -> None:
    clock = Clock()
    sched = scheduler(clock)
    a = ue("a")
    gone = asyncio.create_task(sched.transmit(a, 1_000_000))
    await asyncio.sleep(0)
    gone.cancel()
    kept = asyncio.create_task(sched.transmit(a, 12_500))
    done = await run_until_done(sched, clock, [kept])
    assert done[0] == pytest.approx(0.010)


@pytest.mark.anyio
async def test_the_real_time_loop_delivers_at_the_set_rate() -> None:
    sched = AirScheduler(10, lambda u, rbs: rbs * RB_RATE_BPS, 0.001)
    loop = asyncio.create_task(sched.run())
    try:
        started = asyncio.get_running_loop().time()
        await sched.transmit(ue("a"), 62_500)  # 0.5 Mbit at 10 Mbit/s = 50 ms
        elapsed = asyncio.get_running_loop().time() - started
    finally:
        loop.cancel()
    assert 0.049 <= elapsed < 0.2
