import pytest

from edgecloud.api.errors import BadRequestError
from edgecloud.api.openai import ChatCompletionRequest
from edgecloud.common.reports import DeliveryReport
from edgecloud.model import DEFAULT_QUALITY, TaskType
from edgecloud.orchestrator.radio_headers import radio_info
from edgecloud.orchestrator.records import OrchestratorPart, join
from edgecloud.orchestrator.state import build_task_state, quality_required_of, task_type_of
from edgecloud.policies import TierState


def part(**overrides: object) -> OrchestratorPart:
    values: dict[str, object] = dict(
        request_id="r1",
        ue_id="ue-1",
        via_radio=True,
        policy="greedy",
        route="cloud",
        task_type="coding",
        quality_required=7.0,
        quality=8.0,
        quality_violated=False,
        expected_output_tokens=64,
        state={},
        status="ok",
        decision_s=0.001,
        queue_s=0.002,
        backhaul_s=0.04,
        ttft_s=0.1,
        decode_s=0.5,
        orchestrator_s=0.7,
        prompt_tokens=9,
        completion_tokens=20,
        started_at=100.0,
        finished_at=100.7,
    )
    values.update(overrides)
    return OrchestratorPart.model_validate(values)


def report(**overrides: object) -> DeliveryReport:
    values: dict[str, object] = dict(
        request_id="r1",
        ue_id="ue-1",
        cell_id=0,
        status_code=200,
        completed=True,
        uplink_s=0.01,
        downlink_s=0.6,
        downlink_tail_s=0.03,
        total_s=0.75,
        ul_bytes=300,
        dl_bytes=4000,
        received_at=99.99,
        delivered_at=100.74,
    )
    values.update(overrides)
    return DeliveryReport.model_validate(values)


def test_join_takes_radio_parts_and_total_from_the_report() -> None:
    record = join(part(), report(), violation_penalty_s=10.0)
    assert record.parts.uplink_s == 0.01
    assert record.parts.downlink_s == 0.03  # the tail not hidden behind generation
    assert record.total_s == 0.75
    assert record.reward == pytest.approx(-0.75)
    # 0.75 s end to end; the measured parts sum to 0.683 s, the rest is hops and processing.
    assert record.parts.other_s == pytest.approx(0.75 - 0.683)
    assert not record.report_missing
    assert record.finished_at == 100.74


def test_join_without_a_report_marks_it_missing_and_uses_our_own_total() -> None:
    record = join(part(quality_violated=True), None, violation_penalty_s=10.0)
    assert record.report_missing
    assert record.parts.uplink_s == 0.0
    assert record.total_s == 0.7
    assert record.reward == pytest.approx(-10.7)
    assert not join(part(via_radio=False), None, 10.0).report_missing


def request(**metadata: str) -> ChatCompletionRequest:
    return ChatCompletionRequest.model_validate(
        {"messages": [{"role": "user", "content": "hello there"}], "metadata": metadata or None}
    )


def test_task_type_and_quality_requirement_from_metadata() -> None:
    assert task_type_of(request()) is TaskType.CHAT
    assert task_type_of(request(task_type="coding")) is TaskType.CODING
    assert quality_required_of(request(), TaskType.SCIENCE, DEFAULT_QUALITY) == 7.0
    assert (
        quality_required_of(request(quality_required="8.5"), TaskType.CHAT, DEFAULT_QUALITY) == 8.5
    )
    with pytest.raises(BadRequestError, match="unknown"):
        task_type_of(request(task_type="poetry"))
    for bad in ("high", "0", "11"):
        with pytest.raises(BadRequestError, match="quality_required"):
            quality_required_of(request(quality_required=bad), TaskType.CHAT, DEFAULT_QUALITY)


def test_expected_output_tokens_come_from_max_tokens_else_the_task_type() -> None:
    tiers = (TierState(0.05, 0.02, 7.0), TierState(0.05, 0.01, 8.5))
    radio = radio_info({}, False, None, 1e7, 1e7)
    limited = ChatCompletionRequest.model_validate(
        {"messages": [{"role": "user", "content": "x"}], "max_tokens": 12}
    )
    assert (
        build_task_state(
            limited, TaskType.CHAT, radio, *tiers, DEFAULT_QUALITY, 0.04, 5.0
        ).expected_output_tokens
        == 12
    )
    coding = request(task_type="coding")
    state = build_task_state(coding, TaskType.CODING, radio, *tiers, DEFAULT_QUALITY, 0.04, 5.0)
    assert state.expected_output_tokens == DEFAULT_QUALITY.expected_output_tokens[TaskType.CODING]
    assert state.quality_required == 7.0
