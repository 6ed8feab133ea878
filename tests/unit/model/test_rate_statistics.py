"""The expected rate under fading against long runs of the pure scheduler itself.

Each run redraws the fading of every RBG every epoch (the long-run average is what a coherence
interval of any length gives) for 20,000 epochs of saturated UEs on a 51-RB carrier."""

from __future__ import annotations

import numpy as np
import pytest

from edgecloud.model.capacity import LinkAbstraction
from edgecloud.model.fading import Fading, power_gains
from edgecloud.model.rate_statistics import RateStatistics, shared_rate_bps, static_rate_bps
from edgecloud.model.scheduling import CellDemands, SchedulerKind, schedule_cells

LINK = LinkAbstraction()
RB_HZ = 360e3
RBGS = np.array([4] * 12 + [3])
STATS = RateStatistics(LINK, RB_HZ, len(RBGS), rician_k_db=9.0)
EPOCH_S = 1e-3


def long_run(
    kind: SchedulerKind,
    sinrs_db: list[float],
    fading: list[Fading],
    static_rbs: list[int] | None = None,
    epochs: int = 20_000,
) -> np.ndarray:
    rng = np.random.default_rng(7)
    k = len(sinrs_db)
    static = np.array(static_rbs or [0] * k)
    averages = np.full(k, np.nan)
    carried = np.zeros(k)
    for epoch in range(epochs):
        gains = np.stack([power_gains(f, rng, (len(RBGS),)) for f in fading])
        faded = np.array(sinrs_db)[:, None] + 10 * np.log10(np.maximum(gains, 1e-30))
        capacity = RB_HZ * LINK.spectral_efficiency_array(faded) * EPOCH_S / 8
        demands = CellDemands(
            np.array([0, k]), np.full(k, 1e12), capacity, static, averages, np.array([epoch])
        )
        grants = schedule_cells(kind, demands, RBGS)
        averages = grants.average_bytes
        carried += grants.capacity_bytes
    return carried * 8 / (epochs * EPOCH_S)


def expected(kind: SchedulerKind, sinrs_db: list[float], fading: list[Fading]) -> np.ndarray:
    dists = [STATS.distribution(s, f) for s, f in zip(sinrs_db, fading, strict=True)]
    return np.array(
        [
            shared_rate_bps(kind, d, 51, len(dists) - 1, peers=dists[:i] + dists[i + 1 :])
            for i, d in enumerate(dists)
        ]
    )


def test_a_static_rb_on_the_ues_best_rbg_gains_from_frequency_selectivity() -> None:
    # The case: 1 static RB at -9.4 dB (large-scale). The best of 13 faded RBGs carries
    # far more than the large-scale SINR alone (which is just above the -10 dB cut-off).
    got = long_run(SchedulerKind.ROUND_ROBIN, [-9.4], [Fading.RAYLEIGH], static_rbs=[1])[0]
    distribution = STATS.distribution(-9.4, Fading.RAYLEIGH)
    assert static_rate_bps(distribution, 1, list(RBGS)) == pytest.approx(got, rel=0.02)
    assert got > 2.5 * RB_HZ * LINK.spectral_efficiency_bps_hz(-9.4)


def test_round_robin_shares_and_passes_a_faded_rbg_to_the_next_in_turn() -> None:
    sinrs = [4.0, 9.0, 15.0, 22.0]  # at 4 dB, 4% of the RBGs fade below the -10 dB cut-off
    fading = [Fading.RAYLEIGH] * 4
    got = long_run(SchedulerKind.ROUND_ROBIN, sinrs, fading)
    dists = [STATS.distribution(s, f) for s, f in zip(sinrs, fading, strict=True)]
    want = [
        shared_rate_bps(SchedulerKind.ROUND_ROBIN, d, 51, len(dists) - 1, before_me=dists[i - 1])
        for i, d in enumerate(dists)
    ]
    assert want == pytest.approx(got, rel=0.02)


def test_max_ci_serves_the_best_rate_on_each_rbg() -> None:
    sinrs = [10.0, 14.0, 18.0]
    fading = [Fading.RAYLEIGH] * 3
    got = long_run(SchedulerKind.MAX_CI, sinrs, fading)
    # The weakest UE wins only in its peers' fades, the tails of three distributions: 2.2% here.
    assert expected(SchedulerKind.MAX_CI, sinrs, fading) == pytest.approx(got, rel=0.03)


@pytest.mark.parametrize("fading", [Fading.RAYLEIGH, Fading.RICIAN])
def test_proportional_fair_gains_from_multi_user_diversity(fading: Fading) -> None:
    sinrs = [12.0] * 5  # alike UEs: PF is the CDF scheduler exactly
    got = long_run(SchedulerKind.PROPORTIONAL_FAIR, sinrs, [fading] * 5)
    mean_alone = STATS.distribution(12.0, fading).mean_bps * 51
    assert expected(SchedulerKind.PROPORTIONAL_FAIR, sinrs, [fading] * 5) == pytest.approx(
        got, rel=0.02
    )
    assert got.mean() > 1.1 * mean_alone / 5  # more than a fifth of the carrier each


def test_proportional_fair_over_unlike_ues_is_within_a_few_per_cent() -> None:
    """Unlike SINRs and fading: PF is not exactly the CDF scheduler (a UE whose rate varies
    little gets somewhat more than its share of time); measured here, not hidden."""
    sinrs = [2.0, 8.0, 14.0, 20.0, 26.0, 30.0]
    fading = [Fading.RAYLEIGH] * 3 + [Fading.RICIAN] * 3
    got = long_run(SchedulerKind.PROPORTIONAL_FAIR, sinrs, fading)
    errors = expected(SchedulerKind.PROPORTIONAL_FAIR, sinrs, fading) / got - 1
    assert np.abs(errors).max() < 0.08
    assert abs(errors.mean()) < 0.02


def test_without_fading_pf_shares_time_equally_and_a_capped_rate_still_wins_its_share() -> None:
    flat = [STATS.distribution(s, Fading.NONE) for s in (5.0, 45.0)]
    for me in flat:
        rate = shared_rate_bps(SchedulerKind.PROPORTIONAL_FAIR, me, 51, 1)
        assert rate == pytest.approx(me.mean_bps * 51 / 2)
