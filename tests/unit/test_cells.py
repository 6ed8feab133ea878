import math

from edgecloud.radio_emulator.cells import RadioEnvironment, cell_sites
from edgecloud.radio_emulator.settings import RadioSettings


def test_three_sites_are_one_inter_site_distance_apart() -> None:
    sites = cell_sites(3, 100.0)
    assert math.isclose(sites[0].distance_m(sites[1]), math.sqrt(3) * 100.0)
    assert math.isclose(sites[1].distance_m(sites[2]), math.sqrt(3) * 100.0)


def test_a_ue_id_always_lands_at_the_same_place() -> None:
    first = RadioEnvironment(RadioSettings(seed=4))
    second = RadioEnvironment(RadioSettings(seed=4))
    for name in ("x", "y", "z"):
        first.get_or_register(name)
    # A different arrival order must not move a UE.
    assert second.get_or_register("z") == first.get_or_register("z")
    other_seed = RadioEnvironment(RadioSettings(seed=5))
    assert other_seed.get_or_register("z").position != first.get_or_register("z").position


def test_ues_attach_to_their_strongest_cell_with_plausible_sinr() -> None:
    env = RadioEnvironment(RadioSettings(seed=1))
    ues = [env.get_or_register(f"ue-{i}") for i in range(200)]
    assert {u.cell_id for u in ues} == {0, 1, 2}
    # Interference-limited downlink: a best-server UE of 3 cells is above -3 dB (two equal
    # interferers); only a UE near its mast with both neighbours shadowed gets far above 40 dB.
    assert all(-3.1 < u.dl_sinr_db < 70.0 for u in ues)
    assert sorted(u.dl_sinr_db for u in ues)[100] < 30.0
    assert all(u.distance_m >= 10.0 for u in ues)
    rates = sorted(env.rate_bps(u, 51, downlink=True) for u in ues)
    assert rates[0] > 0
    assert rates[-1] / rates[0] > 3  # position matters


def test_shadowing_off_makes_sinr_depend_on_geometry_only() -> None:
    env = RadioEnvironment(RadioSettings(seed=1, shadowing=False, n_cells=1, interference_load=0))
    ues = [env.get_or_register(f"ue-{i}") for i in range(100)]
    los_near = [u for u in ues if u.los and u.distance_m < 30]
    los_far = [u for u in ues if u.los and u.distance_m > 80]
    if los_near and los_far:
        assert min(u.dl_sinr_db for u in los_near) > max(u.dl_sinr_db for u in los_far)
    # A lone cell is noise-limited: even NLOS at 100 m, 12.9 - 104.6 dBm over -109.4 dBm is 17.7 dB.
    assert all(u.dl_sinr_db > 17.0 for u in ues)
