import pytest

from edgecloud.model.capacity import (
    TOP_MCS_SPECTRAL_EFFICIENCY_BPS_HZ,
    LinkAbstraction,
    sinr_db,
)


def test_shannon_with_implementation_factor() -> None:
    link = LinkAbstraction(implementation_factor=0.6)
    # 0.6 * log2(1 + 100) = 0.6 * 6.65821
    assert link.spectral_efficiency_bps_hz(20.0) == pytest.approx(3.99493, abs=1e-4)


def test_capped_at_the_top_mcs_and_zero_below_the_minimum_sinr() -> None:
    link = LinkAbstraction()
    assert link.spectral_efficiency_bps_hz(45.0) == TOP_MCS_SPECTRAL_EFFICIENCY_BPS_HZ
    assert link.spectral_efficiency_bps_hz(-10.5) == 0.0
    assert pytest.approx(948 / 1024 * 8, abs=1e-3) == TOP_MCS_SPECTRAL_EFFICIENCY_BPS_HZ


def test_eq2_sums_the_rbs_of_the_ue() -> None:
    link = LinkAbstraction(implementation_factor=0.6)
    rate = link.rate_bps(360e3, [20.0] * 51)
    assert rate == pytest.approx(51 * 360e3 * 3.99493, rel=1e-4)  # 73.35 Mbit/s
    assert link.rate_bps(360e3, [20.0, -20.0]) == pytest.approx(360e3 * 3.99493, rel=1e-4)


def test_sinr_adds_interference_to_noise_linearly() -> None:
    # Noise -100 dBm (1e-10 mW) plus interference 1e-10 mW doubles the floor: -3.01 dB of SINR.
    assert sinr_db(-80.0, -100.0) == pytest.approx(20.0)
    assert sinr_db(-80.0, -100.0, interference_mw=1e-10) == pytest.approx(16.9897, abs=1e-3)


def test_cqi_mode_quantises_to_the_ts_38_214_table() -> None:
    from edgecloud.model.capacity import CqiLinkAbstraction, cqi_from_efficiency

    assert cqi_from_efficiency(0.1) == 0
    assert cqi_from_efficiency(0.1523) == 1
    assert cqi_from_efficiency(3.99) == 9  # 3.9023 <= 3.99 < 4.5234
    assert cqi_from_efficiency(20.0) == 15
    link = CqiLinkAbstraction(implementation_factor=0.6)
    # 20 dB: Shannon x 0.6 = 3.9949 -> CQI 9, 3.9023 bit/s/Hz (64QAM, code rate 666/1024)
    assert link.spectral_efficiency_bps_hz(20.0) == pytest.approx(3.9023)
    assert link.spectral_efficiency_bps_hz(-12.0) == 0.0
    assert link.spectral_efficiency_bps_hz(60.0) == pytest.approx(7.4063)
