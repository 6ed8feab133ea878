"""Uplink power control and inter-cell interference, worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from edgecloud.model.cells import Direction, RadioEnvironment
from edgecloud.model.fading import Fading
from edgecloud.model.layout import RadioLayout
from edgecloud.model.uplink import UplinkInterference, UplinkPowerControl

CONTROL = UplinkPowerControl(p0_dbm=-80.0, alpha=0.8, max_power_dbm=23.0, numerology=1)


def test_open_loop_power_compensates_part_of_the_path_loss() -> None:
    # -80 + 10 log10(2) + 0.8 * 100 = 3.01 dBm per RB, well under 23 dBm over 4 RBs.
    assert CONTROL.power_per_rb_dbm(np.array(100.0), np.array(4)) == pytest.approx(3.0103, abs=1e-3)
    # 10 dB more loss: 8 dB more power (alpha 0.8).
    assert CONTROL.power_per_rb_dbm(np.array(110.0), np.array(4)) == pytest.approx(
        11.0103, abs=1e-3
    )


def test_a_cell_edge_ue_is_capped_at_its_maximum_power_over_its_rbs() -> None:
    # 0.8 * 130 - 77 = 27 dBm wanted per RB; 23 dBm over 4 RBs is 16.98 dBm each.
    capped = CONTROL.power_per_rb_dbm(np.array(130.0), np.array(4))
    assert capped == pytest.approx(23 - 10 * math.log10(4))


def test_interference_is_each_other_cells_load_times_its_ues_mean_power() -> None:
    noise_dbm = -110.0  # 1e-11 mW
    interference = UplinkInterference(2, noise_dbm)
    interference.set("a", 0, np.array([1e-9, 1e-11]))  # a in cell 0: gNB 0 hears it best
    interference.set("b", 1, np.array([2e-11, 1e-9]))
    interference.set("c", 1, np.array([4e-11, 1e-9]))  # cell 1's UEs send gNB 0 3e-11 on average
    total = interference.noise_and_interference_mw(np.array([1.0, 0.5]))
    assert total[0] == pytest.approx(1e-11 + 0.5 * 3e-11)
    assert total[1] == pytest.approx(1e-11 + 1.0 * 1e-11)
    interference.remove("a")
    assert interference.noise_and_interference_mw(np.array([1.0, 0.5]))[1] == pytest.approx(1e-11)


def test_a_lone_ue_is_noise_limited_and_neighbours_ues_interfere() -> None:
    env = RadioEnvironment(RadioLayout(seed=3, fading=Fading.NONE))
    a = env.get_or_register("a")
    alone = a.ul_sinr_db
    noise_dbm = -174 + 10 * math.log10(360e3) + env.layout.gnb_noise_figure_db
    assert alone == pytest.approx(a.ul_power_per_rb_dbm - a.site_loss_db[a.cell_id] - noise_dbm)
    others = [env.get_or_register(f"u{i}") for i in range(30)]
    assert any(u.cell_id != a.cell_id for u in others)
    assert a.ul_sinr_db < alone - 0.5  # the other cells' UEs now send on the same RBs


def test_every_uplink_sinr_is_what_a_fresh_computation_gives() -> None:
    """UEs join, move and leave; the incremental SINRs stay within the 0.1 dB drift allowed."""
    env = RadioEnvironment(RadioLayout(seed=8, fading=Fading.NONE))
    ues = [env.get_or_register(f"u{i}") for i in range(60)]
    env.move(ues[0], 30.0, -40.0)
    for ue in ues[40:]:
        env.remove(ue.ue_id)
    fresh = RadioEnvironment(RadioLayout(seed=8, fading=Fading.NONE))
    for ue in env.ues.values():
        twin = fresh.get_or_register(ue.ue_id)
        if ue.ue_id == "u0":
            fresh.move(twin, 30.0, -40.0)
    for ue in env.ues.values():
        assert ue.ul_sinr_db == pytest.approx(fresh.ues[ue.ue_id].ul_sinr_db, abs=0.15)
        assert ue.sinr_db(Direction.UPLINK) == ue.ul_sinr_db
