"""Secrets in settings need real entropy; an empty one means none is configured."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from edgecloud.orchestrator import OrchestratorSettings
from edgecloud.radio_emulator import RadioSettings


@pytest.mark.parametrize(
    "weak",
    [
        " " * 16,
        "aaaaaaaaaaaaaaaaaaaa",
        "abababababababab",
        "short-Secret1",
        "with space inside1234",
    ],
)
def test_weak_secrets_are_refused(weak: str) -> None:
    with pytest.raises(ValidationError, match="secret"):
        RadioSettings(admin_token=weak)
    with pytest.raises(ValidationError, match="secret"):
        OrchestratorSettings(shared_secret=weak)


def test_an_empty_secret_is_none_and_a_good_one_is_kept_hidden() -> None:
    assert RadioSettings(admin_token="", shared_secret="").admin_token is None
    settings = RadioSettings(shared_secret="Zr8-kq2W_x1Lp0Qe")
    assert settings.shared_secret is not None
    assert settings.shared_secret.get_secret_value() == "Zr8-kq2W_x1Lp0Qe"
    assert "Zr8" not in repr(settings)
