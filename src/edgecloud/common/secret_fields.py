"""Tokens and shared secrets in settings: no default, real entropy, empty means none."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, SecretStr

MIN_SECRET_CHARS = 16
MIN_DISTINCT_CHARS = 8  # "aaaaaaaaaaaaaaaa" or sixteen spaces are not secrets


def _checked(value: object) -> object:
    if value is None or value == "":
        return None  # an empty variable means "not configured"
    raw = value.get_secret_value() if isinstance(value, SecretStr) else value
    if not isinstance(raw, str):
        raise ValueError("a secret is a string")
    if raw != raw.strip() or any(c.isspace() for c in raw):
        raise ValueError("a secret has no whitespace")
    if len(raw) < MIN_SECRET_CHARS:
        raise ValueError(f"a secret has at least {MIN_SECRET_CHARS} characters")
    if len(set(raw)) < MIN_DISTINCT_CHARS:
        raise ValueError(f"a secret has at least {MIN_DISTINCT_CHARS} different characters")
    return raw


# A settings field: ``admin_token: OptionalSecret = None``.
OptionalSecret = Annotated[SecretStr | None, BeforeValidator(_checked)]
