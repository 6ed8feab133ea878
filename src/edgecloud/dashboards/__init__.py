"""Grafana dashboards of the testbed, generated from code with grafana-foundation-sdk.

`python -m edgecloud.dashboards` writes them to deploy/grafana/dashboards/, which Grafana
provisions at start-up; `--check` fails when the committed files are stale. Every panel queries
the provisioned Prometheus datasource with fixed 1m windows and no template variables, so each
expression can also be run as is against Prometheus (see `panel_queries`).
"""

from __future__ import annotations

from ._names import DATASOURCE_UID, RECORDING_RULES, VLLM_METRICS
from ._output import (
    DASHBOARDS,
    DEFAULT_DIRECTORY,
    generate,
    panel_queries,
    render,
    stale_files,
    write,
)

__all__ = [
    "DASHBOARDS",
    "DATASOURCE_UID",
    "DEFAULT_DIRECTORY",
    "RECORDING_RULES",
    "VLLM_METRICS",
    "generate",
    "panel_queries",
    "render",
    "stale_files",
    "write",
]
