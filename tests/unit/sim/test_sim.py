"""The simulator: Gymnasium's contract, determinism, every policy, and the oracle bound."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from edgecloud.policies import create_policy, policy_names
from edgecloud.policies.observation import ROUTES
from edgecloud.sim import OffloadingEnv, Oracle, SimConfig, evaluate

SMALL = SimConfig(tasks_per_episode=60)


def test_the_environment_passes_gymnasiums_checker() -> None:
    check_env(OffloadingEnv(SMALL), skip_render_check=True)


def test_equal_seeds_give_equal_trajectories() -> None:
    def trajectory(seed: int) -> list[tuple[list[float], float]]:
        env = OffloadingEnv(SMALL)
        obs, _ = env.reset(seed=seed)
        steps, truncated, i = [], False, 0
        while not truncated:
            obs, reward, terminated, truncated, _ = env.step(i % 2)
            assert not terminated
            steps.append((obs.tolist(), reward))
            i += 1
        return steps

    assert trajectory(5) == trajectory(5)
    assert trajectory(5) != trajectory(6)
    assert len(trajectory(5)) == SMALL.tasks_per_episode


def test_observations_lie_in_the_declared_space_and_bad_actions_are_refused() -> None:
    env = OffloadingEnv(SMALL)
    obs, info = env.reset(seed=1)
    assert env.observation_space.contains(obs)
    assert set(info["true_cost_s"]) == {"edge", "cloud"}
    with pytest.raises(ValueError, match="action"):
        env.step(2)


@pytest.mark.parametrize("name", policy_names())
def test_every_registered_policy_runs_in_the_simulator(name: str) -> None:
    stats = evaluate(create_policy(name, random.Random(0)), SMALL, seeds=[1])
    assert stats.policy == name
    assert np.isfinite(stats.mean_cost_s)
    assert 0.0 <= stats.cloud_share <= 1.0


@pytest.mark.parametrize("name", ["edge-only", "cloud-only", "random", "greedy"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_on_every_state_the_oracles_choice_costs_no_more(name: str, seed: int) -> None:
    """Along each policy's own trajectory the oracle's pick is never the costlier one.

    Over whole episodes a myopic oracle is not a bound: its choices change the loads the next tasks
    meet (with other tier profiles greedy beat it on 3 of 5 seeds by a few ms). Per state it is.
    """
    policy = create_policy(name, random.Random(seed))
    env = OffloadingEnv(SMALL)
    _, info = env.reset(seed=seed)
    truncated, steps = False, 0
    while not truncated:
        costs = info["true_cost_s"]
        chosen = policy.decide(env.task_state()).route
        assert min(costs.values()) <= costs[chosen]
        _, _, _, truncated, info = env.step(ROUTES.index(chosen))
        steps += 1
    assert steps == SMALL.tasks_per_episode


def test_the_oracle_beats_the_state_blind_baselines_over_episodes() -> None:
    seeds = [1, 2, 3]
    oracle = evaluate(Oracle(), SMALL, seeds).mean_cost_s
    for name in ("edge-only", "cloud-only", "random"):
        assert oracle < evaluate(create_policy(name, random.Random(0)), SMALL, seeds).mean_cost_s


def test_load_slows_the_edge_down() -> None:
    light = evaluate(
        create_policy("edge-only", random.Random(0)),
        SimConfig(tasks_per_episode=60, arrival_rate_hz=0.5),
        seeds=[1],
    )
    heavy = evaluate(
        create_policy("edge-only", random.Random(0)),
        SimConfig(tasks_per_episode=60, arrival_rate_hz=8.0),
        seeds=[1],
    )
    assert heavy.mean_delay_s > 2 * light.mean_delay_s


def test_an_experiment_writes_csv_and_one_figure_per_factor(tmp_path: Path) -> None:
    from edgecloud.sim.experiments import base_config, run, summary, sweep
    from edgecloud.sim.icl import SimulatedKnn

    base = base_config(tasks_per_episode=20)
    points = sweep(base, ues=(5, 10), rbs=(12,), backhaul_s=(0.1,), mixes=("coding-heavy",))

    def knn() -> SimulatedKnn:
        policy = SimulatedKnn()
        policy.warm_up(base, seed=99, tasks=30)
        return policy

    policies = {
        "oracle": Oracle,
        "greedy": lambda: create_policy("greedy", random.Random(0)),
        "knn": knn,
    }
    rows = run(points, policies, seeds=[1], out_dir=tmp_path, progress=lambda line: None)
    assert len(rows) == len(points) * 3
    lines = (tmp_path / "results.csv").read_text().splitlines()
    assert lines[0].startswith("factor,value,policy,mean_cost_s")
    assert len(lines) == 1 + len(rows)
    assert sorted(p.name for p in tmp_path.glob("sweep_*.png")) == [
        "sweep_backhaul_ms.png",
        "sweep_mix.png",
        "sweep_rbs.png",
        "sweep_ues.png",
    ]
    means = summary(rows)
    assert set(means) == {"oracle", "greedy", "knn"}
