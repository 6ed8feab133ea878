"""Transport-block errors and HARQ retransmissions with soft combining (pure).

Link adaptation picks, on every RBG, the modulation and coding whose block error rate at the SINR
the gNB knows is the target (10%: the CQI definition of TS 38.214 section 5.2.2.1), so a first
transmission fails with that probability. A failed block is sent again one HARQ round trip later
(TS 38.321 section 5.3.2) and the receiver adds the copies up (chase combining: the n-th copy sees
``10 log10(n)`` dB more SINR); around its operating point a block's error rate falls by about a
decade per dB, as LDPC block error curves do, modelled as
``BLER(margin) = 1 / (1 + (1 / target - 1) * exp(slope * margin))``. After the last transmission
a block is handed up anyway (RLC's own retransmission would recover it, which is not modelled).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# 10% at the MCS's own threshold, 1% one dB above it: exp(slope) = 11.
WATERFALL_SLOPE_PER_DB = math.log(11.0)


@dataclass(frozen=True, slots=True)
class Harq:
    target_bler: float = 0.1
    max_transmissions: int = 4  # the first and three retransmissions
    rtt_s: float = 0.004  # one HARQ round trip: 8 slots of 0.5 ms (numerology 1)
    slope_per_db: float = WATERFALL_SLOPE_PER_DB

    def bler(self, transmission: int) -> float:
        """Error probability of the ``transmission``-th copy (1: the first), copies combined."""
        margin_db = 10 * math.log10(transmission)
        odds = (1 / self.target_bler - 1) * math.exp(self.slope_per_db * margin_db)
        return 1 / (1 + odds)

    def expected_transmissions(self) -> float:
        """Copies a block costs on average: 1 + p1 + p1 p2 + ... (the last one always counts)."""
        total, reach = 0.0, 1.0
        for n in range(1, self.max_transmissions + 1):
            total += reach
            reach *= self.bler(n)
        return total

    def efficiency(self) -> float:
        """The share of the link's capacity that carries new data: the goodput factor."""
        return 1 / self.expected_transmissions()

    def mean_extra_delay_s(self) -> float:
        """A block's mean wait for its retransmissions: ``rtt * (p1 + p1 p2 + ...)``."""
        return self.rtt_s * (self.expected_transmissions() - 1)
