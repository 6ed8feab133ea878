"""The local stack on emulated engines: which processes, which models, which decision LLM."""

from __future__ import annotations

from typing import get_args

from pydantic import AnyHttpUrl

from edgecloud.common.app_services import EMULATED_ENGINE_FACTORY
from edgecloud.llm.catalog import BUNDLED_MODELS, GEMMA3, SMOLLM2
from edgecloud.radio_emulator import RadioSettings
from edgecloud.stack import StackSettings, prometheus_config, stack_services
from edgecloud.stack.services import ServiceSpec


def services(**settings: object) -> dict[str, ServiceSpec]:
    stack = StackSettings.model_validate(
        {"engine": "emulated", "with_prometheus": False, **settings}
    )
    return {spec.name: spec for spec in stack_services(stack)}


def test_emulated_tiers_serve_their_profiles_and_no_vllm_runs() -> None:
    specs = services()
    assert list(specs) == ["redis", "edge-llm", "cloud-llm", "orchestrator", "radio-emulator"]
    for tier, profile in (
        ("edge", "edge-l4-llama-3.2-1b"),
        ("cloud", "cloud-h100x4-llama-3.1-70b"),
    ):
        spec = specs[f"{tier}-llm"]
        assert EMULATED_ENGINE_FACTORY in spec.argv
        assert not any("vllm" in part for part in spec.argv)
        assert spec.env["EDGECLOUD_EMULATOR_PROFILE"] == profile
        assert spec.health_path == "/health"
    orchestrator = specs["orchestrator"].env
    assert orchestrator["EDGECLOUD_ORCH_EDGE_MODEL"] == "llama-3.2-1b-instruct"
    assert orchestrator["EDGECLOUD_ORCH_CLOUD_MODEL"] == "llama-3.1-70b-instruct"
    assert "EDGECLOUD_ORCH_ICL_URL" not in orchestrator
    assert orchestrator["EDGECLOUD_ORCH_EDGE_MAX_IN_FLIGHT"] == "256"
    assert orchestrator["EDGECLOUD_ORCH_CLOUD_MAX_IN_FLIGHT"] == "1024"


def test_without_a_decision_llm_ues_cannot_ask_for_icl() -> None:
    radio = services()["radio-emulator"].env
    assert radio["EDGECLOUD_RADIO_UE_ICL"] == "false"
    assert radio["EDGECLOUD_RADIO_UE_ANY_POLICY"] == "false"
    settings = RadioSettings(ue_icl=False)
    assert settings.ue_may_use("greedy")
    assert not settings.ue_may_use("icl")
    assert not RadioSettings(ue_icl=False, ue_any_policy=True).ue_may_use("icl-request")


def test_an_icl_policy_starts_the_bundled_decision_llm() -> None:
    specs = services(policy="icl", decision_llm_port=18103)
    decision = specs["decision-llm"]
    assert "vllm.entrypoints.openai.api_server" in decision.argv
    orchestrator = specs["orchestrator"].env
    assert orchestrator["EDGECLOUD_ORCH_ICL_URL"] == "http://127.0.0.1:18103/"
    # Gemma: the configuration `edgecloud icl eval` measured best (README).
    assert orchestrator["EDGECLOUD_ORCH_ICL_MODEL"] == GEMMA3.name
    assert f"--served-model-name {GEMMA3.name}" in " ".join(decision.argv)
    assert specs["radio-emulator"].env["EDGECLOUD_RADIO_UE_ANY_POLICY"] == "true"
    assert specs["radio-emulator"].env["EDGECLOUD_RADIO_UE_ICL"] == "true"
    config = prometheus_config(
        StackSettings(engine="emulated", policy="icl", decision_llm_port=18103)
    )
    assert "job_name: decision-llm" in config


def test_a_decision_llm_url_is_used_as_given_and_nothing_more_starts() -> None:
    specs = services(policy="icl", icl_url=AnyHttpUrl("http://10.0.0.9:8000"), icl_model="m")
    assert "decision-llm" not in specs
    assert specs["orchestrator"].env["EDGECLOUD_ORCH_ICL_URL"] == "http://10.0.0.9:8000/"


def test_profiles_per_tier_are_settable() -> None:
    specs = services(edge_profile="cloud-h100x4-llama-3.1-70b")
    assert specs["edge-llm"].env["EDGECLOUD_EMULATOR_PROFILE"] == "cloud-h100x4-llama-3.1-70b"
    assert specs["orchestrator"].env["EDGECLOUD_ORCH_EDGE_MODEL"] == "llama-3.1-70b-instruct"


def test_the_real_engines_stay_the_default() -> None:
    specs = {spec.name: spec for spec in stack_services(StackSettings(with_prometheus=False))}
    assert "vllm.entrypoints.openai.api_server" in specs["edge-llm"].argv


def test_the_decision_llm_can_serve_either_bundled_model() -> None:
    names = set(get_args(StackSettings.model_fields["decision_llm_model"].annotation))
    assert names == {model.name for model in BUNDLED_MODELS.values()}
    specs = services(policy="icl", decision_llm_model=SMOLLM2.name)
    assert specs["orchestrator"].env["EDGECLOUD_ORCH_ICL_MODEL"] == SMOLLM2.name
    assert f"--served-model-name {SMOLLM2.name}" in " ".join(specs["decision-llm"].argv)
