import pytest

from edgecloud.model.nr import Carrier


@pytest.mark.parametrize(
    ("numerology", "bandwidth_mhz", "n_rbs"),
    [(0, 20, 106), (1, 20, 51), (1, 100, 273), (2, 50, 65), (0, 5, 25)],
)
def test_rb_counts_follow_ts_38_101_1(numerology: int, bandwidth_mhz: int, n_rbs: int) -> None:
    assert Carrier(numerology, bandwidth_mhz).n_rbs == n_rbs


def test_numerology_sets_spacing_slot_and_rb_bandwidth() -> None:
    carrier = Carrier(numerology=1, bandwidth_mhz=20)
    assert carrier.scs_khz == 30
    assert carrier.slot_s == pytest.approx(0.5e-3)
    assert carrier.rb_bandwidth_hz == pytest.approx(360e3)


def test_fr2_numerology_estimates_rbs_from_occupancy() -> None:
    # 100 MHz at 120 kHz: 0.95 * 100e6 / 1.44e6 = 65.97 -> 65 RBs (TS 38.101-2 lists 66).
    assert Carrier(numerology=3, bandwidth_mhz=100).n_rbs == 65


@pytest.mark.parametrize(("numerology", "bandwidth_mhz"), [(4, 20), (1, 7), (0, 100)])
def test_invalid_carriers_are_rejected(numerology: int, bandwidth_mhz: int) -> None:
    with pytest.raises(ValueError, match=r"numerology|bandwidth"):
        Carrier(numerology, bandwidth_mhz)
