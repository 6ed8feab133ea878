"""A settings object as the environment variables that rebuild it in another process.

Launchers (the local stack, benchmarks, tests) build a service's settings object and hand the child
this mapping, so a renamed or mistyped field fails where the object is built instead of leaving
a variable that the service silently ignores.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import SecretStr
from pydantic_settings import BaseSettings


def _as_variable(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, list | dict):
        return json.dumps(value)  # pydantic-settings reads complex fields as JSON
    return str(value)


def settings_environment(settings: BaseSettings) -> dict[str, str]:
    """The fields set on ``settings`` (given or read from the environment) as prefixed variables.

    Fields left at their defaults are not written: the child computes the same default. A field set
    to None is not written either (its default, where it has one, is None too).
    """
    prefix = str(settings.model_config.get("env_prefix", ""))
    dumped = settings.model_dump(mode="json", include=settings.model_fields_set)
    environment: dict[str, str] = {}
    for name, value in dumped.items():
        raw = getattr(settings, name)
        if raw is None:
            continue
        if isinstance(raw, SecretStr):
            value = raw.get_secret_value()
        environment[f"{prefix}{name}".upper()] = _as_variable(value)
    return environment


def unknown_variables(
    settings_class: type[BaseSettings], environment: Mapping[str, str]
) -> list[str]:
    """The variables with the class's prefix that name none of its fields (a typo, or a field
    renamed since the file that sets it was written): pydantic-settings ignores them silently."""
    prefix = str(settings_class.model_config.get("env_prefix", "")).upper()
    fields = {name.upper() for name in settings_class.model_fields}
    return sorted(
        key
        for key in environment
        if key.upper().startswith(prefix) and key.upper()[len(prefix) :] not in fields
    )
