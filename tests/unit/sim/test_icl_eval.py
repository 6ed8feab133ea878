"""ICL measured as a decision maker: labelled states from the calibrated simulator, a fake LLM."""

from __future__ import annotations

from pathlib import Path

import httpx

from edgecloud.load.prompts import PromptSet
from edgecloud.model import Route
from edgecloud.sim.calibrated import CalibratedConfig
from edgecloud.sim.icl_eval import LlmConfig, draw_states, result_line, score
from edgecloud.sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[3]
PROMPTS = PromptSet.load(ROOT / "loadtest" / "prompts.json")


def config() -> CalibratedConfig:
    paper = load_scenario("paper").model_copy(update={"duration_s": 30.0})
    return CalibratedConfig(scenario=paper, prompts=PROMPTS)


def answering(word: str) -> httpx.MockTransport:
    return httpx.MockTransport(
        lambda request: httpx.Response(200, json={"choices": [{"message": {"content": word}}]})
    )


def test_states_are_labelled_with_the_cheaper_option_and_the_pool_grows() -> None:
    states = draw_states(config(), n_states=20, seeds=[0], stride=3)
    assert len(states) == 20
    for labelled in states:
        assert labelled.costs_s[labelled.oracle] == min(labelled.costs_s.values())
    assert len(states[0].pool) == 0  # nothing had finished before the first request
    assert len(states[-1].pool) > len(states[1].pool)


def test_an_llm_that_always_says_cloud_agrees_where_the_oracle_does() -> None:
    states = draw_states(config(), n_states=30, seeds=[0])
    llm = LlmConfig("fake-choice", "http://llm", "m")
    cloud = score(llm, states, transport=answering("cloud"))
    oracle_cloud = sum(s.oracle is Route.CLOUD for s in states) / len(states)
    assert cloud.cloud_share == 1.0
    assert cloud.fallback_rate == 0.0
    assert cloud.agreement == oracle_cloud == cloud.oracle_cloud_share
    nonsense = score(llm, states, transport=answering("banana"))
    assert nonsense.fallback_rate == 1.0  # an answer that is no tier: greedy decides, counted
    assert result_line([cloud]) == f"RESULT icl fake-choice={cloud.agreement:.3f}"
