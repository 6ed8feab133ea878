"""The pure schedulers: shares, need-awareness, PF convergence, static allocations."""

from __future__ import annotations

import random

import pytest

from edgecloud.model.scheduling import CellSchedulerState, Demand, SchedulerKind, schedule

RBGS = [4] * 12 + [3]  # 51 RBs at 30 kHz / 20 MHz
BIG = 1e12  # a UE that always has bytes waiting


def saturated(ue: str, per_rb: float = 100.0, n: int = len(RBGS)) -> Demand:
    return Demand(ue, BIG, [per_rb] * n)


def run(kind: SchedulerKind, make: list[Demand], epochs: int, **kw: float) -> dict[str, float]:
    state = CellSchedulerState()
    rbs: dict[str, float] = {d.ue_id: 0.0 for d in make}
    for _ in range(epochs):
        for ue, grant in schedule(kind, make, RBGS, state, **kw).items():
            rbs[ue] += grant.rbs
    return {ue: total / epochs for ue, total in rbs.items()}


@pytest.mark.parametrize("k", [1, 2, 3, 7, 20])
def test_round_robin_gives_equal_long_run_shares(k: int) -> None:
    shares = run(SchedulerKind.ROUND_ROBIN, [saturated(f"u{i}") for i in range(k)], epochs=k * 5)
    assert all(share == pytest.approx(51 / k) for share in shares.values())


def test_every_rb_is_used_while_demand_lasts() -> None:
    grants = schedule(
        SchedulerKind.PROPORTIONAL_FAIR,
        [saturated("a"), saturated("b")],
        RBGS,
        CellSchedulerState(),
    )
    assert sum(g.rbs for g in grants.values()) == 51


def test_a_ue_gets_only_the_rbs_its_bytes_need_and_others_take_the_rest() -> None:
    small = Demand("small", need_bytes=250.0, rb_capacity_bytes=[100.0] * len(RBGS))
    grants = schedule(
        SchedulerKind.MAX_CI, [small, saturated("big", 50.0)], RBGS, CellSchedulerState()
    )
    assert grants["small"].rbs == 3  # ceil(250 / 100)
    assert grants["big"].rbs == 48
    assert grants["big"].capacity_bytes == pytest.approx(48 * 50.0)


def test_max_ci_serves_the_best_channel_on_every_rbg() -> None:
    grants = schedule(
        SchedulerKind.MAX_CI,
        [saturated("good", 300.0), saturated("bad", 100.0)],
        RBGS,
        CellSchedulerState(),
    )
    assert grants["good"].rbs == 51
    assert grants["bad"].rbs == 0


def test_proportional_fair_equalises_shares_for_equal_channels() -> None:
    rng = random.Random(5)
    state = CellSchedulerState()
    totals = {"a": 0, "b": 0, "c": 0}
    for _ in range(3000):
        # i.i.d. Rayleigh-like fading per RBG, same statistics for every UE
        demands = [Demand(u, BIG, [100 * rng.expovariate(1.0) for _ in RBGS]) for u in totals]
        for ue, grant in schedule(SchedulerKind.PROPORTIONAL_FAIR, demands, RBGS, state).items():
            totals[ue] += grant.rbs
    shares = [t / sum(totals.values()) for t in totals.values()]
    assert max(shares) - min(shares) < 0.02


def test_proportional_fair_favours_a_ues_good_rbg_within_an_epoch() -> None:
    state = CellSchedulerState(average_bytes={"a": 1000.0, "b": 1000.0})
    a = Demand("a", BIG, [300.0] + [100.0] * 12)
    b = Demand("b", BIG, [100.0] + [300.0] * 12)
    grants = schedule(SchedulerKind.PROPORTIONAL_FAIR, [a, b], RBGS, state)
    assert grants["a"].rbs == 4  # only RBG 0, where its channel is the better one
    assert grants["b"].rbs == 47


def test_proportional_fair_still_serves_a_weak_ue() -> None:
    shares = run(
        SchedulerKind.PROPORTIONAL_FAIR,
        [saturated("strong", 500.0), saturated("weak", 50.0)],
        epochs=3000,
    )
    # Flat channels: PF converges (after its window's transient) to an equal time share.
    assert shares["weak"] == pytest.approx(25.5, rel=0.05)


def test_static_allocations_are_honoured_and_the_rest_is_shared() -> None:
    static = Demand("static", need_bytes=10.0, rb_capacity_bytes=[100.0] * 13, static_rbs=10)
    grants = schedule(
        SchedulerKind.ROUND_ROBIN,
        [static, saturated("x"), saturated("y")],
        RBGS,
        CellSchedulerState(),
    )
    assert grants["static"].rbs == 10  # held even though 10 bytes need only one RB
    assert grants["x"].rbs + grants["y"].rbs == 41
