"""HARQ's numbers worked by hand: 10% first, chase-combined copies, goodput and added delay."""

from __future__ import annotations

import math

import pytest

from edgecloud.model.harq import Harq


def test_a_first_copy_fails_at_the_link_adaptation_target() -> None:
    assert Harq().bler(1) == pytest.approx(0.1)
    assert Harq(target_bler=0.01).bler(1) == pytest.approx(0.01)


def test_a_combined_second_copy_sees_3_db_more_and_almost_never_fails() -> None:
    # 10 log10(2) = 3.0103 dB over the threshold; odds 9 * 11^3.0103 = 12,289.
    assert Harq().bler(2) == pytest.approx(1 / (1 + 9 * 11**3.0103), rel=1e-3)
    assert Harq().bler(2) == pytest.approx(8.137e-5, rel=1e-3)
    assert Harq().bler(3) < Harq().bler(2) / 50


def test_goodput_is_one_over_the_copies_a_block_costs() -> None:
    harq = Harq()
    copies = 1 + 0.1 + 0.1 * harq.bler(2) + 0.1 * harq.bler(2) * harq.bler(3)
    assert harq.expected_transmissions() == pytest.approx(copies)
    assert harq.efficiency() == pytest.approx(0.90908, abs=1e-5)
    # One transmission only: nothing is sent again, every block counts once.
    assert Harq(max_transmissions=1).efficiency() == 1.0


def test_a_block_waits_a_round_trip_for_each_copy_it_needs() -> None:
    harq = Harq(rtt_s=0.004)
    assert harq.mean_extra_delay_s() == pytest.approx(0.004 * 0.1000081, rel=1e-5)
    steep = Harq(slope_per_db=math.log(1e6))  # copies that never fail: exactly one extra RTT
    assert steep.mean_extra_delay_s() == pytest.approx(0.0004, rel=1e-4)
