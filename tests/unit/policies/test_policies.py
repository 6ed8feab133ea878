import random

import pytest

from edgecloud.model import Route, TaskType
from edgecloud.policies import (
    CloudOnly,
    EdgeOnly,
    Greedy,
    RandomChoice,
    UnknownPolicyError,
    create_policy,
    estimate_service_delay_s,
    policy_names,
)
from tests.unit.factories import task_state


def test_fixed_policies() -> None:
    state = task_state()
    assert EdgeOnly().decide(state).route is Route.EDGE
    assert CloudOnly().decide(state).route is Route.CLOUD


def test_random_is_reproducible_from_its_generator_and_uses_both_tiers() -> None:
    state = task_state()
    first = [RandomChoice(random.Random(7)).decide(state).route for _ in range(1)]
    policy_a, policy_b = RandomChoice(random.Random(7)), RandomChoice(random.Random(7))
    routes_a = [policy_a.decide(state).route for _ in range(200)]
    routes_b = [policy_b.decide(state).route for _ in range(200)]
    assert routes_a == routes_b
    assert first[0] == routes_a[0]
    assert 60 < routes_a.count(Route.CLOUD) < 140


def test_random_rejects_a_bad_probability() -> None:
    with pytest.raises(ValueError, match="cloud_probability"):
        RandomChoice(random.Random(0), cloud_probability=1.5)


def test_greedy_estimate_is_eq1_plus_eq3() -> None:
    state = task_state(edge_ttft_s=0.05, edge_tpot_s=0.02, dl_rate_bps=1.44e6)
    # 0.05 + 99 * 0.02 = 2.03 s of generation; 100 tokens * 180 B * 8 / 1.44 Mbit/s = 0.1 s
    assert estimate_service_delay_s(state, Route.EDGE) == pytest.approx(2.13)
    # cloud: 0.05 + 99 * 0.01 + 0.1 + t_back 0.04
    assert estimate_service_delay_s(state, Route.CLOUD) == pytest.approx(1.18)


def test_greedy_takes_the_faster_tier_when_both_meet_quality() -> None:
    fast_cloud = task_state(TaskType.CHAT, edge_tpot_s=0.02, cloud_tpot_s=0.01)
    slow_cloud = task_state(TaskType.CHAT, edge_tpot_s=0.01, cloud_tpot_s=0.02)
    assert Greedy().decide(fast_cloud).route is Route.CLOUD
    decision = Greedy().decide(slow_cloud)
    assert decision.route is Route.EDGE
    assert decision.estimates_s[Route.EDGE] < decision.estimates_s[Route.CLOUD]


def test_greedy_respects_the_quality_requirement() -> None:
    # The edge is much faster, but gives coding a quality of 4.5 against a requirement of 7.
    state = task_state(TaskType.CODING, edge_tpot_s=0.001, cloud_tpot_s=0.05)
    assert Greedy().decide(state).route is Route.CLOUD


def test_greedy_avoids_an_unavailable_tier() -> None:
    state = task_state(TaskType.CHAT, edge_tpot_s=0.001, edge_available=False)
    assert Greedy().decide(state).route is Route.CLOUD


def test_registry_creates_every_policy_and_rejects_unknown_names() -> None:
    rng = random.Random(0)
    assert {"edge-only", "cloud-only", "random", "greedy"} <= set(policy_names())
    for name in policy_names():
        assert create_policy(name, rng).name == name
    with pytest.raises(UnknownPolicyError, match="known: "):
        create_policy("oracle-of-delphi", rng)
