"""The spool: bounded, ordered, replayed oldest first, stopping at an outage."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from prometheus_client import CollectorRegistry

from edgecloud.common.spool import Spool, SpoolMetrics


class AwayError(Exception):
    pass


@dataclass
class Store:
    """Takes items, except those it is ``away`` for (an outage) or that are ``broken`` (never)."""

    away: set[int] = field(default_factory=set)
    broken: set[int] = field(default_factory=set)
    written: list[int] = field(default_factory=list)

    async def write(self, item: int) -> None:
        if item in self.away:
            raise AwayError
        if item in self.broken:
            raise ValueError("not a valid entry")
        self.written.append(item)


def spool(max_items: int, store: Store | None = None) -> tuple[Spool[int], CollectorRegistry]:
    registry = CollectorRegistry()
    write = (store or Store()).write
    return Spool(max_items, SpoolMetrics(registry, "t", "Items"), write, (AwayError,)), registry


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
    store = Store(away={2})
    items, registry = spool(10, store)
    for i in range(5):
        items.put(i)
    assert await items.replay() == 2
    assert store.written == [0, 1]
    assert len(items) == 3
    store.away.clear()
    items.put(5)
    assert await items.replay() == 4
    assert store.written == [0, 1, 2, 3, 4, 5]
    assert count(registry, "replayed") == 6
    assert registry.get_sample_value("t_spool_items") == 0


@pytest.mark.anyio
async def test_an_item_that_can_never_be_written_is_dropped_counted_not_retried_forever() -> None:
    store = Store(broken={1})
    items, registry = spool(10, store)
    for i in range(3):
        items.put(i)
    assert await items.replay() == 2
    assert store.written == [0, 2]
    assert count(registry, "dropped_error") == 1


@pytest.mark.anyio
async def test_a_flush_at_shutdown_writes_what_it_can_and_counts_the_rest_lost() -> None:
    store = Store(away={2})
    items, registry = spool(10, store)
    for i in range(3):
        items.put(i)
    assert await items.flush() == 1
    assert store.written == [0, 1]
    assert len(items) == 0
    assert count(registry, "dropped_shutdown") == 1
    assert registry.get_sample_value("t_spool_items") == 0
