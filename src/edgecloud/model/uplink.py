"""Uplink power: open-loop power control (TS 38.213 section 7.1.1) and inter-cell interference.

A UE sends PUSCH at ``P = min(P_CMAX, P0 + 10 log10(2^mu * M) + alpha * PL)`` over ``M`` RBs
(no closed-loop or transport-format terms): per RB, ``min(P_CMAX - 10 log10 M, P0 + 10 log10 2^mu
+ alpha * PL)``. ``M`` is the UE's static uplink RBs, else one RBG: what a UE holds in an epoch
when round robin serves many. ``P0`` and ``alpha`` default to -80 dBm and 0.8 (fractional
compensation, the range of 3GPP system-level evaluations).

The interference at a gNB on an RB is, from each other cell, that cell's load (the share of its
RBs in use) times the power the gNB receives from one of that cell's UEs, averaged over the UEs
attached there (any of them may be the one scheduled on that RB).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class UplinkPowerControl:
    p0_dbm: float = -80.0
    alpha: float = 0.8
    max_power_dbm: float = 23.0  # P_CMAX
    numerology: int = 1

    def power_per_rb_dbm(self, path_loss_db: FloatArray, rbs: FloatArray) -> FloatArray:
        wanted = self.p0_dbm + 10 * math.log10(2**self.numerology) + self.alpha * path_loss_db
        return np.minimum(self.max_power_dbm - 10 * np.log10(rbs), wanted)


class UplinkInterference:
    """What each gNB receives on an RB from each cell's UEs, kept up to date UE by UE.

    ``sums[c', c]`` adds up, over the UEs attached to cell ``c'``, the power per RB gNB ``c``
    receives from them; a change of one UE costs (cells x cells)."""

    def __init__(self, n_cells: int, noise_dbm: float) -> None:
        self._sums = np.zeros((n_cells, n_cells))
        self._counts = np.zeros(n_cells)
        self._of: dict[str, tuple[int, FloatArray]] = {}
        self._noise_mw = 10 ** (noise_dbm / 10)
        # The noise plus interference the UEs' SINRs were last all computed with, per gNB.
        self.settled_mw = np.full(n_cells, self._noise_mw)

    def set(self, ue_id: str, cell: int, received_mw: FloatArray) -> None:
        self.remove(ue_id)
        self._of[ue_id] = (cell, received_mw)
        self._sums[cell] += received_mw
        self._counts[cell] += 1

    def remove(self, ue_id: str) -> None:
        old = self._of.pop(ue_id, None)
        if old is not None:
            self._sums[old[0]] -= old[1]
            self._counts[old[0]] -= 1

    def noise_and_interference_mw(self, load: FloatArray) -> FloatArray:
        """Per gNB: thermal noise plus, from every other cell, its load x its UEs' mean power."""
        mean = self._sums / np.maximum(self._counts, 1)[:, None]
        interference = load[:, None] * mean
        np.fill_diagonal(interference, 0.0)  # OFDMA: a cell's own UEs use other RBs
        total: FloatArray = self._noise_mw + np.maximum(interference.sum(axis=0), 0.0)
        return total

    def drifted(self, now_mw: FloatArray, tolerance_db: float = 0.1) -> bool:
        """Whether any gNB's noise plus interference moved since the SINRs were all settled."""
        return bool(np.any(np.abs(10 * np.log10(now_mw / self.settled_mw)) > tolerance_db))
