"""The pure schedulers: shares, need-awareness, PF convergence, static allocations."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from edgecloud.model.scheduling import CellDemands, SchedulerKind, schedule_cells

from .one_cell import CellSchedulerState, Demand, schedule

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


def reference_schedule(
    kind: SchedulerKind, demands: list[Demand], state: CellSchedulerState, window: float = 100.0
) -> dict[str, tuple[int, float]]:
    """The schedulers' rules written out one RB group and one UE at a time, for comparison."""
    free = list(RBGS)
    grants = {d.ue_id: [0, 0.0] for d in demands}
    need = {d.ue_id: d.need_bytes for d in demands}
    for d in sorted((d for d in demands if d.static_rbs), key=lambda d: d.ue_id):
        wanted = d.static_rbs or 0
        for g in sorted(range(len(free)), key=lambda g: -d.rb_capacity_bytes[g]):
            take = min(free[g], wanted)
            free[g] -= take
            wanted -= take
            grants[d.ue_id][0] += take
            grants[d.ue_id][1] += take * d.rb_capacity_bytes[g]
    dynamic = sorted((d for d in demands if d.static_rbs is None), key=lambda d: d.ue_id)
    for d in dynamic:
        if d.ue_id not in state.average_bytes:
            carried = sum(c * n for c, n in zip(d.rb_capacity_bytes, free, strict=True))
            state.average_bytes[d.ue_id] = min(d.need_bytes, carried / len(dynamic))
    for g in range(len(free)):
        while free[g] > 0:
            candidates = [
                (i, d)
                for i, d in enumerate(dynamic)
                if need[d.ue_id] > 1e-6 and d.rb_capacity_bytes[g] > 0
            ]
            if not candidates:
                break

            def value(item: tuple[int, Demand], g: int = g) -> float:
                i, d = item
                if kind is SchedulerKind.ROUND_ROBIN:
                    return -((i - state.rr_offset - g) % len(dynamic))
                if kind is SchedulerKind.MAX_CI:
                    return d.rb_capacity_bytes[g]
                average = state.average_bytes[d.ue_id]
                return float("inf") if average <= 0 else d.rb_capacity_bytes[g] / average

            _, best = max(candidates, key=lambda item: (value(item), -item[0]))
            per_rb = best.rb_capacity_bytes[g]
            take = min(free[g], math.ceil(need[best.ue_id] / per_rb - 1e-9))
            free[g] -= take
            need[best.ue_id] -= take * per_rb
            grants[best.ue_id][0] += take
            grants[best.ue_id][1] += take * per_rb
    state.rr_offset += 1
    if kind is SchedulerKind.PROPORTIONAL_FAIR:
        for d in dynamic:
            served = min(grants[d.ue_id][1], d.need_bytes)
            previous = state.average_bytes[d.ue_id]
            state.average_bytes[d.ue_id] = (1 - 1 / window) * previous + served / window
    return {u: (int(r), c) for u, (r, c) in grants.items()}


@pytest.mark.parametrize("kind", list(SchedulerKind))
@pytest.mark.parametrize("seed", range(6))
def test_the_array_scheduler_makes_the_reference_rules_grants(
    kind: SchedulerKind, seed: int
) -> None:
    """Random cells: small and large needs, deep fades (0 bytes), static UEs, many epochs."""
    rng = random.Random(seed)
    fast, slow = CellSchedulerState(), CellSchedulerState()
    for _ in range(40):
        demands = []
        for u in rng.sample(range(30), rng.randint(1, 30)):
            need = rng.choice([BIG, rng.uniform(1, 400), rng.uniform(400, 20_000)])
            rates = [0.0 if rng.random() < 0.1 else rng.uniform(10, 300) for _ in RBGS]
            static = rng.randint(1, 6) if rng.random() < 0.1 else None
            demands.append(Demand(f"u{u:02d}", need, rates, static))
        got = schedule(kind, demands, RBGS, fast)
        want = reference_schedule(kind, demands, slow)
        for ue_id, (rbs, capacity) in want.items():
            assert got[ue_id].rbs == rbs, ue_id
            assert got[ue_id].capacity_bytes == pytest.approx(capacity)
        if kind is SchedulerKind.PROPORTIONAL_FAIR:
            assert fast.average_bytes == pytest.approx(slow.average_bytes)


