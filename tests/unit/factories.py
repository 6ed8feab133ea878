"""Builders of task states for policy tests."""

from __future__ import annotations

from edgecloud.model import DEFAULT_QUALITY, Route, TaskType
from edgecloud.policies import TaskState, TierState


def task_state(
    task_type: TaskType = TaskType.CHAT,
    *,
    edge_ttft_s: float = 0.05,
    edge_tpot_s: float = 0.02,
    cloud_ttft_s: float = 0.05,
    cloud_tpot_s: float = 0.01,
    backhaul_delay_s: float = 0.04,
    dl_rate_bps: float = 20e6,
    expected_output_tokens: int = 100,
    edge_available: bool = True,
    cloud_available: bool = True,
) -> TaskState:
    return TaskState(
        task_type=task_type,
        quality_required=DEFAULT_QUALITY.requirement[task_type],
        expected_output_tokens=expected_output_tokens,
        prompt_tokens=20,
        dl_rate_bps=dl_rate_bps,
        ul_rate_bps=10e6,
        sinr_db=10.0,
        backhaul_delay_s=backhaul_delay_s,
        bytes_per_token=180.0,
        edge=TierState(
            edge_ttft_s,
            edge_tpot_s,
            DEFAULT_QUALITY.of(Route.EDGE, task_type),
            available=edge_available,
        ),
        cloud=TierState(
            cloud_ttft_s,
            cloud_tpot_s,
            DEFAULT_QUALITY.of(Route.CLOUD, task_type),
            available=cloud_available,
        ),
    )
