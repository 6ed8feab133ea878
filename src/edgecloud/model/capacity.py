"""Link abstraction: SINR to spectral efficiency and the paper's eq. 2 (sum over allocated RBs).

Spectral efficiency follows the attenuated, truncated Shannon bound of 3GPP TR 36.942 annex A:
``se = alpha * log2(1 + sinr)`` for SINR above ``sinr_min``, capped at the top MCS. We cap at the
efficiency of CQI 15 of TS 38.214 table 5.2.2.1-2 (256QAM, 948/1024 code rate).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

TOP_MCS_SPECTRAL_EFFICIENCY_BPS_HZ = 7.4063


@dataclass(frozen=True, slots=True)
class LinkAbstraction:
    implementation_factor: float = 0.6
    sinr_min_db: float = -10.0
    max_spectral_efficiency_bps_hz: float = TOP_MCS_SPECTRAL_EFFICIENCY_BPS_HZ

    def spectral_efficiency_bps_hz(self, sinr_db: float) -> float:
        if sinr_db < self.sinr_min_db:
            return 0.0
        shannon = math.log2(1 + 10 ** (sinr_db / 10))
        return min(self.implementation_factor * shannon, self.max_spectral_efficiency_bps_hz)

    def spectral_efficiency_array(self, sinr_db: FloatArray) -> FloatArray:
        """``spectral_efficiency_bps_hz`` of every element (-inf dB: no signal, 0)."""
        shannon = np.log2(1 + np.power(10.0, sinr_db / 10))
        se = np.minimum(self.implementation_factor * shannon, self.max_spectral_efficiency_bps_hz)
        return np.where(sinr_db < self.sinr_min_db, 0.0, se)

    def rate_bps(self, rb_bandwidth_hz: float, sinr_db_per_rb: Iterable[float]) -> float:
        """Paper eq. 2: the sum over the UE's RBs of ``b_n * se(SINR_n)``."""
        return sum(rb_bandwidth_hz * self.spectral_efficiency_bps_hz(s) for s in sinr_db_per_rb)


def sinr_db(rx_power_dbm: float, noise_dbm: float, interference_mw: float = 0.0) -> float:
    """SINR of one RB, interference given as a sum of linear powers (OFDMA: inter-cell only)."""
    noise_mw = 10 ** (noise_dbm / 10)
    return rx_power_dbm - 10 * math.log10(noise_mw + interference_mw)


# TS 38.214 table 5.2.2.1-2 (256QAM): spectral efficiency of CQI 1..15, bit/s/Hz.
CQI_TABLE_2_EFFICIENCY_BPS_HZ = (
    0.1523, 0.3770, 0.8770, 1.4766, 1.9141, 2.4063, 2.7305, 3.3223,
    3.9023, 4.5234, 5.1152, 5.5547, 6.2266, 6.9141, 7.4063,
)  # fmt: skip


_CQI_EFFICIENCIES = np.array(CQI_TABLE_2_EFFICIENCY_BPS_HZ)


def cqi_from_efficiency(efficiency_bps_hz: float) -> int:
    """The highest CQI whose table efficiency the channel supports; 0 is out of range."""
    cqi = 0
    for index, table_efficiency in enumerate(CQI_TABLE_2_EFFICIENCY_BPS_HZ, start=1):
        if table_efficiency <= efficiency_bps_hz + 1e-9:
            cqi = index
    return cqi


@dataclass(frozen=True, slots=True)
class CqiLinkAbstraction(LinkAbstraction):
    """Shannon (attenuated) quantised down to the TS 38.214 CQI table's efficiencies.

    The link sustains the highest CQI whose efficiency the attenuated Shannon bound reaches, as a
    link adaptation at 10% BLER would pick; the UE gets that CQI's efficiency.
    """

    def spectral_efficiency_bps_hz(self, sinr_db: float) -> float:
        cqi = cqi_from_efficiency(LinkAbstraction.spectral_efficiency_bps_hz(self, sinr_db))
        return 0.0 if cqi == 0 else CQI_TABLE_2_EFFICIENCY_BPS_HZ[cqi - 1]

    def spectral_efficiency_array(self, sinr_db: FloatArray) -> FloatArray:
        shannon = LinkAbstraction.spectral_efficiency_array(self, sinr_db)
        cqi = np.searchsorted(_CQI_EFFICIENCIES, shannon + 1e-9, side="right")
        return np.where(cqi == 0, 0.0, _CQI_EFFICIENCIES[np.maximum(cqi - 1, 0)])
