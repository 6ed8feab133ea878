"""The calibrated simulator: the Gymnasium contract, determinism, and hand-worked queueing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from edgecloud.load.prompts import PromptSet
from edgecloud.model import Route
from edgecloud.policies import create_policy
from edgecloud.sim.calibrated import CalibratedConfig, CalibratedEnv
from edgecloud.sim.evaluate import evaluate_env
from edgecloud.sim.scenario import load_scenario
from edgecloud.sim.trace import read_trace

ROOT = Path(__file__).resolve().parents[3]
PROMPTS = PromptSet.load(ROOT / "loadtest" / "prompts.json")

# One iteration = 10 ms whatever it holds; one sequence at a time: requests queue.
PROFILE = """
name = "one-at-a-time"
description = "a hand-worked engine"
source = "a unit test"
served_model_name = "m"
[step]
base_s = 0.01
per_prefill_token_s = 0.0
per_decode_seq_s = {decode}
per_context_token_s = 0.0
[limits]
max_num_seqs = {seqs}
max_num_batched_tokens = 4096
kv_blocks = 1000
block_size = 16
max_model_len = 8192
"""
TRACE = """TIMESTAMP,ContextTokens,GeneratedTokens
2023-11-16 18:00:00.0000000,10,10
2023-11-16 18:00:00.0010000,10,10
"""


def short_paper(duration_s: float = 20.0) -> CalibratedConfig:
    paper = load_scenario("paper").model_copy(update={"duration_s": duration_s})
    return CalibratedConfig(scenario=paper, prompts=PROMPTS)


def hand_worked(tmp_path: Path, seqs: int, decode_s: float) -> CalibratedEnv:
    profile = tmp_path / "engine.toml"
    profile.write_text(PROFILE.format(seqs=seqs, decode=decode_s))
    (tmp_path / "trace.csv").write_text(TRACE)
    scenario_file = tmp_path / "two.toml"
    scenario_file.write_text(
        f"""
