"""The radio as the calibrated simulator needs it: each UE's large-scale rates where the live runner
places it, and the downlink share of the UEs of a cell that are receiving.

The UEs are registered in the radio emulator's own model (``model.cells``) with its layout seed and
moved to the schedule's positions, exactly as the admin API does live, so each gets the same cell,
line of sight, shadowing and SINR. Fast fading is left out (its mean gain is folded into the
large-scale rate, as the emulator's reported rate does).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from edgecloud.model.cells import Direction, RadioEnvironment
from edgecloud.model.fading import Fading
from edgecloud.model.layout import RadioLayout

from .scenario import Scenario
from .schedule import PlacedUe, ScheduledRequest

# JSON around a prompt on the uplink (model, max_tokens, metadata, the messages' frame).
REQUEST_FRAME_BYTES = 300


@dataclass(frozen=True, slots=True)
class _Link:
    cell_id: int
    dl_rb_rate_bps: float
    ul_rb_rate_bps: float
    sinr_db: float


class RadioView:
    def __init__(self, scenario: Scenario, ues: Sequence[PlacedUe], layout_seed: int) -> None:
        cells = scenario.cells
        layout = RadioLayout(
            seed=layout_seed,
            n_cells=cells.n_cells,
            cell_radius_m=cells.cell_radius_m,
            fading=Fading.NONE,
        )
        environment = RadioEnvironment(layout)
        self.n_rbs = environment.carrier.n_rbs
        self._links: dict[str, _Link] = {}
        for placed in ues:
            ue = environment.get_or_register(placed.ue_id)
            environment.move(ue, placed.x_m, placed.y_m)
            self._links[placed.ue_id] = _Link(
                ue.cell_id,
                environment.mean_rb_rate_bps(ue, Direction.DOWNLINK),
                environment.mean_rb_rate_bps(ue, Direction.UPLINK),
                ue.dl_sinr_db,
            )
        self._streams: dict[str, tuple[str, float, float]] = {}  # request -> (UE, from, until)

    def _sharing(self, ue_id: str, at_s: float) -> int:
        """Other UEs of the cell receiving at ``at_s``."""
        cell = self._links[ue_id].cell_id
        busy = {
            other
            for other, start_s, end_s in self._streams.values()
            if other != ue_id and self._links[other].cell_id == cell and start_s <= at_s < end_s
        }
        return len(busy)

    def reported_rate_bps(self, ue_id: str, at_s: float) -> float:
        """The rate the emulator reports: the carrier's RBs shared with the receiving UEs."""
        return self.n_rbs * self._links[ue_id].dl_rb_rate_bps / (1 + self._sharing(ue_id, at_s))

    def downlink_rate_bps(self, ue_id: str, at_s: float) -> float:
        return self.reported_rate_bps(ue_id, at_s)

    def uplink_rate_bps(self, ue_id: str) -> float:
        return self.n_rbs * self._links[ue_id].ul_rb_rate_bps

    def sinr_db(self, ue_id: str) -> float:
        return self._links[ue_id].sinr_db

    def uplink_s(self, request: ScheduledRequest) -> float:
        body = json.dumps({"messages": [{"role": "user", "content": request.prompt}]})
        bits = (len(body.encode()) + REQUEST_FRAME_BYTES) * 8
        return bits / max(self.uplink_rate_bps(request.ue_id), 1.0)

    def start(self, request_id: str, ue_id: str, at_s: float) -> None:
        self._streams[request_id] = (ue_id, at_s, float("inf"))

    def end(self, request_id: str, at_s: float) -> None:
        ue_id, start_s, _ = self._streams[request_id]
        self._streams[request_id] = (ue_id, start_s, at_s)

    def forget_before(self, at_s: float) -> None:
        """Drop the streams that ended before ``at_s`` (they share nothing any more)."""
        self._streams = {k: v for k, v in self._streams.items() if v[2] > at_s}
