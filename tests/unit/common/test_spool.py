"""The spool: bounded, ordered, replayed oldest first, stopping at an outage."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry

from edgecloud.common.spool import Spool, SpoolMetrics


class AwayError(Exception):
    pass


def spool(max_items: int) -> tuple[Spool[int], CollectorRegistry]:
    registry = CollectorRegistry()
    return Spool(max_items, SpoolMetrics(registry, "t", "Items")), registry


def count(registry: CollectorRegistry, event: str) -> float:
    value = registry.get_sample_value("t_spool_total", {"event": event})
    assert value is not None
    return value


def test_a_full_spool_refuses_and_counts() -> None:
    items, registry = spool(2)
    assert items.put(1)
    assert items.put(2)
    assert not items.put(3)
    assert len(items) == 2
    assert count(registry, "spooled") == 2
    assert count(registry, "dropped_full") == 1
    assert registry.get_sample_value("t_spool_items") == 2


@pytest.mark.anyio
async def test_replay_is_oldest_first_and_an_outage_keeps_the_rest_in_order() -> None:
    items, registry = spool(10)
    for i in range(5):
        items.put(i)
    written: list[int] = []
    away_at = {2}

    async def write(item: int) -> None:
        if item in away_at:
            raise AwayError
        written.append(item)

    assert await items.replay(write, (AwayError,)) == 2
    assert written == [0, 1]
    assert len(items) == 3
    away_at.clear()
    items.put(5)
    assert await items.replay(write, (AwayError,)) == 4
    assert written == [0, 1, 2, 3, 4, 5]
    assert count(registry, "replayed") == 6
    assert registry.get_sample_value("t_spool_items") == 0


@pytest.mark.anyio
async def test_an_item_that_can_never_be_written_is_dropped_counted_not_retried_forever() -> None:
    items, registry = spool(10)
    for i in range(3):
        items.put(i)
    written: list[int] = []

    async def write(item: int) -> None:
        if item == 1:
            raise ValueError("not a valid entry")
        written.append(item)

    assert await items.replay(write, (AwayError,)) == 2
    assert written == [0, 2]
    assert count(registry, "dropped_error") == 1


@pytest.mark.anyio
async def test_a_flush_at_shutdown_writes_what_it_can_and_counts_the_rest_lost() -> None:
    items, registry = spool(10)
    for i in range(3):
        items.put(i)
    written: list[int] = []

    async def write(item: int) -> None:
        if item == 2:
            raise AwayError
        written.append(item)

    assert await items.flush(write, (AwayError,)) == 1
    assert written == [0, 1]
    assert len(items) == 0
    assert count(registry, "dropped_shutdown") == 1
    assert registry.get_sample_value("t_spool_items") == 0