@pytest.mark.parametrize("kind", list(SchedulerKind))
def test_cells_scheduled_together_get_what_each_would_get_alone(kind: SchedulerKind) -> None:
    rng = random.Random(11)
    states = [CellSchedulerState() for _ in range(3)]
    averages: dict[str, float] = {}
    for epoch in range(30):
        per_cell = []
        for c in range(3):
            per_cell.append(
                [
                    Demand(
                        f"c{c}u{u:02d}",
                        rng.choice([BIG, rng.uniform(1, 400)]),
                        [0.0 if rng.random() < 0.1 else rng.uniform(10, 300) for _ in RBGS],
                        rng.randint(1, 5) if rng.random() < 0.1 else None,
                    )
                    for u in sorted(rng.sample(range(20), rng.randint(1, 20)))
                ]
            )
        rows = [d for cell in per_cell for d in cell]
        together = schedule_cells(
            kind,
            CellDemands(
                np.cumsum([0] + [len(cell) for cell in per_cell]),
                np.array([d.need_bytes for d in rows]),
                np.array([list(d.rb_capacity_bytes) for d in rows]),
                np.array([d.static_rbs or 0 for d in rows]),
                np.array([averages.get(d.ue_id, math.nan) for d in rows]),
                np.array([epoch] * 3),
            ),
            np.array(RBGS),
        )
        averages.update(
            (d.ue_id, a)
            for d, a in zip(rows, together.average_bytes.tolist(), strict=True)
            if not math.isnan(a)
        )
        alone = {}
        for cell, state in zip(per_cell, states, strict=True):
            alone.update(reference_schedule(kind, cell, state))
        for d, rbs, capacity in zip(rows, together.rbs, together.capacity_bytes, strict=True):
            assert (rbs, capacity) == (alone[d.ue_id][0], pytest.approx(alone[d.ue_id][1]))


@pytest.mark.parametrize("kind", [SchedulerKind.ROUND_ROBIN, SchedulerKind.MAX_CI])
@pytest.mark.parametrize("n", [2, 5])
def test_epochs_decided_at_once_grant_what_they_would_one_by_one(
    kind: SchedulerKind, n: int
) -> None:
    """A late wake-up that schedules n epochs in one grid: the same totals as n epochs."""
    rng = random.Random(n)
    rows = [
        Demand(
            f"u{u:02d}",
            rng.choice([BIG, rng.uniform(1, 3000)]),
            [rng.uniform(10, 300) for _ in RBGS],
            3 if u == 4 else None,
        )
        for u in range(17)
    ]
    one_by_one = CellSchedulerState(rr_offset=7)
    totals = {d.ue_id: [0, 0.0] for d in rows}
    need = {d.ue_id: d.need_bytes for d in rows}
    for _ in range(n):
        epoch = [Demand(d.ue_id, need[d.ue_id], d.rb_capacity_bytes, d.static_rbs) for d in rows]
        for ue_id, grant in schedule(kind, epoch, RBGS, one_by_one).items():
            totals[ue_id][0] += grant.rbs
            totals[ue_id][1] += grant.capacity_bytes
            need[ue_id] = max(0.0, need[ue_id] - grant.capacity_bytes)
    at_once = schedule_cells(
        kind,
        CellDemands(
            np.array([0, len(rows)]),
            np.array([d.need_bytes for d in rows]),
            np.array([list(d.rb_capacity_bytes) for d in rows]),
            np.array([d.static_rbs or 0 for d in rows]),
            np.full(len(rows), math.nan),
            np.array([7]),
        ),
        np.array(RBGS),
        sub_epochs=n,
    )
    for d, rbs, capacity in zip(rows, at_once.rbs, at_once.capacity_bytes, strict=True):
        assert rbs == totals[d.ue_id][0], d.ue_id
        assert capacity == pytest.approx(totals[d.ue_id][1])
