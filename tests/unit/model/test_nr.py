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


def test_fr2_numerology_uses_ts_38_101_2() -> None:
    assert Carrier(numerology=3, bandwidth_mhz=100).n_rbs == 66
    assert Carrier(numerology=3, bandwidth_mhz=400).n_rbs == 264
    assert Carrier(numerology=2, bandwidth_mhz=200).n_rbs == 264


@pytest.mark.parametrize(
    ("n_rbs_mhz", "rbg", "groups"),
    [((1, 20), 4, [4] * 12 + [3]), ((0, 5), 2, [2] * 12 + [1]), ((1, 100), 16, [16] * 17 + [1])],
)
def test_rbg_sizes_follow_ts_38_214_configuration_1(
    n_rbs_mhz: tuple[int, int], rbg: int, groups: list[int]
) -> None:
    carrier = Carrier(*n_rbs_mhz)
    assert carrier.rbg_size == rbg
    assert carrier.rbg_sizes() == groups
    assert sum(carrier.rbg_sizes()) == carrier.n_rbs


@pytest.mark.parametrize(("numerology", "bandwidth_mhz"), [(4, 20), (1, 7), (0, 100), (3, 20)])
def test_invalid_carriers_are_rejected(numerology: int, bandwidth_mhz: int) -> None:
    with pytest.raises(ValueError, match=r"numerology|bandwidth"):
        Carrier(numerology, bandwidth_mhz)
