import pytest

from edgecloud.model import (
    DEFAULT_QUALITY,
    Route,
    TaskType,
    generation_delay_s,
    reward,
    transmission_delay_s,
)


def test_eq1_downlink_delay_with_and_without_backhaul() -> None:
    # 100 tokens * 4 bytes * 8 bits / 1 Mbit/s = 3.2 ms, plus t_back for the cloud.
    assert transmission_delay_s(100, 4, 1e6, Route.EDGE, 0.04) == pytest.approx(0.0032)
    assert transmission_delay_s(100, 4, 1e6, Route.CLOUD, 0.04) == pytest.approx(0.0432)


def test_eq1_rejects_a_dead_link() -> None:
    with pytest.raises(ValueError, match="rate"):
        transmission_delay_s(1, 4, 0.0, Route.EDGE, 0.0)


def test_eq3_generation_delay() -> None:
    assert generation_delay_s(100, ttft_s=0.05, tpot_s=0.02) == pytest.approx(0.05 + 99 * 0.02)
    assert generation_delay_s(1, ttft_s=0.05, tpot_s=0.02) == pytest.approx(0.05)
    assert generation_delay_s(0, ttft_s=0.05, tpot_s=0.02) == 0.0


def test_reward_penalises_quality_violations() -> None:
    assert reward(1.5, quality_violated=False) == -1.5
    assert reward(1.5, quality_violated=True, violation_penalty_s=10.0) == -11.5


def test_default_quality_table_matches_the_design() -> None:
    q = DEFAULT_QUALITY
    assert q.of(Route.EDGE, TaskType.CODING) == 4.5
    assert q.of(Route.CLOUD, TaskType.SCIENCE) == 8.5
    assert q.requirement[TaskType.CODING] == 7.0
    assert q.meets(Route.EDGE, TaskType.CHAT, q.requirement[TaskType.CHAT])
    assert not q.meets(Route.EDGE, TaskType.SCIENCE, q.requirement[TaskType.SCIENCE])
    assert all(q.meets(Route.CLOUD, t, q.requirement[t]) for t in TaskType)
