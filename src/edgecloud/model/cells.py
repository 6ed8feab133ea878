"""Cells and UEs: where each UE is, which cell serves it, its mean SINR and its fading per RBG.

Layout: ``n_cells`` gNBs on a ring with inter-site distance sqrt(3) * radius (adjacent hexagonal
cells). A UE is placed uniformly in the disc of a cell drawn at random and attaches to the strongest
cell; its LOS state and shadowing towards every gNB are drawn once, from a generator seeded by
(seed, UE id), so a UE id always lands at the same place whatever the order in which UEs arrive.
A moving UE keeps its LOS states and shadowing, re-attaches to the strongest cell as it moves.

Downlink SINR: serving gNB power per RB over thermal noise plus the other gNBs' power per RB scaled
by their load. Uplink SINR (``model.uplink``): the UE's open-loop controlled power per RB over the
gNB's noise plus what the other cells' UEs send it, scaled by those cells' load. Fast fading
multiplies the wanted signal per RBG (block fading, redrawn every coherence interval,
``model.fast_fading``); interference is taken at its mean.
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
from .fast_fading import FastFading
from .layout import RadioLayout
from .mobility import Area, Mobility, Motion, advance
from .nr import Carrier
from .rate_statistics import RateDistribution
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
from .uplink import UplinkInterference, UplinkPowerControl

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
        self._ues: dict[str, Ue] = {}
        self.table = UeTable(len(self._rbg_sizes))
        self._by_slot: dict[int, Ue] = {}
        self.fading = FastFading(layout, self.carrier, self.link, self.table, self._by_slot)
        rb_hz = self.carrier.rb_bandwidth_hz
        n_rbs = self.carrier.n_rbs
        self._per_rb_db = 10 * math.log10(n_rbs)
        # Per cell, changeable at run time: transmit power and the load its interference assumes.
        self.cell_power_dbm = [layout.gnb_power_dbm] * len(self.sites)
        self.cell_load = [layout.interference_load] * len(self.sites)
        self._ue_noise_dbm = noise_power_dbm(rb_hz, layout.ue_noise_figure_db)
        self._gnb_noise_dbm = noise_power_dbm(rb_hz, layout.gnb_noise_figure_db)
        self.power_control = UplinkPowerControl(
            layout.ul_p0_dbm, layout.ul_alpha, layout.ue_power_dbm, layout.numerology
        )
        self._uplink = UplinkInterference(len(self.sites), self._gnb_noise_dbm)

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
            self._settle_uplink([ue])
        return ue

    def remove(self, ue_id: str) -> bool:
        ue = self._ues.pop(ue_id, None)
        if ue is None:
            return False
        del self._by_slot[ue.slot]
        self.table.remove(ue.slot)
        self._uplink.remove(ue_id)
        self._settle_uplink([])
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
        self.table.cell_id[ue.slot] = cell_id
        self.table.redraw_at[ue.slot] = -math.inf  # the channel changed: refresh the RBG rates
        self._update_uplink(ue, losses)

    def _update_uplink(self, ue: Ue, losses: list[float]) -> None:
        """The UE's uplink power (open-loop control) and what its gNB and the others receive."""
        ue.site_loss_db = losses
        rbs = ue.static_rbs[Direction.UPLINK] or self.carrier.rbg_size
        ue.ul_power_per_rb_dbm = float(
            self.power_control.power_per_rb_dbm(np.array(losses[ue.cell_id]), np.array(rbs))
        )
        received_mw = 10 ** ((ue.ul_power_per_rb_dbm - np.array(losses)) / 10)
        self._uplink.set(ue.ue_id, ue.cell_id, received_mw)

    def _settle_uplink(self, changed: list[Ue]) -> None:
        """Uplink SINRs after a change: the changed UEs', or every UE's once interference moved
        by 0.1 dB (one call per change, however many UEs it moved)."""
        total_mw = self._uplink.noise_and_interference_mw(np.array(self.cell_load))
        targets = changed
        if self._uplink.drifted(total_mw):
            self._uplink.settled_mw = total_mw
            targets = list(self._ues.values())
        for ue in targets:
            wanted_dbm = ue.ul_power_per_rb_dbm - ue.site_loss_db[ue.cell_id]
            sinr = wanted_dbm - 10 * math.log10(total_mw[ue.cell_id])
            if abs(sinr - ue.ul_sinr_db) > 0.05:
                self.table.redraw_at[ue.slot] = -math.inf
            ue.ul_sinr_db = sinr

    def rb_rates_bps(self, ue: Ue, direction: Direction, now: float) -> FloatArray:
        """Rate one RB of each RBG carries for the UE now (fading redrawn when due)."""
        row: FloatArray = self.fading.rates_rows(np.array([ue.slot]), direction, now)[0]
        return row

    def rb_rates_rows(self, slots: IntArray, direction: Direction, now: float) -> FloatArray:
        """``rb_rates_bps`` of the UEs in ``slots``, one row each; due ones are redrawn at once."""
        return self.fading.rates_rows(slots, direction, now)

    def mean_rb_rate_bps(self, ue: Ue, direction: Direction) -> float:
        """Per-RB rate without fast fading (the large-scale SINR only)."""
        return self.carrier.rb_bandwidth_hz * self.link.spectral_efficiency_bps_hz(
            ue.sinr_db(direction)
        )

    def rate_distribution(self, ue: Ue, direction: Direction) -> RateDistribution:
        """The UE's per-RB rate over fast fading (what its expected rate is computed from)."""
        return self.fading.distribution(ue, direction)

    # -- changes made through the admin API ------------------------------------------------------

    def move(self, ue: Ue, x_m: float, y_m: float) -> None:
        if not self.area.contains(x_m, y_m):
            w = self.area.half_width_m
            raise RadioConfigError(f"position must lie within +-{w:.0f} m of the layout centre")
        ue.motion = Motion(x_m, y_m, ue.motion.heading_rad, ue.mobility.speed_mps)
        self._update_large_scale(ue)
        self._settle_uplink([ue])

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
        if direction is Direction.UPLINK:  # its power per RB follows the RBs it sends on
            self._update_uplink(ue, ue.site_loss_db)
            self._settle_uplink([ue])

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
        self._settle_uplink(list(self._ues.values()))

    def step_mobility(self, dt_s: float) -> int:
        """Advance every moving UE by ``dt_s``; returns how many moved."""
        moved = []
        for ue in self._ues.values():
            if ue.mobility.kind == "static":
                continue
            ue.motion = advance(ue.motion, ue.mobility, self.area, dt_s, ue.rng)
            self._update_large_scale(ue)
            moved.append(ue)
        if moved:
            self._settle_uplink(moved)
        return len(moved)
