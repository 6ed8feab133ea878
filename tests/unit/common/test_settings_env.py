"""A service's settings travel to a child process as environment variables and come back equal."""

from __future__ import annotations

import pytest
from pydantic import AnyHttpUrl, SecretStr, ValidationError

from edgecloud.common.settings_env import settings_environment
from edgecloud.model.scheduling import SchedulerKind
from edgecloud.orchestrator import OrchestratorSettings
from edgecloud.radio_emulator import RadioSettings


def test_radio_settings_round_trip_through_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent = RadioSettings(
        orchestrator_url=AnyHttpUrl("http://127.0.0.1:8001"),
        admin_token=SecretStr("a-token-of-16-chars"),
        downlink_scheduler=SchedulerKind.ROUND_ROBIN,
        fading="none",
        shadowing=False,
        bandwidth_mhz=40,
    )
    environment = settings_environment(sent)
    assert environment["EDGECLOUD_RADIO_ADMIN_TOKEN"] == "a-token-of-16-chars"
    assert environment["EDGECLOUD_RADIO_SHADOWING"] == "false"
    assert "EDGECLOUD_RADIO_SEED" not in environment  # a default is not written
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert RadioSettings() == sent


def test_orchestrator_lists_and_urls_round_trip(monkeypatch: pytest.MonkeyPatch) -> None:
    sent = OrchestratorSettings(
        cloud_url=AnyHttpUrl("http://127.0.0.1:8000/backhaul"),
        edge_stop=["\nUser:", "</s>"],
        edge_max_in_flight=256,
    )
    environment = settings_environment(sent)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    received = OrchestratorSettings()
    # Each orchestrator replica draws its own instance id.
    assert received.model_dump(exclude={"instance_id"}) == sent.model_dump(exclude={"instance_id"})
    assert received.edge_stop == ["\nUser:", "</s>"]


def test_a_renamed_field_fails_where_the_settings_are_built() -> None:
    with pytest.raises(ValidationError):
        RadioSettings(orchestrator_adress="http://x")  # type: ignore[call-arg]
