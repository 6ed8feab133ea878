"""The compose deployment's security defaults: secrets required, ports on localhost, tokens only
where needed, no container running as root."""

from __future__ import annotations

import re

import pytest

from tests.unit.stack.compose_files import IMAGES, REQUIRED, ROOT, compose_config, run_compose


@pytest.mark.parametrize("missing", sorted(REQUIRED))
def test_compose_refuses_to_run_without_a_secret_it_needs(missing: str) -> None:
    result = run_compose(env={k: v for k, v in REQUIRED.items() if k != missing})
    assert result.returncode != 0
    assert missing in result.stderr


def test_published_ports_are_on_localhost_and_grafana_has_no_open_door() -> None:
    services = compose_config("load")["services"]
    published = [
        (name, port) for name, service in services.items() for port in service.get("ports", [])
    ]
    assert {name for name, _ in published} == {
        "radio-emulator",
        "prometheus",
        "grafana",
        "locust-master",
    }
    assert all(port["host_ip"] == "127.0.0.1" for _, port in published), published
    grafana = services["grafana"]["environment"]
    assert grafana["GF_AUTH_ANONYMOUS_ENABLED"] == "false"
    assert grafana["GF_SECURITY_ADMIN_PASSWORD"] == REQUIRED["GRAFANA_ADMIN_PASSWORD"]


def test_the_admin_token_stays_with_the_workers_and_goes_to_the_radio_only() -> None:
    services = compose_config("load")["services"]
    assert "LOCUST_ADMIN_TOKEN" not in services["locust-master"]["environment"]
    worker = services["locust-worker"]["environment"]
    assert worker["LOCUST_RADIO_ADMIN_URL"] == "http://radio-emulator:8000"


@pytest.mark.parametrize("image", IMAGES)
def test_every_image_runs_as_a_non_root_user(image: str) -> None:
    dockerfile = (ROOT / "services" / image / "Dockerfile").read_text()
    users = re.findall(r"^USER\s+(\S+)", dockerfile, re.M)
    assert users, f"{image} runs as root"
    assert users[-1] not in ("root", "0")


@pytest.mark.parametrize("service", ["edge-llm", "cloud-llm"])
def test_the_official_vllm_images_run_as_a_non_root_user_with_a_home_of_their_own(
    service: str,
) -> None:
    services = compose_config()["services"]
    engine = services[service]
    uid, _, gid = engine["user"].partition(":")
    assert uid.isdigit()
    assert gid.isdigit()
    assert int(uid) != 0
    assert int(gid) != 0
    env = engine["environment"]
    # torch's getpass.getuser() reads USER before the passwd entry the image lacks for this uid.
    assert env["USER"] not in ("", "root")
    home = env["HOME"]
    assert env["HF_HOME"].startswith(home + "/")
    (volume,) = [v for v in engine["volumes"] if v["target"] == home]
    # The volume is handed to that user before the engine starts (a new volume belongs to root).
    assert engine["depends_on"]["engine-cache"]["condition"] == "service_completed_successfully"
    owner = services["engine-cache"]
    (mount,) = [v for v in owner["volumes"] if v["source"] == volume["source"]]
    assert owner["command"] == ["chown", "-R", f"{uid}:{gid}", mount["target"]]
