"""The radio emulator's admin token for the local stack: configured, or generated once and kept."""

from __future__ import annotations

import secrets

from pydantic import SecretStr

from .settings import StackSettings


def ensure_admin_token(settings: StackSettings) -> StackSettings:
    """Settings with an admin token: the configured one, else one kept in ``state_dir``."""
    if settings.admin_token is not None:
        return settings
    path = settings.state_dir / "admin-token"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(24))
    return settings.model_copy(update={"admin_token": SecretStr(path.read_text().strip())})
