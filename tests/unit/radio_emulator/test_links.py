import random

import pytest

from edgecloud.radio_emulator.links import Backhaul, DelayLink


def test_propagation_delay_plus_serialisation() -> None:
    link = DelayLink(delay_s=0.02, rate_bps=1e6)
    # 1250 bytes = 10 kbit at 1 Mbit/s = 10 ms on the wire, then 20 ms of propagation.
    assert link.arrival_time(1250, sent_at=1.0) == pytest.approx(1.030)


def test_back_to_back_sends_queue_behind_each_other() -> None:
    link = DelayLink(delay_s=0.02, rate_bps=1e6)
    first = link.arrival_time(1250, sent_at=0.0)
    second = link.arrival_time(1250, sent_at=0.0)
    assert second - first == pytest.approx(0.010)


def test_pipelined_chunks_are_not_delayed_cumulatively() -> None:
    link = DelayLink(delay_s=0.02, rate_bps=1e9)
    arrivals = [link.arrival_time(100, sent_at=t / 10) for t in range(5)]
    assert [a - t / 10 for t, a in enumerate(arrivals)] == pytest.approx([0.02] * 5, abs=1e-5)


def test_jitter_never_reorders() -> None:
    link = DelayLink(delay_s=0.01, rate_bps=1e9, jitter_s=0.05, rng=random.Random(3))
    arrivals = [link.arrival_time(10, sent_at=i * 0.001) for i in range(100)]
    assert arrivals == sorted(arrivals)
    assert max(a - i * 0.001 for i, a in enumerate(arrivals)) > 0.03


def test_symmetric_backhaul_and_validation() -> None:
    backhaul = Backhaul.symmetric(0.02, 1e9)
    assert backhaul.uplink.delay_s == backhaul.downlink.delay_s == 0.02
    with pytest.raises(ValueError, match="rate"):
        DelayLink(delay_s=0.01, rate_bps=0)
