"""Building the task state from a request: its metadata, the radio headers and the tiers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from edgecloud.api import headers as h
from edgecloud.api.errors import BadRequestError
from edgecloud.api.openai import ChatCompletionRequest
from edgecloud.model.classify import classify
from edgecloud.model.tasks import QualityTable, TaskType
from edgecloud.policies.base import TaskState, TierState
from edgecloud.policies.experience import StateSummary

CHARS_PER_TOKEN = 4  # a rough prompt-length estimate; the engine counts exactly afterwards


@dataclass(frozen=True, slots=True)
class RadioInfo:
    ue_id: str | None
    cell_id: int | None
    sinr_db: float
    dl_rate_bps: float
    ul_rate_bps: float
    uplink_s: float
    via_radio: bool


def _float_header(headers: Mapping[str, str], name: str, default: float) -> float:
    value = headers.get(name.lower())
    if value is None:
        return default
    try:
        return float(value)
    except ValueError as exc:
        raise BadRequestError(f"header {name} is not a number", param=name) from exc


def radio_info(
    headers: Mapping[str, str], body_user: str | None, dl_default: float, ul_default: float
) -> RadioInfo:
    """The UE's radio state from the emulator's headers (keys lower-case), or defaults without."""
    via_radio = h.RADIO_UE_ID.lower() in headers
    ue_id = headers.get(h.RADIO_UE_ID.lower()) or headers.get(h.UE_ID.lower()) or body_user
    cell = headers.get(h.RADIO_CELL_ID.lower())
    return RadioInfo(
        ue_id=ue_id,
        cell_id=int(cell) if cell is not None and cell.isdigit() else None,
        sinr_db=_float_header(headers, h.RADIO_SINR_DB, 0.0),
        dl_rate_bps=max(_float_header(headers, h.RADIO_DL_RATE_BPS, dl_default), 1.0),
        ul_rate_bps=max(_float_header(headers, h.RADIO_UL_RATE_BPS, ul_default), 1.0),
        uplink_s=_float_header(headers, h.RADIO_UPLINK_S, 0.0),
        via_radio=via_radio,
    )


def task_type_of(request: ChatCompletionRequest) -> TaskType:
    """From ``metadata.task_type``, else from the user's words by the light classifier."""
    value = (request.metadata or {}).get("task_type")
    if value is None:
        return classify(" ".join(m.text() for m in request.messages if m.role == "user"))
    try:
        return TaskType(value)
    except ValueError as exc:
        known = ", ".join(t.value for t in TaskType)
        raise BadRequestError(
            f"metadata.task_type {value!r} is unknown; known: {known}", param="metadata.task_type"
        ) from exc


def quality_required_of(
    request: ChatCompletionRequest, task_type: TaskType, table: QualityTable
) -> float:
    value = (request.metadata or {}).get("quality_required")
    if value is None:
        return table.requirement[task_type]
    try:
        required = float(value)
    except ValueError as exc:
        raise BadRequestError(
            "metadata.quality_required must be a number from 1 to 10",
            param="metadata.quality_required",
        ) from exc
    if not 1.0 <= required <= 10.0:
        raise BadRequestError(
            "metadata.quality_required must lie in [1, 10]", param="metadata.quality_required"
        )
    return required


def build_task_state(
    request: ChatCompletionRequest,
    radio: RadioInfo,
    edge: TierState,
    cloud: TierState,
    table: QualityTable,
    backhaul_delay_s: float,
    bytes_per_token: float,
) -> TaskState:
    task_type = task_type_of(request)
    quality_required = quality_required_of(request, task_type, table)
    expected = request.token_limit or table.expected_output_tokens[task_type]
    return TaskState(
        task_type=task_type,
        quality_required=quality_required,
        expected_output_tokens=expected,
        prompt_tokens=max(1, len(request.prompt_text()) // CHARS_PER_TOKEN),
        dl_rate_bps=radio.dl_rate_bps,
        ul_rate_bps=radio.ul_rate_bps,
        sinr_db=radio.sinr_db,
        backhaul_delay_s=backhaul_delay_s,
        bytes_per_token=bytes_per_token,
        edge=edge,
        cloud=cloud,
    )


def state_features(state: TaskState) -> dict[str, float]:
    """The numeric state stored with each history record (the ICL examples' ``s``)."""
    return StateSummary.of(state).features() | {
        "quality_required": state.quality_required,
        "expected_output_tokens": float(state.expected_output_tokens),
        "prompt_tokens": float(state.prompt_tokens),
        "dl_rate_bps": state.dl_rate_bps,
        "ul_rate_bps": state.ul_rate_bps,
        "sinr_db": state.sinr_db,
        "backhaul_delay_s": state.backhaul_delay_s,
        "edge_ttft_s": state.edge.ttft_s,
        "edge_tpot_s": state.edge.tpot_s,
        "edge_in_flight": float(state.edge.in_flight),
        "cloud_ttft_s": state.cloud.ttft_s,
        "cloud_tpot_s": state.cloud.tpot_s,
        "cloud_in_flight": float(state.cloud.in_flight),
    }
