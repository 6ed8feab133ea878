"""HARQ in the shaper, worked by hand on a flat 51 Mbit/s carrier (6,375 bytes per 1 ms epoch),
and the measured rate a UE gets while the link is its limit."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from edgecloud.model.harq import Harq
from edgecloud.radio_emulator.backlogs import Backlogs
from edgecloud.radio_emulator.scheduler import AirScheduler

from .test_scheduler import Clock, run_until_done, scheduler, ue

HARQ = Harq(rtt_s=0.004)


def draws(*values: float) -> Iterator[float]:
    """Uniform numbers as scripted, then ones that never fail a block."""
    yield from values
    while True:
        yield 0.99


def with_harq(clock: Clock, *failing: float) -> AirScheduler:
    sched = scheduler(clock)
    numbers = draws(*failing)
    sched.backlogs = Backlogs(clock, HARQ, draw=lambda: next(numbers))
    return sched


@pytest.mark.anyio
async def test_a_failed_block_arrives_one_round_trip_later() -> None:
    clock = Clock()
    sched = with_harq(clock, 0.05)  # the first block fails (0.05 < 10%), its copy does not
    task = asyncio.create_task(sched.transmit(ue(sched, "a"), 1_000))
    done = await run_until_done(sched, clock, [task])
    # Sent at 1 ms, failed; the copy goes at 1 + 4 ms and is delivered then.
    assert done[0] == pytest.approx(0.005)
    backlogs = sched.backlogs
    assert (backlogs.blocks, backlogs.failed_blocks) == (1, 1)
    assert backlogs.retransmitted_bytes == pytest.approx(1_000)


@pytest.mark.anyio
async def test_a_copy_costs_capacity_and_later_blocks_wait_for_it_in_order() -> None:
    clock = Clock()
    sched = with_harq(clock, 0.05)
    first = asyncio.create_task(sched.transmit(ue(sched, "a"), 6_375))
    rest = asyncio.create_task(sched.transmit(ue(sched, "a"), 57_375))
    done = await run_until_done(sched, clock, [first, rest])
    # Block 1 (1 ms) fails; blocks 2-4 arrive but wait for it; its copy takes all of epoch 5.
    assert done[0] == pytest.approx(0.005)
    # Ten blocks of new data and one copy: eleven epochs instead of ten.
    assert done[1] == pytest.approx(0.011)


@pytest.mark.anyio
async def test_without_errors_harq_changes_nothing() -> None:
    clock = Clock()
    sched = with_harq(clock)
    task = asyncio.create_task(sched.transmit(ue(sched, "a"), 63_750))
    done = await run_until_done(sched, clock, [task])
    assert done[0] == pytest.approx(0.010)


@pytest.mark.anyio
async def test_the_expected_rate_counts_harqs_copies() -> None:
    clock = Clock()
    sched = with_harq(clock)
    assert sched.rate_bps(ue(sched, "a")) == pytest.approx(51e6 * HARQ.efficiency())


@pytest.mark.anyio
async def test_the_measured_rate_is_what_a_saturated_ue_gets() -> None:
    clock = Clock()
    sched = scheduler(clock)
    a, b = ue(sched, "a"), ue(sched, "b")
    assert sched.measured_rate_bps(a) is None
    tasks = [asyncio.create_task(sched.transmit(u, 637_500)) for u in (a, b)]
    await run_until_done(sched, clock, tasks)
    # Two UEs share 51 Mbit/s for 200 ms: each got 25.5 Mbit/s while the link was its limit.
    assert sched.measured_rate_bps(a) == pytest.approx(25.5e6, rel=0.01)
    assert sched.measured_rate_bps(b) == pytest.approx(25.5e6, rel=0.01)


@pytest.mark.anyio
async def test_a_ue_that_never_waits_on_the_link_has_no_measured_rate() -> None:
    clock = Clock()
    sched = scheduler(clock)
    a = ue(sched, "a")
    for _ in range(5):  # each fits in one epoch's grant: the link was never its limit
        await run_until_done(sched, clock, [asyncio.create_task(sched.transmit(a, 1_000))])
    assert sched.measured_rate_bps(a) is None