name = "two"
duration_s = 10.0
[engines]
edge_profile = "{profile}"
cloud_profile = "{profile}"
[cells]
n_cells = 1
ues_per_cell = [1]
[arrivals]
kind = "trace"
trace = "trace.csv"
[task_mix]
chat = 1.0
[slo]
ttft_s = 1.0
e2e_s = 5.0
"""
    )
    scenario = load_scenario(scenario_file)
    trace = tuple(read_trace(scenario.path("trace.csv")))
    config = CalibratedConfig(scenario=scenario, prompts=PROMPTS, trace=trace, hop_s=0.0)
    return CalibratedEnv(config)


def run(env: CalibratedEnv, actions: list[int], seed: int = 0) -> list[dict[str, object]]:
    env.reset(seed=seed)
    completed: list[dict[str, object]] = []
    for action in actions:
        _, _, _, truncated, info = env.step(action)
        completed += info["completed"]
        if truncated:
            break
    return sorted(completed, key=lambda o: int(str(o["index"])))


def test_the_calibrated_env_keeps_the_gymnasium_contract() -> None:
    check_env(CalibratedEnv(short_paper()), skip_render_check=True)


def test_a_request_behind_another_waits_for_its_whole_answer(tmp_path: Path) -> None:
    alone = run(hand_worked(tmp_path, seqs=1, decode_s=0.0), [0, 0])
    # Ten tokens = ten iterations of 10 ms; the second arrives 1 ms later and starts when the
    # first has finished: 99 ms more than the first, up to the air time of one token.
    first, second = (float(str(o["delay_s"])) for o in alone)
    assert first == pytest.approx(0.100, abs=0.002)
    assert second - first == pytest.approx(0.099, abs=0.002)
    # On separate tiers neither waits.
    apart = run(hand_worked(tmp_path, seqs=1, decode_s=0.0), [0, 1])
    assert float(str(apart[1]["delay_s"])) == pytest.approx(first + 0.040, abs=0.003)


def test_a_batch_slows_every_stream(tmp_path: Path) -> None:
    # 5 ms per decoding sequence: together, the two requests' iterations take longer.
    together = run(hand_worked(tmp_path, seqs=8, decode_s=0.005), [0, 0])
    apart = run(hand_worked(tmp_path, seqs=8, decode_s=0.005), [0, 1])
    assert float(str(together[0]["delay_s"])) > float(str(apart[0]["delay_s"])) + 0.03


def test_every_request_completes_once_and_rewards_sum_to_the_total_cost() -> None:
    env = CalibratedEnv(short_paper())
    env.reset(seed=2)
    rewards, completed, truncated = 0.0, [], False
    rng = np.random.default_rng(0)
    while not truncated:
        _, reward, _, truncated, info = env.step(int(rng.integers(2)))
        rewards += reward
        completed += info["completed"]
    indices = sorted(o["index"] for o in completed)
    assert indices == list(range(len(indices)))
    assert rewards == pytest.approx(-sum(o["cost_s"] for o in completed))
    assert all(o["delay_s"] > 0 for o in completed)


def test_equal_seeds_give_equal_episodes() -> None:
    def episode() -> list[float]:
        env = CalibratedEnv(short_paper())
        observation, _ = env.reset(seed=5)
        out = [float(observation.sum())]
        truncated = False
        while not truncated:
            observation, reward, _, truncated, _ = env.step(len(out) % 2)
            out += [reward, float(observation.sum())]
        return out

    assert episode() == episode()


def test_policies_are_evaluated_on_the_calibrated_env() -> None:
    import random

    env = CalibratedEnv(short_paper())
    edge = evaluate_env(create_policy("edge-only", random.Random(0)), env, [0])
    cloud = evaluate_env(create_policy("cloud-only", random.Random(0)), env, [0])
    assert edge.cloud_share == 0.0
    assert cloud.cloud_share == 1.0
    assert edge.mean_delay_s > 0
    assert edge.mean_delay_s != cloud.mean_delay_s


def test_the_simulator_defaults_are_the_services_defaults() -> None:
    from edgecloud.orchestrator import OrchestratorSettings
    from edgecloud.radio_emulator import RadioSettings
    from edgecloud.stack import StackSettings

    config, orchestrator, radio = short_paper(), OrchestratorSettings(), RadioSettings()
    assert config.radio_seed == StackSettings().seed
    assert config.backhaul_one_way_s == radio.backhaul_delay_s
    assert config.assumed_backhaul_s == orchestrator.backhaul_delay_s
    assert config.bytes_per_token == orchestrator.sse_bytes_per_token
    assert config.ewma_weight == orchestrator.ewma_weight
    assert config.edge_priors.ttft_s == orchestrator.edge_ttft_prior_s
    assert config.edge_priors.tpot_s == orchestrator.edge_tpot_prior_s
    assert config.cloud_priors.ttft_s == orchestrator.cloud_ttft_prior_s
    assert config.cloud_priors.tpot_s == orchestrator.cloud_tpot_prior_s
    assert config.violation_penalty_s == orchestrator.violation_penalty_s


def test_the_oracle_sees_each_options_true_cost(tmp_path: Path) -> None:
    env = hand_worked(tmp_path, seqs=1, decode_s=0.0)
    env.reset(seed=0)
    env.step(0)  # the first request runs on the edge, alone
    costs = env.option_costs_s()
    # Behind the first on the edge (about 99 ms to wait), or alone on the cloud (40 ms backhaul).
    assert costs[Route.EDGE] == pytest.approx(0.199, abs=0.003)
    assert costs[Route.CLOUD] == pytest.approx(0.140, abs=0.003)
    # Asking does not change the episode.
    _, _, _, truncated, info = env.step(0)
    assert truncated
    assert [o["index"] for o in info["completed"]] == [0, 1]
