"""What a UE's per-RB rate is under fast fading, and what each scheduler makes of it (pure).

One RB of an RBG carries ``r = B * se(SINR + 10 log10 g)``, with ``g`` the fading power gain,
independent per RBG and coherence interval. Its distribution is drawn once per fading kind (common
random numbers: the same gains at every SINR, so rates vary smoothly with it) on a grid of SINRs.
From it, the expected rate a UE gets while it has bytes waiting:

- a static allocation of ``n`` RBs takes its best RBGs in every interval: the means of the top
  order statistics of its RBG rates (the frequency-selective gain);
- round robin over ``k`` UEs: ``n / k`` RBs at the mean rate;
- proportional fair over ``k`` UEs: PF's averages settle where every UE is served at its own best
  moments, about ``1 / k`` of the time each; taken as the CDF scheduler it approaches (the UE whose
  rate is at the highest quantile of its own distribution wins; Park, Park and Lee, 2005), UE ``i``
  gets ``n * E[r_i F_i(r_i)^(k-1)]`` (the multi-user diversity gain). Against long runs of the PF
  scheduler itself it is within a few per cent per UE (``tests/unit/model/test_rate_statistics``);
- max C/I: the largest absolute rate wins, ``n * E[r_i P(r_j < r_i for all j)]``.
A UE's quantile is uniform within a bin of its distribution (so a rate that is often the same, as a
capped or an unfaded one, still wins its share); max C/I reads a peer's CDF linearly within a bin.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .capacity import LinkAbstraction
from .fading import Fading, power_gains
from .scheduling import SchedulerKind

FloatArray = npt.NDArray[np.float64]

DRAWS = 4096  # RBG-intervals drawn per fading kind
SINR_STEP_DB = 0.25
X_EDGES = np.linspace(0.0, 8.0, 513)  # bins of x = r / E[r]; the last one takes the tail


@dataclass(frozen=True, slots=True)
class RateDistribution:
    mean_bps: float  # per RB, over fading
    x_pdf: FloatArray  # (bins,): the share of RBG-intervals with x in each bin
    x_mean: FloatArray  # (bins,): the mean x within each bin
    x_cdf_below: FloatArray  # (bins,): P(x below the bin)
    top_mean_bps: FloatArray  # (RBGs,): per-RB rate of the best, second best... RBG, on average
    zero_share: float = 0.0  # RBG-intervals in so deep a fade that they carry nothing


class RateStatistics:
    def __init__(
        self,
        link: LinkAbstraction,
        rb_bandwidth_hz: float,
        n_rbgs: int,
        rician_k_db: float,
        seed: int = 0,
    ) -> None:
        self._link = link
        self._rb_bandwidth_hz = rb_bandwidth_hz
        rng = np.random.default_rng(seed)
        self._gains_db = {Fading.NONE: np.zeros((1, n_rbgs))}
        for kind in (Fading.RAYLEIGH, Fading.RICIAN):
            gains = power_gains(kind, rng, (DRAWS, n_rbgs), rician_k_db)
            self._gains_db[kind] = 10 * np.log10(np.maximum(gains, 1e-30))

    def distribution(self, sinr_db: float, kind: Fading) -> RateDistribution:
        """The distribution at ``sinr_db``: means interpolated between the grid's SINRs."""
        step = math.floor(sinr_db / SINR_STEP_DB)
        below, above = self._at(step, kind), self._at(step + 1, kind)
        weight = sinr_db / SINR_STEP_DB - step
        nearest = above if weight >= 0.5 else below
        return RateDistribution(
            (1 - weight) * below.mean_bps + weight * above.mean_bps,
            nearest.x_pdf,
            nearest.x_mean,
            nearest.x_cdf_below,
            (1 - weight) * below.top_mean_bps + weight * above.top_mean_bps,
            (1 - weight) * below.zero_share + weight * above.zero_share,
        )

    @functools.lru_cache(maxsize=4096)  # noqa: B019  # one per environment, lives as long
    def _at(self, step: int, kind: Fading) -> RateDistribution:
        faded_db = step * SINR_STEP_DB + self._gains_db[kind]
        rates = self._rb_bandwidth_hz * self._link.spectral_efficiency_array(faded_db)
        mean = float(rates.mean())
        x = (rates / mean if mean > 0 else np.ones_like(rates)).ravel()
        bins = np.minimum(np.searchsorted(X_EDGES, x, side="right") - 1, len(X_EDGES) - 2)
        counts = np.bincount(bins, minlength=len(X_EDGES) - 1).astype(np.float64)
        sums = np.bincount(bins, weights=x, minlength=len(X_EDGES) - 1)
        pdf = counts / len(x)
        x_mean = np.divide(sums, counts, out=np.zeros_like(sums), where=counts > 0)
        top = np.sort(rates, axis=1)[:, ::-1].mean(axis=0)
        below = np.cumsum(pdf) - pdf
        zero = float((rates <= 0).mean())
        return RateDistribution(mean, pdf, x_mean, below, top, zero)


