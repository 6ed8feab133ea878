"""The radio layout: cells, carrier, powers, channel and link options of one emulated deployment.

A plain value, so the pure radio environment (``model.cells``) is built the same way by the radio
emulator (from its settings) and by the simulator. The defaults are ARCHITECTURE.md section 7; the
3.5 GHz carrier (band n78) is our assumption. ``RadioSettings`` takes its defaults from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .channel import Scenario
from .fading import Fading
from .mobility import MobilityKind


@dataclass(frozen=True, slots=True)
class RadioLayout:
    seed: int = 0
    n_cells: int = 3
    cell_radius_m: float = 100.0
    scenario: Scenario = Scenario.UMI
    carrier_hz: float = 3.5e9
    numerology: int = 1
    bandwidth_mhz: int = 20
    gnb_power_dbm: float = 30.0
    ue_power_dbm: float = 23.0  # P_CMAX of uplink power control
    # Open-loop uplink power control (model.uplink, TS 38.213 7.1.1): P0 per RB at 15 kHz, alpha.
    ul_p0_dbm: float = -80.0
    ul_alpha: float = 0.8
    ue_noise_figure_db: float = 9.0
    gnb_noise_figure_db: float = 5.0
    ue_height_m: float = 1.5
    # Fraction of neighbour-cell RBs assumed busy when computing inter-cell interference.
    interference_load: float = 1.0
    implementation_factor: float = 0.6
    shadowing: bool = True
    # auto: Rician (K = 9 dB, TR 38.901 UMi LOS) for LOS UEs, Rayleigh for NLOS ones.
    fading: Fading | Literal["auto"] = "auto"
    rician_k_db: float = 9.0
    # None: Clarke's 0.423 / f_D from the UE's speed, at least pedestrian speed (3 km/h).
    coherence_time_s: float | None = None
    link_abstraction: Literal["shannon", "cqi"] = "shannon"
    default_mobility: MobilityKind = MobilityKind.STATIC
    default_speed_mps: float = 1.0
    max_ues: int = 10_000
