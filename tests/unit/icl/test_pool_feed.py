"""The experience pool and its feed: what a source answers arrives, and staleness is the clock's."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from edgecloud.icl import ExperienceSourceError, InMemorySource, PoolFeed
from edgecloud.model import Route, TaskType
from edgecloud.policies import Experience, ExperiencePool, StateSummary
from tests.unit.factories import task_state


def experience(delay_s: float) -> Experience:
    return Experience(
        StateSummary.of(task_state(TaskType.CHAT)), Route.EDGE, -delay_s, delay_s, False
    )


class Clock:
    def __init__(self) -> None:
        self.now_s = 100.0

    def __call__(self) -> float:
        return self.now_s


class Unreachable:
    async def fetch(self, limit: int) -> Sequence[Experience]:
        raise ExperienceSourceError("down")

    async def skip_to_latest(self) -> None:
        raise ExperienceSourceError("down")


def test_the_pool_keeps_the_newest_and_copies_only_when_it_changed() -> None:
    pool = ExperiencePool(3)
    pool.extend(experience(d) for d in (1.0, 2.0, 3.0, 4.0))
    snapshot = pool.snapshot()
    assert [e.service_delay_s for e in snapshot] == [2.0, 3.0, 4.0]
    assert pool.version == 4
    assert len(pool) == 3
    assert pool.snapshot() is snapshot
    pool.add(experience(5.0))
    assert [e.service_delay_s for e in pool.snapshot()] == [3.0, 4.0, 5.0]


@pytest.mark.anyio
async def test_the_feed_adds_what_the_source_answers_once() -> None:
    source = InMemorySource()
    feed = PoolFeed(ExperiencePool(10), source, stale_after_s=5.0, clock=Clock())
    source.put(experience(1.0))
    source.put(experience(2.0))
    assert await feed.refresh() == 2
    assert await feed.refresh() == 0
    assert [e.service_delay_s for e in feed.pool.snapshot()] == [1.0, 2.0]


@pytest.mark.anyio
async def test_a_pool_is_stale_before_its_first_answer_and_after_a_silence() -> None:
    clock = Clock()
    feed = PoolFeed(ExperiencePool(10), InMemorySource(), stale_after_s=5.0, clock=clock)
    assert not feed.is_fresh()
    await feed.refresh()
    clock.now_s += 5.0
    assert feed.is_fresh()
    clock.now_s += 0.1
    assert not feed.is_fresh()


@pytest.mark.anyio
async def test_an_unreachable_source_leaves_the_pool_as_it_was() -> None:
    clock = Clock()
    pool = ExperiencePool(10)
    pool.add(experience(1.0))
    feed = PoolFeed(pool, Unreachable(), stale_after_s=5.0, clock=clock)
    with pytest.raises(ExperienceSourceError):
        await feed.refresh()
    assert len(pool) == 1
    assert not feed.is_fresh()