def static_rate_bps(distribution: RateDistribution, rbs: int, rbg_sizes: Sequence[int]) -> float:
    """A static allocation of ``rbs`` RBs over the UE's best RBGs (full ones first)."""
    total, left = 0.0, rbs
    for size, rate in zip(sorted(rbg_sizes, reverse=True), distribution.top_mean_bps, strict=False):
        take = min(size, left)
        total += take * float(rate)
        left -= take
        if left <= 0:
            break
    return total


def shared_rate_bps(
    kind: SchedulerKind,
    me: RateDistribution,
    rbs: float,
    n_peers: int,
    *,
    before_me: RateDistribution | None = None,
    peers: Sequence[RateDistribution] = (),
) -> float:
    """The rate of a UE sharing ``rbs`` RBs with ``n_peers`` others (all with bytes waiting).

    PF needs only their number. Round robin needs ``before_me``, the peer ahead of the UE in its
    turn (else the mean of ``peers``); max C/I needs every peer's distribution in ``peers``."""
    if me.mean_bps <= 0:
        return 0.0
    if not n_peers:
        return rbs * me.mean_bps
    if kind is SchedulerKind.ROUND_ROBIN:
        # An RBG in a deep fade for the UE whose turn it is goes to the next in turn.
        if before_me is not None:
            ahead = before_me.zero_share
        else:
            ahead = sum(p.zero_share for p in peers) / len(peers) if peers else 0.0
        return rbs * me.mean_bps * (1 + ahead) / (n_peers + 1)
    if kind is SchedulerKind.PROPORTIONAL_FAIR:
        beaten = _quantile_wins(me, n_peers + 1)
    else:
        beaten = _beaten_by_rate(me, peers)
    return rbs * me.mean_bps * float(np.sum(me.x_pdf * me.x_mean * beaten))


def _quantile_wins(me: RateDistribution, k: int) -> FloatArray:
    """Per bin of my x: the chance that my quantile beats ``k - 1`` uniform ones, my quantile
    uniform over the bin (a bin holding a rate's whole atom, as a capped or flat one, shares its
    wins fairly): the mean of ``u^(k-1)`` over ``[F_below, F_below + p]``, ``(b^k - a^k)/(k p)``."""
    low, high = me.x_cdf_below, me.x_cdf_below + me.x_pdf
    width = np.maximum(high - low, 1e-300)
    return np.where(me.x_pdf > 0, (high**k - low**k) / (k * width), 0.0)


def _beaten_by_rate(me: RateDistribution, peers: Sequence[RateDistribution]) -> FloatArray:
    """Max C/I: per bin of my x, the chance that every peer's rate is below mine."""
    my_x = np.where(me.x_pdf > 0, me.x_mean, X_EDGES[:-1])
    beaten = np.ones_like(my_x)
    last = len(X_EDGES) - 2
    for peer in peers:
        if peer.mean_bps <= 0:
            continue
        # The peer's x at which its rate equals mine, and its CDF there (1 beyond its last bin),
        # linear within a bin.
        x = my_x * me.mean_bps / peer.mean_bps
        at = np.minimum(np.searchsorted(X_EDGES, x, side="right") - 1, last + 1)
        inside = np.minimum(at, last)
        into = np.clip((x - X_EDGES[inside]) / (X_EDGES[1] - X_EDGES[0]), 0.0, 1.0)
        cdf = peer.x_cdf_below[inside] + peer.x_pdf[inside] * into
        beaten *= np.where(at > last, 1.0, cdf)
    return beaten
