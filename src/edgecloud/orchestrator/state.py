"""Building the task state from a request: its metadata, the believed radio state and the tiers."""

from __future__ import annotations

from edgecloud.api.errors import BadRequestError
from edgecloud.api.openai import ChatCompletionRequest
from edgecloud.model.classify import classify
from edgecloud.model.tasks import QualityTable, TaskType
from edgecloud.policies.base import TaskState, TierState
from edgecloud.policies.experience import StateSummary

from .radio_headers import RadioInfo

CHARS_PER_TOKEN = 4  # a rough prompt-length estimate; the engine counts exactly afterwards
# The classifier reads this much of the user's text: a task shows in its first lines, and a long
# prompt must not hold the event loop (its regexes are linear in what they read).
CLASSIFIED_CHARS = 4000


def task_type_of(request: ChatCompletionRequest) -> TaskType:
    """From ``metadata.task_type``, else from the user's words by the light classifier."""
    value = (request.metadata or {}).get("task_type")
    if value is None:
        user_text = " ".join(m.text() for m in request.messages if m.role == "user")
        return classify(user_text[:CLASSIFIED_CHARS])
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
    task_type: TaskType,
    radio: RadioInfo,
    edge: TierState,
    cloud: TierState,
    table: QualityTable,
    backhaul_delay_s: float,
    bytes_per_token: float,
) -> TaskState:
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
