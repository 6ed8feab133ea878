"""Response models of the radio emulator's own endpoints."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from edgecloud.model.cells import Ue

    from .air import AirInterface


class UeView(BaseModel):
    ue_id: str
    cell_id: int
    x_m: float
    y_m: float
    distance_m: float = Field(description="distance to the serving gNB")
    los: bool
    dl_sinr_db: float
    ul_sinr_db: float
    dl_rbs: float = Field(description="RBs held now, or that the UE would hold if it sent now")
    ul_rbs: float
    dl_rate_bps: float = Field(
        description="expected rate while it has bytes waiting: fading, scheduler, HARQ included"
    )
    ul_rate_bps: float
    dl_measured_rate_bps: float | None = Field(
        description="bits delivered per second while the link was its limit (moving average)"
    )
    ul_measured_rate_bps: float | None

    mobility: str
    speed_mps: float
    static_rbs: dict[str, int | None]


class UeList(BaseModel):
    data: list[UeView]
    next_after: str | None = None  # pass as ``after`` for the next page; None on the last


class Health(BaseModel):
    status: str = "ok"
    service: str


def ue_view(air: AirInterface, ue: Ue) -> UeView:
    return UeView(
        ue_id=ue.ue_id,
        cell_id=ue.cell_id,
        x_m=ue.position.x_m,
        y_m=ue.position.y_m,
        distance_m=ue.distance_m,
        los=ue.los,
        dl_sinr_db=ue.dl_sinr_db,
        ul_sinr_db=ue.ul_sinr_db,
        dl_rbs=air.downlink.rbs_for(ue),
        ul_rbs=air.uplink.rbs_for(ue),
        dl_rate_bps=air.downlink.rate_bps(ue),
        ul_rate_bps=air.uplink.rate_bps(ue),
        dl_measured_rate_bps=air.downlink.measured_rate_bps(ue),
        ul_measured_rate_bps=air.uplink.measured_rate_bps(ue),
        mobility=ue.mobility.kind.value,
        speed_mps=ue.motion.speed_mps,
        static_rbs={d.value: n for d, n in ue.static_rbs.items()},
    )
