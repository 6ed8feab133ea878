"""From SDK builders to the JSON files Grafana provisions, and back to the queries they hold."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from grafana_foundation_sdk.builders.dashboard import Dashboard
from grafana_foundation_sdk.cog.encoder import JSONEncoder

from ._llm import llm
from ._overview import overview
from ._radio import radio

# Relative to the repository root, where `python -m edgecloud.dashboards` is run.
DEFAULT_DIRECTORY = Path("deploy/grafana/dashboards")

DASHBOARDS: tuple[Callable[[], Dashboard], ...] = (overview, radio, llm)


def generate() -> dict[str, dict[str, Any]]:
    """Every dashboard as Grafana JSON, keyed by its file name (the dashboard's uid + .json)."""
    dashboards: dict[str, dict[str, Any]] = {}
    for build in DASHBOARDS:
        # A round trip through the SDK's encoder leaves plain dicts, lists and scalars.
        model: dict[str, Any] = json.loads(json.dumps(build().build(), cls=JSONEncoder))
        dashboards[f"{model['uid']}.json"] = model
    return dashboards


def render(dashboard: Mapping[str, Any]) -> str:
    """The committed form: sorted keys, two-space indent, a final newline, so diffs stay small."""
    return json.dumps(dashboard, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write(directory: Path = DEFAULT_DIRECTORY) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, dashboard in generate().items():
        path = directory / name
        path.write_text(render(dashboard), encoding="utf-8")
        written.append(path)
    return written


def stale_files(directory: Path = DEFAULT_DIRECTORY) -> list[Path]:
    """Files that differ from what the code generates, are missing, or no dashboard makes."""
    expected = {name: render(dashboard) for name, dashboard in generate().items()}
    stale = [
        directory / name
        for name, text in expected.items()
        if not (directory / name).is_file()
        or (directory / name).read_text(encoding="utf-8") != text
    ]
    # A dashboard removed from the code would otherwise stay provisioned from its old file.
    stale += [path for path in sorted(directory.glob("*.json")) if path.name not in expected]
    return stale


def panel_queries(dashboard_json: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(panel title, PromQL expression) for every target of every panel, in panel order."""
    return [
        (str(panel["title"]), str(target["expr"]))
        for panel in dashboard_json.get("panels", [])
        for target in panel.get("targets", [])
    ]
