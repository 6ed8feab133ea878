"""Path loss and noise against values worked out by hand from TR 38.901 table 7.4.1-1."""

import math

import pytest

from edgecloud.model.channel import (
    Scenario,
    breakpoint_distance_m,
    los_probability,
    noise_power_dbm,
    path_loss_db,
)

FC_HZ = 3.5e9


def test_umi_los_at_100_m() -> None:
    # d3D = sqrt(100^2 + 8.5^2) = 100.3606; 32.4 + 21*2.001563 + 20*0.544068 = 85.3142
    assert path_loss_db(Scenario.UMI, 100.0, FC_HZ, los=True) == pytest.approx(85.314, abs=0.01)


def test_umi_nlos_at_100_m_is_the_larger_of_los_and_nlos() -> None:
    # 35.3*2.001563 + 22.4 + 21.3*0.544068 = 70.6552 + 22.4 + 11.5887 = 104.644
    assert path_loss_db(Scenario.UMI, 100.0, FC_HZ, los=False) == pytest.approx(104.644, abs=0.01)


def test_umi_breakpoint_distance() -> None:
    # 4 * (10-1) * (1.5-1) * 3.5e9 / c = 63e9 / 299792458 = 210.14 m
    assert breakpoint_distance_m(10.0, 1.5, FC_HZ) == pytest.approx(210.14, abs=0.01)


def test_umi_los_beyond_breakpoint_uses_the_40_log_branch() -> None:
    d3 = math.hypot(600.0, 8.5)
    d_bp = breakpoint_distance_m(10.0, 1.5, FC_HZ)
    expected = (
        32.4 + 40 * math.log10(d3) + 20 * math.log10(3.5) - 9.5 * math.log10(d_bp**2 + 8.5**2)
    )
    assert path_loss_db(Scenario.UMI, 600.0, FC_HZ, los=True) == pytest.approx(expected)
    # 32.4 + 40*2.77820 + 10.881 - 9.5*log10(210.14^2 + 8.5^2 = 44231) = 154.41 - 44.13
    assert expected == pytest.approx(110.28, abs=0.02)


def test_uma_los_at_200_m() -> None:
    # d3D = sqrt(200^2 + 23.5^2) = 201.376; 28 + 22*2.303999 + 10.88136 = 89.569
    assert path_loss_db(Scenario.UMA, 200.0, FC_HZ, los=True) == pytest.approx(89.569, abs=0.01)


def test_distances_under_10_m_are_clamped() -> None:
    assert path_loss_db(Scenario.UMI, 1.0, FC_HZ, los=True) == path_loss_db(
        Scenario.UMI, 10.0, FC_HZ, los=True
    )


def test_los_probability_umi() -> None:
    assert los_probability(Scenario.UMI, 10.0) == 1.0
    # 18/36 + exp(-1) * (1 - 18/36) = 0.5 + 0.18394
    assert los_probability(Scenario.UMI, 36.0) == pytest.approx(0.68394, abs=1e-5)
    assert los_probability(Scenario.UMI, 300.0) < 0.1


def test_thermal_noise_of_one_rb_with_noise_figure() -> None:
    # -174 + 10*log10(360e3) + 9 = -174 + 55.563 + 9
    assert noise_power_dbm(360e3, 9.0) == pytest.approx(-109.437, abs=0.001)
