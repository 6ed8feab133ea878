"""Large-scale channel: TR 38.901 path loss (table 7.4.1-1), LOS probability and thermal noise."""

from __future__ import annotations

import math
from enum import StrEnum

SPEED_OF_LIGHT_MPS = 299_792_458.0
THERMAL_NOISE_DBM_PER_HZ = -174.0


class Scenario(StrEnum):
    UMI = "umi"  # urban micro, street canyon, base station height 10 m
    UMA = "uma"  # urban macro, base station height 25 m


BS_HEIGHT_M: dict[Scenario, float] = {Scenario.UMI: 10.0, Scenario.UMA: 25.0}
# Shadow-fading standard deviations of table 7.4.1-1, (LOS, NLOS).
SHADOWING_STD_DB: dict[Scenario, tuple[float, float]] = {
    Scenario.UMI: (4.0, 7.82),
    Scenario.UMA: (4.0, 6.0),
}


def distance_3d_m(distance_2d_m: float, bs_height_m: float, ue_height_m: float) -> float:
    return math.hypot(distance_2d_m, bs_height_m - ue_height_m)


def breakpoint_distance_m(
    bs_height_m: float, ue_height_m: float, carrier_hz: float, env_height_m: float = 1.0
) -> float:
    """d'_BP of note 1 of table 7.4.1-1, with effective antenna heights."""
    return (
        4
        * (bs_height_m - env_height_m)
        * (ue_height_m - env_height_m)
        * carrier_hz
        / SPEED_OF_LIGHT_MPS
    )


def path_loss_db(
    scenario: Scenario,
    distance_2d_m: float,
    carrier_hz: float,
    *,
    los: bool,
    ue_height_m: float = 1.5,
) -> float:
    """TR 38.901 path loss without shadowing. Distances under 10 m are clamped to 10 m."""
    d2 = max(distance_2d_m, 10.0)
    h_bs = BS_HEIGHT_M[scenario]
    d3 = distance_3d_m(d2, h_bs, ue_height_m)
    fc_ghz = carrier_hz / 1e9
    d_bp = breakpoint_distance_m(h_bs, ue_height_m, carrier_hz)
    if scenario is Scenario.UMI:
        pl_los = (
            32.4 + 21 * math.log10(d3) + 20 * math.log10(fc_ghz)
            if d2 <= d_bp
            else 32.4
            + 40 * math.log10(d3)
            + 20 * math.log10(fc_ghz)
            - 9.5 * math.log10(d_bp**2 + (h_bs - ue_height_m) ** 2)
        )
        if los:
            return pl_los
        pl_nlos = (
            35.3 * math.log10(d3) + 22.4 + 21.3 * math.log10(fc_ghz) - 0.3 * (ue_height_m - 1.5)
        )
        return max(pl_los, pl_nlos)
    pl_los = (
        28.0 + 22 * math.log10(d3) + 20 * math.log10(fc_ghz)
        if d2 <= d_bp
        else 28.0
        + 40 * math.log10(d3)
        + 20 * math.log10(fc_ghz)
        - 9 * math.log10(d_bp**2 + (h_bs - ue_height_m) ** 2)
    )
    if los:
        return pl_los
    pl_nlos = 13.54 + 39.08 * math.log10(d3) + 20 * math.log10(fc_ghz) - 0.6 * (ue_height_m - 1.5)
    return max(pl_los, pl_nlos)


def los_probability(scenario: Scenario, distance_2d_m: float, ue_height_m: float = 1.5) -> float:
    """TR 38.901 table 7.4.2-1 LOS probability (UMa for UE heights up to 13 m)."""
    d2 = distance_2d_m
    if d2 <= 18.0:
        return 1.0
    if scenario is Scenario.UMI:
        return 18.0 / d2 + math.exp(-d2 / 36.0) * (1 - 18.0 / d2)
    c = 0.0 if ue_height_m <= 13 else ((ue_height_m - 13) / 10) ** 1.5
    base = 18.0 / d2 + math.exp(-d2 / 63.0) * (1 - 18.0 / d2)
    return base * (1 + c * 5 / 4 * (d2 / 100) ** 3 * math.exp(-d2 / 150))


def noise_power_dbm(bandwidth_hz: float, noise_figure_db: float) -> float:
    """Thermal noise over a bandwidth: -174 dBm/Hz + 10 log10(B) + NF."""
    return THERMAL_NOISE_DBM_PER_HZ + 10 * math.log10(bandwidth_hz) + noise_figure_db
