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

# TS 38.101-2 table 5.3.2-1 (FR2): 60 and 120 kHz SCS. 60 kHz is also an FR1 numerology above.
_MAX_RBS_FR2: dict[int, dict[int, int]] = {
    60: {50: 66, 100: 132, 200: 264},
    120: {50: 32, 100: 66, 200: 132, 400: 264},
}
# TS 38.214 table 5.1.2.2.1-1, configuration 1: RBG size P by bandwidth-part size in RBs.
_RBG_SIZES = ((36, 2), (72, 4), (144, 8), (275, 16))


def rbg_size(n_rbs: int) -> int:
    """Nominal RBG size for a bandwidth part of ``n_rbs`` RBs (configuration 1)."""
    for limit, size in _RBG_SIZES:
        if n_rbs <= limit:
            return size
    raise ValueError(f"a bandwidth part has at most 275 RBs, got {n_rbs}")


@dataclass(frozen=True, slots=True)
class Carrier:
    """One NR carrier: numerology ``mu`` and channel bandwidth."""

    numerology: int = 1
    bandwidth_mhz: int = 20

    def __post_init__(self) -> None:
        if self.numerology not in (0, 1, 2, 3):
            raise ValueError(f"numerology must be 0-3, got {self.numerology}")
        allowed = self._table()
        if self.bandwidth_mhz not in allowed:
            raise ValueError(
                f"{self.bandwidth_mhz} MHz is not a channel bandwidth for {self.scs_khz} kHz SCS; "
                f"allowed: {sorted(allowed)}"
            )

    def _table(self) -> dict[int, int]:
        fr1 = _MAX_RBS.get(self.scs_khz, {})
        return {**_MAX_RBS_FR2.get(self.scs_khz, {}), **fr1}

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
        """RBs of the carrier (TS 38.101-1/-2 maximum transmission bandwidth)."""
        return self._table()[self.bandwidth_mhz]

    @property
    def rbg_size(self) -> int:
        return rbg_size(self.n_rbs)

    def rbg_sizes(self) -> list[int]:
        """RBs in each RBG of the carrier (the last one may be smaller)."""
        size = self.rbg_size
        full, rest = divmod(self.n_rbs, size)
        return [size] * full + ([rest] if rest else [])
