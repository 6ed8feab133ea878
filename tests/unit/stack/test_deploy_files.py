"""The compose file, Dockerfiles and Prometheus configuration, checked by the real tools."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from pydantic_settings import BaseSettings

from edgecloud import cli
from edgecloud.common.app_services import AppService
from edgecloud.common.settings_env import unknown_variables
from edgecloud.llm.emulated import EmulatorSettings, load_profile
from edgecloud.llm.settings import EngineSettings
from edgecloud.orchestrator import OrchestratorSettings
from edgecloud.radio_emulator import RadioSettings
from edgecloud.stack import StackSettings, prometheus_config
from edgecloud.stack.services import SHUTDOWN_WAIT_S
from tests.unit.stack.compose_files import IMAGES, ROOT, compose_config


def test_compose_file_is_valid_and_gpu_is_the_default() -> None:
    services = compose_config()["services"]
    assert set(services) == {
        "redis",
        "engine-cache",
        "edge-llm",
        "cloud-llm",
        "orchestrator",
        "radio-emulator",
        "prometheus",
        "grafana",
    }
    assert services["edge-llm"]["image"].startswith("vllm/vllm-openai:")
    gpu = services["cloud-llm"]["deploy"]["resources"]["reservations"]["devices"][0]
    assert gpu["capabilities"] == ["gpu"]


def test_cpu_profile_serves_the_bundled_models_under_the_tier_hostnames() -> None:
    services = compose_config("cpu")["services"]
    assert "edge-llm" not in services
    for tier in ("edge", "cloud"):
        build = services[f"{tier}-llm-cpu"]["build"]
        assert build["dockerfile"] == "services/llm-cpu/Dockerfile"
        assert build["args"] == {"TIER": tier}
    assert services["edge-llm-cpu"]["networks"]["default"]["aliases"] == ["edge-llm"]
    assert services["cloud-llm-cpu"]["networks"]["default"]["aliases"] == ["cloud-llm"]


def test_emulated_profile_serves_profiles_under_the_tier_hostnames() -> None:
    services = compose_config("emulated")["services"]
    assert "edge-llm" not in services
    assert "edge-llm-cpu" not in services
    for tier, profile in (
        ("edge", "edge-l4-llama-3.2-1b"),
        ("cloud", "cloud-h100x4-llama-3.1-70b"),
    ):
        service = services[f"{tier}-llm-emulated"]
        assert service["build"]["dockerfile"] == "services/app/Dockerfile"
        assert service["command"][:3] == ["edgecloud", "llm", "emulate"]
        assert service["networks"]["default"]["aliases"] == [f"{tier}-llm"]
        environment = service["environment"]
        assert load_profile(environment["EDGECLOUD_EMULATOR_PROFILE"]).name == profile
        assert not unknown_variables(EmulatorSettings, environment)
        assert EmulatorSettings.model_validate(
            {k.removeprefix("EDGECLOUD_EMULATOR_").lower(): v for k, v in environment.items()}
        ).served_model_name == ("edge" if tier == "edge" else "cloud")
    orchestrator = services["orchestrator"]
    assert orchestrator["environment"]["EDGECLOUD_ORCH_EDGE_MODEL"] == "edge"
    assert "edge-llm-emulated" in orchestrator["depends_on"]
    assert "cloud-llm-emulated" in services["radio-emulator"]["depends_on"]


def test_each_own_service_is_the_app_image_serving_it() -> None:
    services = compose_config()["services"]
    for service in AppService:
        build = services[service.value]["build"]
        assert build["dockerfile"] == "services/app/Dockerfile"
        assert build["args"] == {"SERVICE": service.value}
    dockerfile = (ROOT / "services" / "app" / "Dockerfile").read_text()
    assert 'CMD ["edgecloud", "serve"' in dockerfile


# One-shot services: they run to completion before what depends on them starts.
ONE_SHOT = {"engine-cache"}


def test_every_service_has_a_healthcheck_and_waits_for_healthy_dependencies() -> None:
    for profile in ("gpu", "cpu", "emulated", "load"):
        services = compose_config(profile)["services"]
        for name, service in services.items():
            assert name in ONE_SHOT or "healthcheck" in service, f"{name} has no healthcheck"
            for needed, dependency in service.get("depends_on", {}).items():
                one_shot = needed in ONE_SHOT
                wanted = "service_completed_successfully" if one_shot else "service_healthy"
                assert dependency["condition"] == wanted, (name, needed)
        assert "redis" in services["orchestrator"]["depends_on"]
        assert "orchestrator" in services["radio-emulator"]["depends_on"]


def test_load_profile_runs_locust_master_and_workers_against_the_radio_emulator() -> None:
    services = compose_config("load")["services"]
    master, worker = services["locust-master"], services["locust-worker"]
    assert master["environment"]["LOCUST_HOST"] == "http://radio-emulator:8000"
    assert "--master" in master["command"]
    assert worker["command"] == ["--worker", "--master-host", "locust-master"]
    assert worker["deploy"]["replicas"] == 2
    assert "locust-master" not in compose_config()["services"]


@pytest.mark.parametrize("image", IMAGES)
def test_dockerfiles_pass_hadolint(image: str) -> None:
    dockerfile = ROOT / "services" / image / "Dockerfile"
    assert dockerfile.is_file()
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).with_name("hadolint"))
    result = subprocess.run(
        [hadolint, str(dockerfile)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def promtool() -> str:
    found = shutil.which("promtool")
    assert found is not None, "promtool missing: `make test` installs Debian's prometheus"
    return found


@pytest.mark.parametrize("config", ["compose", "local"])
def test_prometheus_configurations_pass_promtool(config: str, tmp_path: Path) -> None:
    path = ROOT / "deploy" / "prometheus" / "prometheus.yml"
    if config == "local":
        path = tmp_path / "prometheus.yml"
        path.write_text(prometheus_config(StackSettings()))
    result = subprocess.run(
        [promtool(), "check", "config", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_recording_rules_pass_promtool_check() -> None:
    rules = sorted((ROOT / "deploy" / "prometheus" / "rules").glob("*.yml"))
    assert rules
    result = subprocess.run(
        [promtool(), "check", "rules", *map(str, rules)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_recording_rules_compute_the_hand_worked_quantiles() -> None:
    result = subprocess.run(
        [promtool(), "test", "rules", "tests/edgecloud_test.yml"],
        cwd=ROOT / "deploy" / "prometheus",
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


@pytest.mark.parametrize(
    ("service", "settings_class"),
    [
        ("orchestrator", OrchestratorSettings),
        ("radio-emulator", RadioSettings),
        ("edge-llm-cpu", EngineSettings),
        ("cloud-llm-cpu", EngineSettings),
    ],
)
def test_compose_sets_only_settings_fields_and_valid_values(
    service: str, settings_class: type[BaseSettings], monkeypatch: pytest.MonkeyPatch
) -> None:
    environment: dict[str, str] = compose_config("cpu")["services"][service]["environment"]
    assert environment, f"{service} sets no environment"
    assert not set(unknown_variables(settings_class, environment)) - llm_serve_options()
    environment = {k: v for k, v in environment.items() if k not in llm_serve_options()}
    for key in [k for k in os.environ if k.startswith("EDGECLOUD_")]:
        monkeypatch.delenv(key)
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
    settings = settings_class()  # the service reads the same variables the same way
    assert settings.model_fields_set == {
        key.removeprefix(str(settings_class.model_config["env_prefix"])).lower()
        for key in environment
    }


def llm_serve_options() -> set[str]:
    """The variables `edgecloud llm serve` reads as its own options (beside EngineSettings)."""
    group: Any = typer.main.get_command(cli.app)  # a click group (typer's own click, lately)
    serve = group.commands["llm"].commands["serve"]
    return {p.envvar for p in serve.params if isinstance(p.envvar, str)}


def test_a_misspelt_variable_is_reported() -> None:
    assert unknown_variables(
        OrchestratorSettings, {"EDGECLOUD_ORCH_SEED": "1", "EDGECLOUD_ORCH_POLICY": "knn"}
    ) == ["EDGECLOUD_ORCH_POLICY"]


def test_compose_redis_keeps_the_history_on_a_volume() -> None:
    redis = compose_config()["services"]["redis"]
    command = redis["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    assert command[command.index("--appendfsync") + 1] == "everysec"
    assert [v["source"] for v in redis["volumes"] if v["target"] == "/data"] == ["redis-data"]


def test_compose_waits_for_streams_and_writes_to_finish_on_stop() -> None:
    services = compose_config()["services"]
    for name in ("orchestrator", "radio-emulator"):
        # Compose's JSON gives the period in nanoseconds... or as a duration string.
        period = services[name]["stop_grace_period"]
        seconds = float(period.rstrip("s")) if isinstance(period, str) else period / 1e9
        assert seconds >= SHUTDOWN_WAIT_S, name
