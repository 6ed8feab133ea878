"""Link abstraction: SINR to spectral efficiency and the paper's eq. 2 (sum over allocated RBs).

Spectral efficiency follows the attenuated, truncated Shannon bound of 3GPP TR 36.942 annex A:
``se = alpha * log2(1 + sinr)`` for SINR above ``sinr_min``, capped at the top MCS. We cap at the
efficiency of CQI 15 of TS 38.214 table 5.2.2.1-2 (256QAM, 948/1024 code rate).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

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

    def rate_bps(self, rb_bandwidth_hz: float, sinr_db_per_rb: Iterable[float]) -> float:
        """Paper eq. 2: the sum over the UE's RBs of ``b_n * se(SINR_n)``."""
        return sum(rb_bandwidth_hz * self.spectral_efficiency_bps_hz(s) for s in sinr_db_per_rb)


def sinr_db(rx_power_dbm: float, noise_dbm: float, interference_mw: float = 0.0) -> float:
    """SINR of one RB, interference given as a sum of linear powers (OFDMA: inter-cell only)."""
    noise_mw = 10 ** (noise_dbm / 10)
    return rx_power_dbm - 10 * math.log10(noise_mw + interference_mw)
