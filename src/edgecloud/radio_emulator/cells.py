"""Cells and UEs: where each UE is, which cell serves it, and the SINR of its links.

Layout: ``n_cells`` gNBs on a ring with inter-site distance sqrt(3) * radius (adjacent hexagonal
cells). A UE is placed uniformly in the disc of a cell drawn at random and attaches to the strongest
cell; its LOS state and shadowing towards every gNB are drawn once, from a generator seeded by
(seed, UE id), so a UE id always lands at the same place whatever the order in which UEs arrive.

Downlink SINR: serving gNB power per RB over thermal noise plus the other gNBs' power per RB scaled
by their load. Uplink SNR: UE power spread over the carrier, over the gNB's noise (uplink inter-cell
interference is not modelled in this version).
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass

from edgecloud.model.capacity import LinkAbstraction, sinr_db
from edgecloud.model.channel import SHADOWING_STD_DB, los_probability, noise_power_dbm, path_loss_db
from edgecloud.model.nr import Carrier

from .settings import RadioSettings

UE_ID_PATTERN = re.compile(r"^[A-Za-z0-9._:@-]{1,128}$")


class UeLimitError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Position:
    x_m: float
    y_m: float

    def distance_m(self, other: Position) -> float:
        return math.hypot(self.x_m - other.x_m, self.y_m - other.y_m)


@dataclass(frozen=True, slots=True)
class UeRadio:
    ue_id: str
    cell_id: int
    position: Position
    distance_m: float
    los: bool
    dl_sinr_db: float
    ul_sinr_db: float


def cell_sites(n_cells: int, radius_m: float) -> list[Position]:
    if n_cells == 1:
        return [Position(0.0, 0.0)]
    isd = math.sqrt(3) * radius_m
    ring_radius = isd / (2 * math.sin(math.pi / n_cells))
    return [
        Position(
            ring_radius * math.cos(2 * math.pi * i / n_cells),
            ring_radius * math.sin(2 * math.pi * i / n_cells),
        )
        for i in range(n_cells)
    ]


class RadioEnvironment:
    """The static radio picture of every registered UE, computed from the system model."""

    def __init__(self, settings: RadioSettings) -> None:
        self.settings = settings
        self.carrier = Carrier(settings.numerology, settings.bandwidth_mhz)
        self.link = LinkAbstraction(implementation_factor=settings.implementation_factor)
        self.sites = cell_sites(settings.n_cells, settings.cell_radius_m)
        self._ues: dict[str, UeRadio] = {}
        rb_hz = self.carrier.rb_bandwidth_hz
        n_rbs = self.carrier.n_rbs
        self._gnb_power_per_rb_dbm = settings.gnb_power_dbm - 10 * math.log10(n_rbs)
        self._ue_power_per_rb_dbm = settings.ue_power_dbm - 10 * math.log10(n_rbs)
        self._ue_noise_dbm = noise_power_dbm(rb_hz, settings.ue_noise_figure_db)
        self._gnb_noise_dbm = noise_power_dbm(rb_hz, settings.gnb_noise_figure_db)

    @property
    def ues(self) -> dict[str, UeRadio]:
        return self._ues

    def get_or_register(self, ue_id: str) -> UeRadio:
        ue = self._ues.get(ue_id)
        if ue is None:
            if len(self._ues) >= self.settings.max_ues:
                raise UeLimitError(f"the emulator holds its maximum of {self.settings.max_ues} UEs")
            ue = self._place(ue_id)
            self._ues[ue_id] = ue
        return ue

    def _place(self, ue_id: str) -> UeRadio:
        s = self.settings
        rng = random.Random(f"{s.seed}:{ue_id}")
        site = self.sites[rng.randrange(s.n_cells)]
        # Uniform in the disc, at least 10 m from the mast (the path-loss models' minimum).
        r = math.sqrt(rng.uniform((10.0 / s.cell_radius_m) ** 2, 1.0)) * s.cell_radius_m
        theta = rng.uniform(0, 2 * math.pi)
        position = Position(site.x_m + r * math.cos(theta), site.y_m + r * math.sin(theta))
        losses = [self._link_loss_db(rng, position, other) for other in self.sites]
        # The UE attaches to the strongest cell, as cell selection would do (shadowing included).
        cell_id = min(range(len(losses)), key=lambda i: losses[i][0])
        serving_loss_db, serving_los = losses[cell_id]
        interference_mw = sum(
            s.interference_load * 10 ** ((self._gnb_power_per_rb_dbm - loss_db) / 10)
            for i, (loss_db, _) in enumerate(losses)
            if i != cell_id
        )
        dl = sinr_db(
            self._gnb_power_per_rb_dbm - serving_loss_db, self._ue_noise_dbm, interference_mw
        )
        ul = sinr_db(self._ue_power_per_rb_dbm - serving_loss_db, self._gnb_noise_dbm)
        distance_m = position.distance_m(self.sites[cell_id])
        return UeRadio(ue_id, cell_id, position, distance_m, serving_los, dl, ul)

    def _link_loss_db(self, rng: random.Random, ue: Position, site: Position) -> tuple[float, bool]:
        s = self.settings
        d2 = max(ue.distance_m(site), 10.0)
        los = rng.random() < los_probability(s.scenario, d2, s.ue_height_m)
        loss = path_loss_db(s.scenario, d2, s.carrier_hz, los=los, ue_height_m=s.ue_height_m)
        if s.shadowing:
            loss += rng.gauss(0.0, SHADOWING_STD_DB[s.scenario][0 if los else 1])
        return loss, los

    def rate_bps(self, ue: UeRadio, n_rbs: float, downlink: bool) -> float:
        """Rate of a UE holding ``n_rbs`` RBs (fractions mean a time share of an RB)."""
        sinr = ue.dl_sinr_db if downlink else ue.ul_sinr_db
        return n_rbs * self.carrier.rb_bandwidth_hz * self.link.spectral_efficiency_bps_hz(sinr)
