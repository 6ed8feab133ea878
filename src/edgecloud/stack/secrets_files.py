"""The local stack's admin token and shared secret: configured, or generated once and kept."""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import SecretStr

from .settings import StackSettings

# The files in state_dir, by settings field: `make up` prints where the admin token is.
SECRET_FILES = {"admin_token": "admin-token", "shared_secret": "shared-secret"}


def _kept(path: Path) -> SecretStr:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(24))
    return SecretStr(path.read_text().strip())


def ensure_secrets(settings: StackSettings) -> StackSettings:
    """Settings with an admin token and a shared secret: the configured ones, else ones kept in
    ``state_dir`` (made once, readable by the owner only)."""
    missing = {
        field: _kept(settings.state_dir / name)
        for field, name in SECRET_FILES.items()
        if getattr(settings, field) is None
    }
    return settings.model_copy(update=missing) if missing else settings
