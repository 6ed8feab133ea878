import math

import pytest

from edgecloud.model.cells import Direction, RadioConfigError, RadioEnvironment, cell_sites
from edgecloud.model.fading import Fading
from edgecloud.model.layout import RadioLayout
from edgecloud.model.mobility import Mobility, MobilityKind
from edgecloud.radio_emulator.settings import RadioSettings


def test_three_sites_are_one_inter_site_distance_apart() -> None:
    sites = cell_sites(3, 100.0)
    assert math.isclose(sites[0].distance_m(sites[1]), math.sqrt(3) * 100.0)
    assert math.isclose(sites[1].distance_m(sites[2]), math.sqrt(3) * 100.0)


def test_a_ue_id_always_lands_at_the_same_place() -> None:
    first = RadioEnvironment(RadioLayout(seed=4))
    second = RadioEnvironment(RadioLayout(seed=4))
    for name in ("x", "y", "z"):
        first.get_or_register(name)

    # A different arrival order must not move a UE (its uplink SINR depends on who else is there).
    def place(env: RadioEnvironment) -> tuple[object, ...]:
        z = env.get_or_register("z")
        return (z.position, z.cell_id, z.los, z.site_shadowing_db, z.dl_sinr_db)

    assert place(second) == place(first)
    other_seed = RadioEnvironment(RadioLayout(seed=5))
    assert other_seed.get_or_register("z").position != first.get_or_register("z").position


def test_ues_attach_to_their_strongest_cell_with_plausible_sinr() -> None:
    env = RadioEnvironment(RadioLayout(seed=1))
    ues = [env.get_or_register(f"ue-{i}") for i in range(200)]
    assert {u.cell_id for u in ues} == {0, 1, 2}
    # Interference-limited downlink: a best-server UE of 3 cells is above -3 dB (two equal
    # interferers); only a UE near its mast with both neighbours shadowed gets far above 40 dB.
    assert all(-3.1 < u.dl_sinr_db < 70.0 for u in ues)
    assert sorted(u.dl_sinr_db for u in ues)[100] < 30.0
    assert all(u.distance_m >= 10.0 for u in ues)
    rates = sorted(51 * env.mean_rb_rate_bps(u, Direction.DOWNLINK) for u in ues)
    assert rates[0] > 0
    assert rates[-1] / rates[0] > 3  # position matters


def test_shadowing_off_makes_sinr_depend_on_geometry_only() -> None:
    env = RadioEnvironment(RadioLayout(seed=1, shadowing=False, n_cells=1, interference_load=0))
    ues = [env.get_or_register(f"ue-{i}") for i in range(100)]
    los_near = [u for u in ues if u.los and u.distance_m < 30]
    los_far = [u for u in ues if u.los and u.distance_m > 80]
    if los_near and los_far:
        assert min(u.dl_sinr_db for u in los_near) > max(u.dl_sinr_db for u in los_far)
    # A lone cell is noise-limited: even NLOS at 100 m, 12.9 - 104.6 dBm over -109.4 dBm is 17.7 dB.
    assert all(u.dl_sinr_db > 17.0 for u in ues)


def test_fading_varies_per_rbg_and_is_redrawn_after_the_coherence_time() -> None:
    env = RadioEnvironment(RadioLayout(seed=2, fading=Fading.RAYLEIGH, coherence_time_s=0.05))
    ue = env.get_or_register("ue-f")
    first = list(env.rb_rates_bps(ue, Direction.DOWNLINK, now=0.0))
    assert len(first) == 13
    assert len(set(first)) > 5  # frequency-selective across RBGs
    assert list(env.rb_rates_bps(ue, Direction.DOWNLINK, now=0.049)) == first  # same block
    assert list(env.rb_rates_bps(ue, Direction.DOWNLINK, now=0.051)) != first  # redrawn


def test_rayleigh_gains_average_one_so_mean_rates_follow_the_large_scale_sinr() -> None:
    import numpy as np

    from edgecloud.model.fading import Fading, power_gains

    rng = np.random.default_rng(1)
    for kind in (Fading.RAYLEIGH, Fading.RICIAN):
        assert power_gains(kind, rng, (40_000,), 9.0).mean() == pytest.approx(1.0, abs=0.02)
    rician = power_gains(Fading.RICIAN, rng, (10_000,), 9.0)
    rayleigh = power_gains(Fading.RAYLEIGH, rng, (10_000,))
    # A strong LOS component fades much less deeply.
    assert (rician < 0.1).sum() < (rayleigh < 0.1).sum() / 10


def test_a_far_ue_is_slower_than_a_near_one() -> None:
    env = RadioEnvironment(RadioLayout(seed=0, shadowing=False, fading=Fading.NONE))
    near, far = env.get_or_register("near"), env.get_or_register("far")
    near.site_los = far.site_los = [True, True, True]  # same propagation, different places
    site = env.sites[0]  # on the x axis, the other two sites towards negative x
    env.move(near, site.x_m + 15, site.y_m)
    env.move(far, site.x_m - 80, site.y_m)
    assert near.cell_id == far.cell_id == 0
    assert near.dl_sinr_db > far.dl_sinr_db + 10
    assert env.mean_rb_rate_bps(near, Direction.DOWNLINK) > env.mean_rb_rate_bps(
        far, Direction.DOWNLINK
    )
    with pytest.raises(RadioConfigError, match="position"):
        env.move(near, 10_000, 0)


def test_moving_ues_stay_in_the_area_and_reattach() -> None:
    env = RadioEnvironment(RadioLayout(seed=3))
    ue = env.get_or_register("walker")
    env.set_mobility(ue, Mobility(MobilityKind.CONSTANT_VELOCITY, speed_mps=30.0))
    cells = set()
    for _ in range(600):  # 60 s at 30 m/s
        env.step_mobility(0.1)
        assert env.area.contains(ue.motion.x_m, ue.motion.y_m)
        cells.add(ue.cell_id)
    assert len(cells) >= 2


def test_static_rbs_cannot_oversubscribe_a_cell() -> None:
    env = RadioEnvironment(RadioLayout(seed=0, n_cells=1))
    a, b = env.get_or_register("a"), env.get_or_register("b")
    env.set_static_rbs(a, Direction.DOWNLINK, 40)
    with pytest.raises(RadioConfigError, match="11 downlink RBs left"):
        env.set_static_rbs(b, Direction.DOWNLINK, 12)
    env.set_static_rbs(b, Direction.DOWNLINK, 11)
    env.set_static_rbs(a, Direction.DOWNLINK, None)
    assert a.static_rbs[Direction.DOWNLINK] is None


def test_the_radio_settings_carry_the_layout_and_its_defaults() -> None:
    assert RadioSettings().layout() == RadioLayout()
    layout = RadioSettings(n_cells=1, fading="rayleigh", seed=9).layout()
    assert (layout.n_cells, layout.fading, layout.seed) == (1, Fading.RAYLEIGH, 9)
