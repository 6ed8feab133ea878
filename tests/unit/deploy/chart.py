"""The Helm chart rendered offline (Helm 4 through helm-python-sdk), as Kubernetes objects."""

from __future__ import annotations

import copy
import functools
import subprocess
import sys
from pathlib import Path
from typing import Any

import helm_python as helm
import yaml
from pydantic_settings import BaseSettings

from edgecloud.common.settings_env import unknown_variables
from edgecloud.llm.emulated import EmulatorSettings
from edgecloud.llm.settings import EngineSettings
from edgecloud.load.options import LOCUST_OPTIONS
from edgecloud.orchestrator import OrchestratorSettings
from edgecloud.radio_emulator import RadioSettings

ROOT = Path(__file__).resolve().parents[3]
CHART = ROOT / "deploy" / "helm" / "edgecloud"
KUBERNETES = "1.32.0"
# The variables each settings class reads; `edgecloud llm serve` reads EDGECLOUD_LLM_SERVED_NAME
# as its own option (beside EngineSettings); vLLM's GPU image gets a HOME it can write, a USER
# name and perhaps a Hugging Face token.
SETTINGS: dict[str, type[BaseSettings]] = {
    "EDGECLOUD_RADIO_": RadioSettings,
    "EDGECLOUD_ORCH_": OrchestratorSettings,
    "EDGECLOUD_EMULATOR_": EmulatorSettings,
    "EDGECLOUD_LLM_": EngineSettings,
}
OTHER_VARIABLES = {"EDGECLOUD_LLM_SERVED_NAME", "HOME", "HF_HOME", "HF_TOKEN", "USER"}
# Grafana's own configuration (GF_<section>_<key>), as compose sets it.
GRAFANA_VARIABLES = {
    "GF_SECURITY_ADMIN_PASSWORD",
    "GF_AUTH_ANONYMOUS_ENABLED",
    "GF_AUTH_ANONYMOUS_ORG_ROLE",
}


@functools.cache
def locust_variables() -> set[str]:
    """Locust's own variables and the testbed's locustfile options (load/options.py).

    Locust is asked in a process of its own: importing it patches this one with gevent."""
    script = (
        "from locust.argument_parser import get_parser\n"
        "print(' '.join(a.env_var for a in get_parser()._actions if getattr(a, 'env_var', None)))"
    )
    own = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.split()
    return set(own) | {option["env_var"] for option in LOCUST_OPTIONS.values()}


def merged(overrides: dict[str, Any] | None) -> dict[str, Any]:
    """The chart's values with ``overrides`` merged in, key by key."""
    values: dict[str, Any] = copy.deepcopy(helm.Chart.load(CHART).values)

    def merge(into: dict[str, Any], extra: dict[str, Any]) -> None:
        for key, value in extra.items():
            if isinstance(value, dict) and isinstance(into.get(key), dict):
                merge(into[key], value)
            else:
                into[key] = value

    merge(values, overrides or {})
    return values


def render(overrides: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    manifests = helm.Chart.load(CHART).render(
        merged(overrides), name="tb", namespace="lab", is_install=True
    )
    objects = []
    for path, text in manifests.items():
        if path.endswith(".txt"):
            continue
        objects += [o for o in yaml.safe_load_all(text) if o]
    return objects


def notes(overrides: dict[str, Any] | None = None) -> str:
    manifests = helm.Chart.load(CHART).render(merged(overrides), name="tb", namespace="lab")
    return next(text for path, text in manifests.items() if path.endswith("NOTES.txt"))


def of_kind(objects: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def containers(objects: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """(workload name, container) of every Deployment and StatefulSet."""
    return [
        (o["metadata"]["name"], c)
        for o in objects
        if o["kind"] in ("Deployment", "StatefulSet")
        for c in o["spec"]["template"]["spec"]["containers"]
    ]


def unknown_settings(environment: dict[str, str]) -> list[str]:
    """Variables that name no field of the settings class their prefix belongs to."""
    unknown = []
    known = OTHER_VARIABLES | GRAFANA_VARIABLES | locust_variables()
    for name in environment:
        if name in known:
            continue
        owner = next((cls for prefix, cls in SETTINGS.items() if name.startswith(prefix)), None)
        if owner is None or unknown_variables(owner, {name: ""}):
            unknown.append(name)
    return sorted(unknown)
