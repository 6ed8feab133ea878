"""The delivery report: what the radio emulator knows when the last byte reached the UE.

The radio emulator appends one report per request to a Redis stream; the orchestrator joins it with
its own timings into the history record. All durations are measured on the emulator's clock.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class DeliveryReport(BaseModel):
    request_id: str
    ue_id: str
    cell_id: int
    status_code: int
    completed: bool = Field(description="false when the UE went away before the last byte")
    uplink_s: float = Field(description="air time of the request on the uplink")
    downlink_s: float = Field(description="first response byte sent to last byte delivered")
    downlink_tail_s: float = Field(
        description="last byte received from the orchestrator to last byte delivered to the UE"
    )
    total_s: float = Field(description="request received from the UE to last byte delivered")
    ul_bytes: int
    dl_bytes: int
    received_at: float = Field(description="wall-clock time, seconds since the epoch")
    delivered_at: float = Field(description="wall-clock time, seconds since the epoch")


REPORT_FIELD = "report"
