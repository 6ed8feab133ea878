"""Cells and UEs: where each UE is, which cell serves it, its mean SINR and its fading per RBG.

Layout: ``n_cells`` gNBs on a ring with inter-site distance sqrt(3) * radius (adjacent hexagonal
cells). A UE is placed uniformly in the disc of a cell drawn at random and attaches to the strongest
cell; its LOS state and shadowing towards every gNB are drawn once, from a generator seeded by
(seed, UE id), so a UE id always lands at the same place whatever the order in which UEs arrive.
A moving UE keeps its LOS states and shadowing, re-attaches to the strongest cell as it moves.

Downlink SINR: serving gNB power per RB over thermal noise plus the other gNBs' power per RB scaled
by their load. Uplink SNR: UE power spread over the carrier, over the gNB's noise (uplink inter-cell
interference is not modelled). Fast fading multiplies the wanted signal per RBG (block fading,
redrawn every coherence interval); interference is taken at its mean.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from .capacity import CqiLinkAbstraction, LinkAbstraction, sinr_db
from .channel import (
    SHADOWING_STD_DB,
    los_probability,
    noise_power_dbm,
    path_loss_db,
)
from .fading import Fading, coherence_time_s, power_gains
from .layout import RadioLayout
from .mobility import Area, Mobility, Motion, advance
from .nr import Carrier
from .rate_statistics import RateDistribution, RateStatistics
from .ue import (
    DIRECTION_INDEX,
    UE_ID_PATTERN,
    Direction,
    Position,
    RadioConfigError,
    Ue,
    UeLimitError,
    cell_sites,
)
from .ue_table import UeTable

__all__ = [
    "DIRECTION_INDEX",
    "UE_ID_PATTERN",
    "Direction",
    "Position",
    "RadioConfigError",
    "RadioEnvironment",
    "Ue",
    "UeLimitError",
    "cell_sites",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
PEDESTRIAN_SPEED_MPS = 3 / 3.6


class RadioEnvironment:
    """The radio picture of every registered UE, computed from the system model."""

    def __init__(self, layout: RadioLayout) -> None:
        self.layout = layout
        self.carrier = Carrier(layout.numerology, layout.bandwidth_mhz)
        link_class = CqiLinkAbstraction if layout.link_abstraction == "cqi" else LinkAbstraction
        self.link = link_class(implementation_factor=layout.implementation_factor)
        self.sites = cell_sites(layout.n_cells, layout.cell_radius_m)
        ring = max(s.distance_m(Position(0, 0)) for s in self.sites)
        self.area = Area(ring + layout.cell_radius_m)
        self._rbg_sizes = self.carrier.rbg_sizes()
        # One generator for every UE's fast fading: blocks are drawn for many UEs at once.
        self._fading_rng = np.random.default_rng(layout.seed)
        self.rate_statistics = RateStatistics(
            self.link,
            self.carrier.rb_bandwidth_hz,
            len(self._rbg_sizes),
            layout.rician_k_db,
            layout.seed,
        )
        self._ues: dict[str, Ue] = {}
        self.table = UeTable(len(self._rbg_sizes))
        self._by_slot: dict[int, Ue] = {}
        rb_hz = self.carrier.rb_bandwidth_hz
        n_rbs = self.carrier.n_rbs
        self._per_rb_db = 10 * math.log10(n_rbs)
        # Per cell, changeable at run time: transmit power and the load its interference assumes.
        self.cell_power_dbm = [layout.gnb_power_dbm] * len(self.sites)
        self.cell_load = [layout.interference_load] * len(self.sites)
        self._ue_power_per_rb_dbm = layout.ue_power_dbm - 10 * math.log10(n_rbs)
        self._ue_noise_dbm = noise_power_dbm(rb_hz, layout.ue_noise_figure_db)
        self._gnb_noise_dbm = noise_power_dbm(rb_hz, layout.gnb_noise_figure_db)

    @property
    def rbg_sizes(self) -> list[int]:
        return self._rbg_sizes

    @property
    def ues(self) -> dict[str, Ue]:
        return self._ues

    def get_or_register(self, ue_id: str) -> Ue:
        ue = self._ues.get(ue_id)
        if ue is None:
            if len(self._ues) >= self.layout.max_ues:
                raise UeLimitError(f"the emulator holds its maximum of {self.layout.max_ues} UEs")
            ue = self._place(ue_id)
            self._ues[ue_id] = ue
        return ue

    def remove(self, ue_id: str) -> bool:
        ue = self._ues.pop(ue_id, None)
        if ue is None:
            return False
        del self._by_slot[ue.slot]
        self.table.remove(ue.slot)
        return True

    def touch(self, ue_id: str) -> None:
        """Mark a UE as just used: the registry is kept in order of last use."""
        if ue_id in self._ues:
            self._ues[ue_id] = self._ues.pop(ue_id)

    def least_recent(self, evictable: Callable[[str], bool]) -> str | None:
        """The UE used longest ago that ``evictable`` allows to go, if any."""
        return next((ue_id for ue_id in self._ues if evictable(ue_id)), None)

    def _place(self, ue_id: str) -> Ue:
        s = self.layout
        rng = random.Random(f"{s.seed}:{ue_id}")
        site = self.sites[rng.randrange(s.n_cells)]
        # Uniform in the disc, at least 10 m from the mast (the path-loss models' minimum).
        r = math.sqrt(rng.uniform((10.0 / s.cell_radius_m) ** 2, 1.0)) * s.cell_radius_m
        theta = rng.uniform(0, 2 * math.pi)
        x, y = site.x_m + r * math.cos(theta), site.y_m + r * math.sin(theta)
        los, shadowing = [], []
        for other in self.sites:
            d2 = max(math.hypot(x - other.x_m, y - other.y_m), 10.0)
            is_los = rng.random() < los_probability(s.scenario, d2, s.ue_height_m)
            los.append(is_los)
            std = SHADOWING_STD_DB[s.scenario][0 if is_los else 1]
            shadowing.append(rng.gauss(0.0, std) if s.shadowing else 0.0)
        mobility = Mobility(
            s.default_mobility,
            speed_mps=s.default_speed_mps,
            min_speed_mps=min(0.5, s.default_speed_mps),
        )
        motion = Motion(x, y, heading_rad=rng.uniform(0, 2 * math.pi), speed_mps=mobility.speed_mps)
        ue = Ue(ue_id, rng, los, shadowing, motion, mobility, slot=self.table.add())
        self._by_slot[ue.slot] = ue
        self._update_large_scale(ue)
        return ue

    def _update_large_scale(self, ue: Ue) -> None:
        s = self.layout
        losses = []
        for i, site in enumerate(self.sites):
            d2 = max(ue.position.distance_m(site), 10.0)
            loss = path_loss_db(
                s.scenario, d2, s.carrier_hz, los=ue.site_los[i], ue_height_m=s.ue_height_m
            )
            losses.append(loss + ue.site_shadowing_db[i])
        rx_dbm = [self.cell_power_dbm[i] - self._per_rb_db - loss for i, loss in enumerate(losses)]
        # The UE attaches to the strongest cell, as cell selection would do (shadowing included).
        cell_id = max(range(len(rx_dbm)), key=lambda i: rx_dbm[i])
        interference_mw = sum(
            self.cell_load[i] * 10 ** (rx / 10) for i, rx in enumerate(rx_dbm) if i != cell_id
        )
        ue.cell_id = cell_id
        ue.los = ue.site_los[cell_id]
        ue.distance_m = ue.position.distance_m(self.sites[cell_id])
        ue.dl_sinr_db = sinr_db(rx_dbm[cell_id], self._ue_noise_dbm, interference_mw)
        ue.ul_sinr_db = sinr_db(self._ue_power_per_rb_dbm - losses[cell_id], self._gnb_noise_dbm)
        self.table.cell_id[ue.slot] = cell_id
        self.table.redraw_at[ue.slot] = -math.inf  # the channel changed: refresh the RBG rates

    def _fading_kind(self, ue: Ue) -> Fading:
        configured = self.layout.fading
        if configured == "auto":
            return Fading.RICIAN if ue.los else Fading.RAYLEIGH
        return Fading(configured)

    def _coherence_s(self, ue: Ue) -> float:
        if self.layout.coherence_time_s is not None:
            return self.layout.coherence_time_s
        speed = max(ue.motion.speed_mps, PEDESTRIAN_SPEED_MPS)
        return coherence_time_s(speed, self.layout.carrier_hz)

    def rb_rates_bps(self, ue: Ue, direction: Direction, now: float) -> FloatArray:
        """Rate one RB of each RBG carries for the UE now (fading redrawn when due)."""
        row: FloatArray = self.rb_rates_rows(np.array([ue.slot]), direction, now)[0]
        return row

    def rb_rates_rows(self, slots: IntArray, direction: Direction, now: float) -> FloatArray:
        """``rb_rates_bps`` of the UEs in ``slots``, one row each; due ones are redrawn at once."""
        table = self.table
        due = slots[table.redraw_at[slots] <= now]
        if len(due):
            self._redraw_fading([self._by_slot[int(slot)] for slot in due], now)
        rows: FloatArray = table.rb_rate_bps[DIRECTION_INDEX[direction]][slots]
        return rows

    def _redraw_fading(self, ues: list[Ue], now: float) -> None:
        by_kind: dict[Fading, list[Ue]] = {}
        for ue in ues:
            by_kind.setdefault(self._fading_kind(ue), []).append(ue)
        table = self.table
        for kind, group in by_kind.items():
            slots = np.array([ue.slot for ue in group])
            gains = power_gains(
                kind,
                self._fading_rng,
                (2, len(group), len(self._rbg_sizes)),
                self.layout.rician_k_db,
            )
            for direction, index in DIRECTION_INDEX.items():
                sinr = np.array([ue.sinr_db(direction) for ue in group])
                with np.errstate(divide="ignore"):
                    faded_db = sinr[:, None] + 10 * np.log10(gains[index])
                rates = self.carrier.rb_bandwidth_hz * self.link.spectral_efficiency_array(faded_db)
                table.rb_rate_bps[index][slots] = rates
            table.redraw_at[slots] = now + np.array([self._coherence_s(ue) for ue in group])

    def mean_rb_rate_bps(self, ue: Ue, direction: Direction) -> float:
        """Per-RB rate without fast fading (the large-scale SINR only)."""
        return self.carrier.rb_bandwidth_hz * self.link.spectral_efficiency_bps_hz(
            ue.sinr_db(direction)
        )

    def rate_distribution(self, ue: Ue, direction: Direction) -> RateDistribution:
        """The UE's per-RB rate over fast fading (what its expected rate is computed from)."""
        return self.rate_statistics.distribution(ue.sinr_db(direction), self._fading_kind(ue))

    # -- changes made through the admin API ------------------------------------------------------

    def move(self, ue: Ue, x_m: float, y_m: float) -> None:
        if not self.area.contains(x_m, y_m):
            w = self.area.half_width_m
            raise RadioConfigError(f"position must lie within +-{w:.0f} m of the layout centre")
        ue.motion = Motion(x_m, y_m, ue.motion.heading_rad, ue.mobility.speed_mps)
        self._update_large_scale(ue)

    def set_mobility(self, ue: Ue, mobility: Mobility) -> None:
        ue.mobility = mobility
        ue.motion = Motion(ue.motion.x_m, ue.motion.y_m, ue.motion.heading_rad, mobility.speed_mps)

    def set_static_rbs(self, ue: Ue, direction: Direction, rbs: int | None) -> None:
        if rbs is not None:
            reserved = sum(
                other.static_rbs[direction] or 0
                for other in self._ues.values()
                if other.cell_id == ue.cell_id and other.ue_id != ue.ue_id
            )
            if rbs < 1 or reserved + rbs > self.carrier.n_rbs:
                raise RadioConfigError(
                    f"cell {ue.cell_id} has {self.carrier.n_rbs - reserved} {direction} RBs left "
                    f"for static allocation; asked for {rbs}"
                )
        ue.static_rbs[direction] = rbs
        self.table.static_rbs[DIRECTION_INDEX[direction], ue.slot] = rbs or 0

    def set_cell(self, cell_id: int, power_dbm: float | None, load: float | None) -> None:
        """Change a cell's transmit power or interference load; every UE's SINR follows."""
        if not 0 <= cell_id < len(self.sites):
            raise RadioConfigError(f"cell {cell_id} does not exist; cells: 0-{len(self.sites) - 1}")
        if power_dbm is not None:
            self.cell_power_dbm[cell_id] = power_dbm
        if load is not None:
            self.cell_load[cell_id] = load
        for ue in self._ues.values():
            self._update_large_scale(ue)

    def step_mobility(self, dt_s: float) -> int:
        """Advance every moving UE by ``dt_s``; returns how many moved."""
        moved = 0
        for ue in self._ues.values():
            if ue.mobility.kind == "static":
                continue
            ue.motion = advance(ue.motion, ue.mobility, self.area, dt_s, ue.rng)
            self._update_large_scale(ue)
            moved += 1
        return moved
