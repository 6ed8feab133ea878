"""ICL's pure parts: example selection, prompt, strict parsing, scores and calibration."""

from __future__ import annotations

import math

import pytest

from edgecloud.icl import (
    CONTENT_FREE_STATE,
    InvalidAnswerError,
    SelectionMethod,
    best,
    build_messages,
    calibrate,
    choice_probabilities,
    parse_choice,
    select_examples,
    state_line,
)
from edgecloud.model import Route, TaskType
from edgecloud.policies import Experience, KNearest, RoundRobin, StateSummary
from tests.unit.factories import task_state


def summary(
    task: TaskType = TaskType.CODING,
    edge_s: float = 2.0,
    cloud_s: float = 1.0,
    tokens: int = 160,
    load: float = 0.0,
) -> StateSummary:
    return StateSummary(task, 7.0, tokens, edge_s, cloud_s, 4.5, 8.0, 2e7, load, 0.0)


def experience(s: StateSummary, route: Route, reward: float) -> Experience:
    return Experience(s, route, reward, -reward, reward < -10)


def test_state_based_selection_uses_the_same_discrete_state() -> None:
    target = summary()
    same = [experience(summary(edge_s=2.1), Route.CLOUD, -1.0 - i / 10) for i in range(6)]
    other_key = [experience(summary(edge_s=0.5), Route.EDGE, -0.1)]  # edge looks faster there
    chosen = select_examples(same + other_key, target, n_recommended=4, n_inadvisable=2)
    assert chosen.method is SelectionMethod.STATE
    assert [e.reward for e in chosen.recommended] == [-1.0, -1.1, -1.2, -1.3]
    assert [e.reward for e in chosen.inadvisable] == [-1.5, -1.4]
    assert all(e.summary.key() == target.key() for e in chosen.recommended + chosen.inadvisable)


def test_ranking_selection_trades_reward_against_distance() -> None:
    target = summary(edge_s=2.0, cloud_s=1.0)
    near = experience(summary(edge_s=0.9, cloud_s=1.0), Route.EDGE, -1.0)
    far = experience(summary(edge_s=0.2, cloud_s=9.0, tokens=20), Route.EDGE, -0.5)
    chosen = select_examples([far, near], target, n_recommended=1, n_inadvisable=1, tau=1.0)
    assert chosen.method is SelectionMethod.RANKING
    assert chosen.recommended == (near,)  # -1.0 - small distance beats -0.5 - large distance
    assert chosen.inadvisable == (far,)
    assert select_examples([], target).method is SelectionMethod.NONE
    other_task = [experience(summary(TaskType.CHAT), Route.EDGE, -0.1)]
    assert select_examples(other_task, target).method is SelectionMethod.NONE


def test_the_prompt_carries_goal_examples_rules_and_the_compact_state() -> None:
    target = summary()
    chosen = select_examples(
        [experience(summary(), Route.CLOUD, -1.2), experience(summary(), Route.EDGE, -11.9)],
        target,
        1,
        1,
    )
    messages = build_messages(state_line(target), chosen)
    text = messages[1]["content"]
    assert messages[0]["role"] == "system"
    assert "Goal:" in text
    assert "Rules:" in text
    assert "-> cloud (reward -1.20, recommended)" in text
    assert "-> edge (reward -11.90, inadvisable)" in text
    assert text.endswith(f"Current: {state_line(target)} ->")
    assert "[coding need q>=7 tokens=160 edge 2.00s q4.5 queue 0 | cloud 1.00s q8 queue 0]" in text
    blank = build_messages(CONTENT_FREE_STATE, chosen)[1]["content"]
    assert blank.endswith("Current: [N/A] ->")


@pytest.mark.parametrize(("text", "route"), [("edge", Route.EDGE), (" cloud\n", Route.CLOUD)])
def test_strict_parsing_accepts_exactly_one_choice(text: str, route: Route) -> None:
    assert parse_choice(text) is route


@pytest.mark.parametrize("text", ["Edge", "edge.", "cloud please", "", "edge cloud", "fog"])
def test_strict_parsing_rejects_anything_else(text: str) -> None:
    with pytest.raises(InvalidAnswerError):
        parse_choice(text)


def test_choice_probabilities_sum_prefix_tokens_of_each_word() -> None:
    tokens = [
        ("edge", math.log(0.5)),
        (" Ed", math.log(0.1)),
        ("cloud", math.log(0.2)),
        ("The", math.log(0.15)),
        ("", math.log(0.05)),
    ]
    probabilities = choice_probabilities(tokens)
    assert probabilities[Route.EDGE] == pytest.approx(0.6)
    assert probabilities[Route.CLOUD] == pytest.approx(0.2)


def test_contextual_calibration_removes_the_models_prior() -> None:
    # The model says edge 0.6 / cloud 0.4, but says edge 0.8 even with no state at all.
    raw = {Route.EDGE: 0.6, Route.CLOUD: 0.4}
    prior = {Route.EDGE: 0.8, Route.CLOUD: 0.2}
    calibrated = calibrate(raw, prior)
    assert best(raw) is Route.EDGE
    assert best(calibrated) is Route.CLOUD
    assert calibrated[Route.CLOUD] == pytest.approx((0.4 / 0.2) / (0.6 / 0.8 + 0.4 / 0.2))
    with pytest.raises(InvalidAnswerError):
        best({Route.EDGE: 0.0, Route.CLOUD: 0.0})


def test_knn_follows_the_best_rewarded_route_among_neighbours() -> None:
    state = task_state(TaskType.CHAT)
    here = StateSummary.of(state)
    pool = tuple(
        [experience(here, Route.CLOUD, -0.5)] * 3 + [experience(here, Route.EDGE, -2.0)] * 5
    )
    from dataclasses import replace

    assert KNearest(k=8).decide(replace(state, pool=pool)).route is Route.CLOUD
    empty = KNearest().decide(state)
    assert "greedy" in empty.note


def test_round_robin_alternates() -> None:
    policy = RoundRobin()
    state = task_state()
    assert [policy.decide(state).route for _ in range(4)] == [
        Route.EDGE,
        Route.CLOUD,
        Route.EDGE,
        Route.CLOUD,
    ]
