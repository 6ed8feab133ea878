"""Response models of the radio emulator's own endpoints."""

from __future__ import annotations

from pydantic import BaseModel, Field


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
    dl_rate_bps: float
    ul_rate_bps: float


class UeList(BaseModel):
    data: list[UeView]


class Health(BaseModel):
    status: str = "ok"
    service: str
