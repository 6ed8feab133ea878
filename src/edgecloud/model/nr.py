"""The 5G NR resource grid: numerology, slots and resource blocks (TS 38.211, TS 38.101-1)."""

from __future__ import annotations

from dataclasses import dataclass

SUBCARRIERS_PER_RB = 12

# TS 38.101-1 table 5.3.2-1 (FR1): maximum transmission bandwidth N_RB by SCS and bandwidth.
_MAX_RBS: dict[int, dict[int, int]] = {
    15: {5: 25, 10: 52, 15: 79, 20: 106, 25: 133, 30: 160, 40: 216, 50: 270},
    30: {
        5: 11,
        10: 24,
        15: 38,
        20: 51,
        25: 65,
        30: 78,
        40: 106,
        50: 133,
        60: 162,
        70: 189,
        80: 217,
        90: 245,
        100: 273,
    },
    60: {
        10: 11,
        15: 18,
        20: 24,
        25: 31,
        30: 38,
        40: 51,
        50: 65,
        60: 79,
        70: 93,
        80: 107,
        90: 121,
        100: 135,
    },
}


@dataclass(frozen=True, slots=True)
class Carrier:
    """One NR carrier: numerology ``mu`` and channel bandwidth."""

    numerology: int = 1
    bandwidth_mhz: int = 20

    def __post_init__(self) -> None:
        if self.numerology not in (0, 1, 2, 3):
            raise ValueError(f"numerology must be 0-3, got {self.numerology}")
        if self.scs_khz in _MAX_RBS and self.bandwidth_mhz not in _MAX_RBS[self.scs_khz]:
            allowed = sorted(_MAX_RBS[self.scs_khz])
            raise ValueError(
                f"{self.bandwidth_mhz} MHz is not an FR1 channel bandwidth for {self.scs_khz} kHz "
                f"SCS; allowed: {allowed}"
            )

    @property
    def scs_khz(self) -> int:
        return int(15 * 2**self.numerology)

    @property
    def slot_s(self) -> float:
        return float(1e-3 / 2**self.numerology)

    @property
    def rb_bandwidth_hz(self) -> float:
        return SUBCARRIERS_PER_RB * self.scs_khz * 1e3

    @property
    def n_rbs(self) -> int:
        """RBs of the carrier: the table value, or a 95% occupancy estimate for mu = 3 (FR2)."""
        table = _MAX_RBS.get(self.scs_khz)
        if table is not None:
            return table[self.bandwidth_mhz]
        return int(0.95 * self.bandwidth_mhz * 1e6 // self.rb_bandwidth_hz)
