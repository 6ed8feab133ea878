"""The Grafana dashboards: committed JSON matches the code, and every panel is a query Prometheus
can answer (known metric names, fixed windows, valid PromQL) laid out on Grafana's grid."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from edgecloud.dashboards import (
    DATASOURCE_UID,
    RECORDING_RULES,
    VLLM_METRICS,
    generate,
    panel_queries,
    render,
    stale_files,
    write,
)
from edgecloud.dashboards.__main__ import main
from edgecloud.dashboards._panels import Panel, Query, build_dashboard

ROOT = Path(__file__).resolve().parents[3]
DIRECTORY = ROOT / "deploy" / "grafana" / "dashboards"
RULES = ROOT / "deploy" / "prometheus" / "rules"
METRICS_MODULES = (
    ROOT / "src" / "edgecloud" / "orchestrator" / "metrics.py",
    ROOT / "src" / "edgecloud" / "icl" / "metrics.py",
    ROOT / "src" / "edgecloud" / "radio_emulator" / "metrics.py",
)

REQUIRED_PANELS = {
    "edgecloud-overview": {
        "End-to-end delay p50 by route and policy",
        "End-to-end delay p95 by route and policy",
        "Mean delay by part",
        "Share of decisions per route",
        "Quality violations",
        "Requests by status",
        "Errors (status != ok)",
        "Decision time by policy",
        "Policy fallbacks",
        "Tier failures and failovers",
        "History records by outcome",
    },
    "edgecloud-radio": {
        "RB utilisation per cell and direction",
        "UE downlink rate",
        "UE uplink rate",
        "UE downlink SINR",
        "UE uplink SINR",
        "Scheduler loop lag",
        "Late epochs rate",
        "Active UEs per cell",
        "Air throughput",
        "Uplink and downlink delay p95",
    },
    "edgecloud-llm": {
        "Time to first token per tier",
        "Inter-token latency per tier",
        "Waiting requests (queue)",
        "Running requests",
        "KV cache usage",
        "Generation tokens/s per tier",
        "Queue time p95 per tier",
    },
}

GENERATED = generate()
DASHBOARDS = {dashboard["uid"]: dashboard for dashboard in GENERATED.values()}


def panels(uid: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = DASHBOARDS[uid]["panels"]
    return found


def all_exprs() -> Iterator[tuple[str, str, str]]:
    for uid, dashboard in DASHBOARDS.items():
        for title, expr in panel_queries(dashboard):
            yield uid, title, expr


# What prometheus_client exports for each kind of metric the services declare.
_DECLARED = re.compile(
    r"\b(Counter|Gauge|Histogram|CounterMetricFamily|GaugeMetricFamily)\(\s*\"([a-z0-9_]+)\""
)
_SUFFIXES = {
    "Counter": ("_total",),
    "CounterMetricFamily": ("_total",),
    "Histogram": ("_bucket", "_sum", "_count"),
    "Gauge": ("",),
    "GaugeMetricFamily": ("",),
}


def exported_series() -> set[str]:
    names: set[str] = set()
    for module in METRICS_MODULES:
        for kind, name in _DECLARED.findall(module.read_text()):
            names.update(name + suffix for suffix in _SUFFIXES[kind])
    return names


# Everything in an expression that is not a series name: strings, label matchers, range
# windows, grouping clauses, then functions (a name before "(") and keywords.
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')
_MATCHERS = re.compile(r"\{[^}]*\}")
_WINDOWS = re.compile(r"\[[^\]]*\]")
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_NAME = re.compile(r"(?<![\w.:])([A-Za-z_:][\w:]*)(\s*\()?")
_KEYWORDS = {"and", "or", "unless", "bool", "offset", "group_left", "group_right", "inf", "nan"}


def series_names(expr: str) -> set[str]:
    for pattern in (_STRINGS, _MATCHERS, _WINDOWS, _GROUPING):
        expr = pattern.sub(" ", expr)
    return {
        match.group(1)
        for match in _NAME.finditer(expr)
        if match.group(2) is None and match.group(1).lower() not in _KEYWORDS
    }


def test_series_names_are_read_from_an_expression() -> None:
    expr = (
        'sum by (route) (rate(a_total{status="ok"}[1m])) / ignoring(route) group_left '
        "histogram_quantile(0.95, sum by (le) (rate(vllm:b_bucket[1m]))) * 8e0 - c:d:p50_1m"
    )
    assert series_names(expr) == {"a_total", "vllm:b_bucket", "c:d:p50_1m"}


def test_committed_json_is_what_the_code_generates() -> None:
    assert stale_files(DIRECTORY) == [], "run `python -m edgecloud.dashboards` and commit"
    assert main(["--check", "--directory", str(DIRECTORY)]) == 0


def test_check_names_stale_missing_and_orphaned_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    written = write(tmp_path)
    assert sorted(path.name for path in written) == sorted(GENERATED)
    assert main(["--check", "--directory", str(tmp_path)]) == 0

    changed = tmp_path / "edgecloud-radio.json"
    changed.write_text(changed.read_text().replace('"5s"', '"1m"'))
    (tmp_path / "edgecloud-llm.json").unlink()
    (tmp_path / "old.json").write_text("{}\n")
    assert main(["--check", "--directory", str(tmp_path)]) == 1
    stderr = capsys.readouterr().err
    for name in ("edgecloud-radio.json", "edgecloud-llm.json", "old.json"):
        assert name in stderr
    assert "edgecloud-overview.json" not in stderr


def test_rendering_is_stable_sorted_and_ends_with_a_newline() -> None:
    for name, dashboard in GENERATED.items():
        text = render(dashboard)
        assert text.endswith("}\n")
        assert text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"
        assert generate()[name] == dashboard


def test_uids_are_the_stable_ones_and_dashboards_refresh_on_their_own() -> None:
    assert sorted(DASHBOARDS) == sorted(REQUIRED_PANELS)
    assert sorted(GENERATED) == sorted(f"{uid}.json" for uid in REQUIRED_PANELS)
    for dashboard in DASHBOARDS.values():
        assert dashboard["refresh"] == "5s"
        assert dashboard["time"] == {"from": "now-15m", "to": "now"}
        assert not dashboard.get("templating", {}).get("list")


@pytest.mark.parametrize("uid", sorted(REQUIRED_PANELS))
def test_required_panels_are_present(uid: str) -> None:
    titles = [panel["title"] for panel in panels(uid)]
    assert len(titles) == len(set(titles))
    assert REQUIRED_PANELS[uid] <= set(titles)


@pytest.mark.parametrize("uid", sorted(REQUIRED_PANELS))
def test_panels_are_well_formed(uid: str) -> None:
    ids = [panel["id"] for panel in panels(uid)]
    assert len(ids) == len(set(ids))
    for panel in panels(uid):
        assert panel["title"]
        assert panel["type"] == "timeseries"
        assert "panels" not in panel
        assert panel["datasource"] == {"type": "prometheus", "uid": DATASOURCE_UID}
        assert panel["fieldConfig"]["defaults"]["unit"], panel["title"]
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert target["expr"].strip()
            assert target["datasource"] == {"type": "prometheus", "uid": DATASOURCE_UID}
        ref_ids = [target["refId"] for target in panel["targets"]]
        assert len(ref_ids) == len(set(ref_ids))


@pytest.mark.parametrize("uid", sorted(REQUIRED_PANELS))
def test_panels_fit_the_grid_without_overlapping(uid: str) -> None:
    cells: dict[tuple[int, int], str] = {}
    for panel in panels(uid):
        pos = panel["gridPos"]
        assert pos["w"] > 0
        assert pos["h"] > 0
        assert pos["x"] >= 0
        assert pos["x"] + pos["w"] <= 24
        assert pos["y"] >= 0
        for x in range(pos["x"], pos["x"] + pos["w"]):
            for y in range(pos["y"], pos["y"] + pos["h"]):
                assert (x, y) not in cells, f"{panel['title']} overlaps {cells[(x, y)]}"
                cells[(x, y)] = panel["title"]


def test_panel_queries_lists_every_target() -> None:
    for uid, dashboard in DASHBOARDS.items():
        queries = panel_queries(dashboard)
        assert len(queries) == sum(len(panel["targets"]) for panel in panels(uid))
        assert {title for title, _ in queries} == {panel["title"] for panel in panels(uid)}


def test_expressions_use_fixed_windows_and_no_variables_or_padding() -> None:
    for _, title, expr in all_exprs():
        assert "$" not in expr, title
        assert set(re.findall(r"\[[^\]]*\]", expr)) <= {"[1m]"}, title
        assert "vector(" not in expr, title


def test_expressions_name_only_known_series() -> None:
    known = exported_series() | VLLM_METRICS | RECORDING_RULES
    assert "edgecloud_radio_rb_seconds_total" in known
    for uid, title, expr in all_exprs():
        names = series_names(expr)
        assert names, f"{uid}/{title}: no series in {expr}"
        assert names <= known, f"{uid}/{title}: unknown {names - known}"


def test_recording_rules_the_panels_read_are_recorded() -> None:
    recorded = {
        name
        for path in RULES.glob("*.yml")
        for name in re.findall(r"^\s*-?\s*record:\s*(\S+)\s*$", path.read_text(), re.MULTILINE)
    }
    used = {name for _, _, expr in all_exprs() for name in series_names(expr)} & RECORDING_RULES
    assert used
    assert used <= recorded


def test_expressions_are_valid_promql(tmp_path: Path) -> None:
    promtool = shutil.which("promtool")
    assert promtool is not None, "promtool missing: `make test` installs Debian's prometheus"
    rules = [
        {"record": f"dashboard:check:{index}", "expr": expr}
        for index, (_, _, expr) in enumerate(all_exprs())
    ]
    # JSON is YAML, so promtool reads the rules without a YAML writer here.
    path = tmp_path / "panels.yml"
    path.write_text(json.dumps({"groups": [{"name": "panels", "rules": rules}]}))
    result = subprocess.run(
        [promtool, "check", "rules", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_row_wider_than_the_grid_is_refused() -> None:
    wide = Panel("wide", "", "s", (Query("up", ""),), width=13)
    with pytest.raises(ValueError, match="wider than 24 columns"):
        build_dashboard("x", "x", "", [[wide, wide]])
