from pathlib import Path

import pytest

from edgecloud.llm.catalog import GEMMA3, SMOLLM2
from edgecloud.llm.launcher import vllm_command, vllm_environment
from edgecloud.llm.models import MANIFEST, _write_manifest, verify
from edgecloud.llm.settings import EngineSettings
from edgecloud.radio_emulator import RadioSettings
from edgecloud.stack import (
    StackSettings,
    cpu_split,
    prometheus_config,
    stack_services,
    supervisord_config,
)


def test_a_manifest_detects_missing_and_altered_files(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "model.safetensors").write_bytes(b"weights")
    assert not verify(tmp_path)  # no manifest yet
    _write_manifest(tmp_path, SMOLLM2, gguf_sha256="ab" * 32)
    assert (tmp_path / MANIFEST).is_file()
    assert verify(tmp_path)
    (tmp_path / "model.safetensors").write_bytes(b"weightz")
    assert not verify(tmp_path)
    (tmp_path / "model.safetensors").write_bytes(b"weights")
    (tmp_path / "config.json").unlink()
    assert not verify(tmp_path)


def test_the_cloud_model_gets_a_bos_token_template_and_stop_string() -> None:
    assert GEMMA3.add_bos_token
    assert GEMMA3.chat_template == "transcript.jinja"
    assert GEMMA3.stop == ("\nUser:",)
    assert not SMOLLM2.add_bos_token


def test_vllm_command_and_environment_keep_the_engine_offline() -> None:
    settings = EngineSettings(port=9001, enforce_eager=True, kv_cache_gib=2)
    argv = vllm_command(settings, Path("/models/x"), "x")
    assert argv[1:3] == ["-m", "vllm.entrypoints.openai.api_server"]
    assert argv[argv.index("--port") + 1] == "9001"
    assert "--enforce-eager" in argv
    env = vllm_environment(settings)
    assert env["HF_HUB_OFFLINE"] == "1"
    assert env["VLLM_CPU_KVCACHE_SPACE"] == "2"


def test_engines_get_disjoint_cores() -> None:
    edge, cloud = cpu_split()
    assert edge
    assert cloud
    if edge != cloud:
        assert not set(edge.split(",")) & set(cloud.split(","))


def test_the_stack_routes_the_cloud_through_the_backhaul() -> None:
    settings = StackSettings(radio_port=18000, orchestrator_port=18001, with_prometheus=False)
    services = {s.name: s for s in stack_services(settings)}
    assert list(services) == ["redis", "edge-llm", "cloud-llm", "orchestrator", "radio-emulator"]
    orchestrator_env = services["orchestrator"].env
    assert orchestrator_env["EDGECLOUD_ORCH_CLOUD_URL"] == "http://127.0.0.1:18000/backhaul"
    radio_env = services["radio-emulator"].env
    assert radio_env["EDGECLOUD_RADIO_ORCHESTRATOR_URL"] == "http://127.0.0.1:18001/"
    assert services["redis"].health_url("127.0.0.1") is None
    config = supervisord_config(settings, list(services.values()))
    assert config.count("[program:") == 5
    assert "killasgroup=true" in config


def test_supervisord_config_refuses_values_it_cannot_carry() -> None:
    settings = StackSettings(with_prometheus=False)
    spec = stack_services(settings)[0]
    broken = type(spec)(spec.name, spec.argv, {"X": "line\nbreak"}, spec.port)
    with pytest.raises(ValueError, match="newlines"):
        supervisord_config(settings, [broken])


def test_local_prometheus_scrapes_all_four_services() -> None:
    config = prometheus_config(StackSettings(edge_port=1234, prometheus_scrape_interval_s=2))
    assert "scrape_interval: 2s" in config
    for job in ("radio-emulator", "orchestrator", "edge-llm", "cloud-llm"):
        assert f"job_name: {job}" in config
    assert "127.0.0.1:1234" in config
    rules = Path("deploy/prometheus/rules/*.yml").resolve()
    assert f"rule_files:\n  - '{rules}'" in config


def test_the_local_stack_gets_private_secrets_that_persist(tmp_path: Path) -> None:
    from edgecloud.stack import ensure_secrets

    settings = ensure_secrets(StackSettings(work_dir=tmp_path, with_prometheus=False))
    token_file = tmp_path / "stack" / "admin-token"
    assert token_file.stat().st_mode & 0o077 == 0
    assert settings.admin_token is not None
    again = ensure_secrets(StackSettings(work_dir=tmp_path, with_prometheus=False))
    assert again.admin_token == settings.admin_token
    services = {s.name: s for s in stack_services(settings)}
    radio, orchestrator = services["radio-emulator"], services["orchestrator"]
    assert radio.env["EDGECLOUD_RADIO_ADMIN_TOKEN"] == token_file.read_text()
    assert orchestrator.env["EDGECLOUD_ORCH_ADMIN_TOKEN"] == token_file.read_text()
    secret = (tmp_path / "stack" / "shared-secret").read_text()
    assert again.shared_secret == settings.shared_secret
    assert radio.env["EDGECLOUD_RADIO_SHARED_SECRET"] == secret
    assert orchestrator.env["EDGECLOUD_ORCH_SHARED_SECRET"] == secret
    assert secret != token_file.read_text()
    # The operator's own testbed: its UEs may ask for per-request ICL, unlike a deployment's.
    assert radio.env["EDGECLOUD_RADIO_UE_ANY_POLICY"] == "true"
    assert not RadioSettings().ue_any_policy


def test_the_local_prometheus_refuses_to_start_without_its_recording_rules(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no recording rules"):
        prometheus_config(StackSettings(prometheus_rules_dir=tmp_path))


def test_the_stacks_redis_appends_to_a_file_in_its_state_dir() -> None:
    settings = StackSettings(with_prometheus=False)
    argv = {s.name: s for s in stack_services(settings)}["redis"].argv
    assert argv[argv.index("--dir") + 1] == str(settings.state_dir / "redis")
    assert argv[argv.index("--appendonly") + 1] == "yes"
    assert argv[argv.index("--appendfsync") + 1] == "everysec"


def test_two_orchestrators_share_redis_behind_the_radio_each_under_its_own_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = StackSettings(orchestrators=2, with_prometheus=False)
    services = {s.name: s for s in stack_services(settings)}
    first, second = services["orchestrator"], services["orchestrator-2"]
    assert first.port != second.port
    assert first.env["EDGECLOUD_ORCH_INSTANCE_ID"] == "orchestrator"
    assert second.env["EDGECLOUD_ORCH_INSTANCE_ID"] == "orchestrator-2"
    assert first.env["EDGECLOUD_ORCH_REDIS_URL"] == second.env["EDGECLOUD_ORCH_REDIS_URL"]
    for name, value in services["radio-emulator"].env.items():
        monkeypatch.setenv(name, value)
    assert RadioSettings().orchestrator_urls == [
        f"http://127.0.0.1:{first.port}/",
        f"http://127.0.0.1:{second.port}/",
    ]
    targets = f"['127.0.0.1:{first.port}', '127.0.0.1:{second.port}']"
    assert targets in prometheus_config(StackSettings(orchestrators=2))
