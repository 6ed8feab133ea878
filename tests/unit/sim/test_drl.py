"""The DRL baseline: it trains a few hundred steps, saves, loads, and decides in both places."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from edgecloud.common.drl_model import load_drl_policy
from edgecloud.common.tasks import BackgroundTasks
from edgecloud.icl import Decider, DecisionConfig, DecisionMetrics
from edgecloud.model import Route, TaskType
from edgecloud.policies.drl import DrlPolicy
from edgecloud.sim import SimConfig, evaluate
from edgecloud.sim.drl import train
from tests.unit.factories import task_state

SMALL = SimConfig(tasks_per_episode=40)


@pytest.fixture(scope="module")
def dqn(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return train("dqn", 300, tmp_path_factory.mktemp("drl") / "dqn", SMALL, progress_bar=False)


@pytest.mark.parametrize("algorithm", ["dqn", "ppo"])
def test_a_model_trains_saves_loads_and_runs_in_the_simulator(
    algorithm: str, tmp_path: Path
) -> None:
    path = train(algorithm, 300, tmp_path / algorithm, SMALL, progress_bar=False)  # type: ignore[arg-type]
    assert path.is_file()
    policy = load_drl_policy(path)
    assert policy.name == algorithm
    stats = evaluate(policy, SMALL, seeds=[1])
    assert stats.policy == algorithm
    assert stats.mean_cost_s > 0


def test_the_loaded_model_is_deterministic(dqn: Path) -> None:
    policy = load_drl_policy(dqn)
    state = task_state(TaskType.CODING)
    assert {policy.decide(state).route for _ in range(5)} in ({Route.EDGE}, {Route.CLOUD})


@pytest.mark.anyio
async def test_the_orchestrator_serves_the_trained_model_or_falls_back(dqn: Path) -> None:
    def decider(path: Path | None) -> tuple[Decider, CollectorRegistry]:
        registry = CollectorRegistry()
        config = DecisionConfig(drl_model_path=path)
        return Decider(
            config, random.Random(0), None, None, DecisionMetrics(registry), BackgroundTasks()
        ), registry

    serving, _ = decider(dqn)
    decision = await serving.decide("drl", task_state())
    assert decision.policy == "dqn"
    missing, registry = decider(dqn.with_name("absent.zip"))
    fallback = await missing.decide("drl", task_state())
    assert "no_model" in fallback.note
    labels = {"policy": "drl", "reason": "no_model"}
    assert registry.get_sample_value("edgecloud_policy_fallbacks_total", labels) == 1


class _FixedAction:
    def __init__(self, action: int) -> None:
        self.action = action
        self.seen: list[object] = []

    def predict(
        self,
        observation: object,
        state: object = None,
        episode_start: object = None,
        deterministic: bool = False,
    ) -> tuple[int, None]:
        self.seen.append(observation)
        return self.action, None


@pytest.mark.parametrize(("action", "route"), [(0, Route.EDGE), (1, Route.CLOUD)])
def test_the_pure_policy_maps_the_model_action_to_a_route(action: int, route: Route) -> None:
    model = _FixedAction(action)
    decision = DrlPolicy(model, "ppo").decide(task_state(TaskType.SCIENCE))
    assert decision.route is route
    assert decision.policy == "ppo"
    assert len(model.seen) == 1


def test_a_model_trained_on_a_scenario_is_served_by_its_name(tmp_path: Path) -> None:
    import asyncio

    from edgecloud.sim.calibrated import CalibratedEnv, config_for
    from edgecloud.sim.evaluate import evaluate_env
    from edgecloud.sim.scenario import load_scenario

    short = load_scenario("paper").model_copy(update={"duration_s": 15.0})
    env = CalibratedEnv(config_for(short))
    path = train("ppo", 256, tmp_path / "paper-ppo", env=env, progress_bar=False)
    stats = evaluate_env(load_drl_policy(path), env, [0])
    assert stats.policy == "ppo"
    assert stats.mean_delay_s > 0
    config = DecisionConfig(ppo_model_path=path)
    decider = Decider(
        config, random.Random(0), None, None, DecisionMetrics(CollectorRegistry()),
        BackgroundTasks(),
    )  # fmt: skip
    assert Decider.known("ppo")
    decision = asyncio.run(decider.decide("ppo", task_state()))
    assert decision.policy == "ppo"
    assert "fallback" not in decision.note
