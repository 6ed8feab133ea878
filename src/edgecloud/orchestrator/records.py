"""History records: the orchestrator's half of a request, and the joined, finished record."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from edgecloud.common.reports import DeliveryReport
from edgecloud.model.reward import reward


class RequestStatus(StrEnum):
    """How a request ended (label ``status`` of the requests counter). A history record has one of
    the first three: the others end before any engine streamed."""

    OK = "ok"
    UPSTREAM_ERROR = "upstream_error"  # the engine failed (a 5xx, or in the middle of the stream)
    CLIENT_DISCONNECTED = "client_disconnected"
    TIER_UNAVAILABLE = "tier_unavailable"  # no engine could be reached
    TIER_BUSY = "tier_busy"  # no admission slot within the admission timeout
    UPSTREAM_REJECTED = "upstream_rejected"  # the engine refused it (its 4xx)


class OrchestratorPart(BaseModel):
    """What the orchestrator measured for one request."""

    model_config = ConfigDict(allow_inf_nan=False)  # a NaN would make /history unanswerable

    request_id: str
    ue_id: str | None
    via_radio: bool
    policy: str
    route: str
    task_type: str
    quality_required: float
    quality: float
    quality_violated: bool
    expected_output_tokens: int
    state: dict[str, float] = Field(description="the numeric task state the policy saw")
    estimates_s: dict[str, float] = Field(default_factory=dict)
    status: RequestStatus
    decision_s: float
    queue_s: float
    backhaul_s: float
    ttft_s: float
    decode_s: float
    orchestrator_s: float = Field(description="request received to last byte sent")
    prompt_tokens: int
    completion_tokens: int
    started_at: float
    finished_at: float


class DelayParts(BaseModel):
    uplink_s: float
    decision_s: float
    queue_s: float
    backhaul_s: float
    ttft_s: float
    decode_s: float
    downlink_s: float = Field(description="air time not hidden behind generation (the tail)")
    other_s: float = Field(
        default=0.0,
        description="the rest of the end-to-end delay: HTTP hops and processing between the parts",
    )


class HistoryRecord(BaseModel):
    """One finished request: state, action, delay parts, quality and reward."""

    model_config = ConfigDict(allow_inf_nan=False)

    request_id: str
    ue_id: str | None
    policy: str
    route: str
    task_type: str
    status: RequestStatus
    state: dict[str, float]
    estimates_s: dict[str, float]
    quality: float
    quality_required: float
    quality_violated: bool
    completion_tokens: int
    parts: DelayParts
    total_s: float
    reward: float
    report_missing: bool = Field(description="came through the radio but no report arrived")
    radio: DeliveryReport | None = None
    finished_at: float


def join(
    part: OrchestratorPart, report: DeliveryReport | None, violation_penalty_s: float
) -> HistoryRecord:
    """Combine both halves. Without a report, radio parts are zero and the total is ours."""
    if report is not None:
        uplink_s, downlink_s, total_s = report.uplink_s, report.downlink_tail_s, report.total_s
    else:
        uplink_s, downlink_s, total_s = 0.0, 0.0, part.orchestrator_s
    parts = DelayParts(
        uplink_s=uplink_s,
        decision_s=part.decision_s,
        queue_s=part.queue_s,
        backhaul_s=part.backhaul_s,
        ttft_s=part.ttft_s,
        decode_s=part.decode_s,
        downlink_s=downlink_s,
    )
    parts.other_s = max(0.0, total_s - sum(parts.model_dump().values()))
    return HistoryRecord(
        request_id=part.request_id,
        ue_id=part.ue_id,
        policy=part.policy,
        route=part.route,
        task_type=part.task_type,
        status=part.status,
        state=part.state,
        estimates_s=part.estimates_s,
        quality=part.quality,
        quality_required=part.quality_required,
        quality_violated=part.quality_violated,
        completion_tokens=part.completion_tokens,
        parts=parts,
        total_s=total_s,
        reward=reward(total_s, part.quality_violated, violation_penalty_s),
        report_missing=part.via_radio and report is None,
        radio=report,
        finished_at=report.delivered_at if report is not None else part.finished_at,
    )
