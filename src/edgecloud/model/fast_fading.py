"""Fast fading of every UE: per-RBG block gains, redrawn once per coherence interval (pure).

Gains come from one generator for all UEs, drawn for many UEs at once, and turn into each RBG's
per-RB rate in the environment's ``UeTable``; ``distribution`` gives the rate's statistics over
fading that the expected rate is computed from (``model.rate_statistics``).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .capacity import LinkAbstraction
from .fading import Fading, coherence_time_s, power_gains
from .layout import RadioLayout
from .nr import Carrier
from .rate_statistics import RateDistribution, RateStatistics
from .ue import DIRECTION_INDEX, Direction, Ue
from .ue_table import UeTable

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
PEDESTRIAN_SPEED_MPS = 3 / 3.6


class FastFading:
    def __init__(
        self,
        layout: RadioLayout,
        carrier: Carrier,
        link: LinkAbstraction,
        table: UeTable,
        by_slot: dict[int, Ue],
    ) -> None:
        self.layout = layout
        self._carrier = carrier
        self._link = link
        self._table = table
        self._by_slot = by_slot
        self._n_rbgs = len(carrier.rbg_sizes())
        self._rng = np.random.default_rng(layout.seed)
        self.statistics = RateStatistics(
            link, carrier.rb_bandwidth_hz, self._n_rbgs, layout.rician_k_db, layout.seed
        )

    def distribution(self, ue: Ue, direction: Direction) -> RateDistribution:
        return self.statistics.distribution(ue.sinr_db(direction), self.kind(ue))

    def kind(self, ue: Ue) -> Fading:
        configured = self.layout.fading
        if configured == "auto":
            return Fading.RICIAN if ue.los else Fading.RAYLEIGH
        return Fading(configured)

    def coherence_s(self, ue: Ue) -> float:
        if self.layout.coherence_time_s is not None:
            return self.layout.coherence_time_s
        speed = max(ue.motion.speed_mps, PEDESTRIAN_SPEED_MPS)
        return coherence_time_s(speed, self.layout.carrier_hz)

    def rates_rows(self, slots: IntArray, direction: Direction, now: float) -> FloatArray:
        """Per-RB rate of each RBG for the UEs in ``slots``; the due ones are redrawn at once."""
        table = self._table
        due = slots[table.redraw_at[slots] <= now]
        if len(due):
            self._redraw([self._by_slot[int(slot)] for slot in due], now)
        rows: FloatArray = table.rb_rate_bps[DIRECTION_INDEX[direction]][slots]
        return rows

    def _redraw(self, ues: list[Ue], now: float) -> None:
        by_kind: dict[Fading, list[Ue]] = {}
        for ue in ues:
            by_kind.setdefault(self.kind(ue), []).append(ue)
        table = self._table
        for kind, group in by_kind.items():
            slots = np.array([ue.slot for ue in group])
            shape = (len(DIRECTION_INDEX), len(group), self._n_rbgs)
            gains = power_gains(kind, self._rng, shape, self.layout.rician_k_db)
            for direction, index in DIRECTION_INDEX.items():
                sinr = np.array([ue.sinr_db(direction) for ue in group])
                with np.errstate(divide="ignore"):
                    faded_db = sinr[:, None] + 10 * np.log10(gains[index])
                se = self._link.spectral_efficiency_array(faded_db)
                table.rb_rate_bps[index][slots] = self._carrier.rb_bandwidth_hz * se
            table.redraw_at[slots] = now + np.array([self.coherence_s(ue) for ue in group])
