"""Declarative panels and the one function that lays them out on a dashboard.

A dashboard module lists rows of `Panel` specs; `build_dashboard` turns them into SDK builders with
ids, grid positions and the datasource filled in, so those cannot drift between dashboards.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from string import ascii_uppercase

from grafana_foundation_sdk.builders import common as common_builders
from grafana_foundation_sdk.builders import dashboard as dashboard_builders
from grafana_foundation_sdk.builders import prometheus, timeseries
from grafana_foundation_sdk.models import common
from grafana_foundation_sdk.models import dashboard as dashboard_models

from ._names import DATASOURCE_TYPE, DATASOURCE_UID, FOLDER_TAG

GRID_COLUMNS = 24
ROW_HEIGHT = 8
REFRESH = "5s"
# Fifteen minutes hold the warm-up and a typical load run; a 1m rate needs 12 scrapes of 5 s.
TIME_FROM = "now-15m"

DATASOURCE = dashboard_models.DataSourceRef(type_val=DATASOURCE_TYPE, uid=DATASOURCE_UID)


@dataclass(frozen=True, slots=True)
class Query:
    expr: str
    legend: str


@dataclass(frozen=True, slots=True)
class Panel:
    """A time-series panel: a title, its unit and one or more PromQL queries."""

    title: str
    description: str
    unit: str
    queries: tuple[Query, ...]
    width: int = 12
    stacked: bool = False
    # Ratios (utilisation, shares) get a fixed 0-1 axis so that a low value looks low.
    ratio: bool = False


Row = Sequence[Panel]


def histogram_quantile(q: float, metric: str, by: str = "") -> str:
    """PromQL for the ``q`` quantile of histogram ``metric`` over 1 m, per ``by`` labels."""
    labels = ", ".join(["le", *filter(None, [by])])
    return f"histogram_quantile({q}, sum by ({labels}) (rate({metric}_bucket[1m])))"


def build_dashboard(
    uid: str, title: str, description: str, rows: Sequence[Row]
) -> dashboard_builders.Dashboard:
    """Lay the rows out top to bottom, each panel after the previous one in its row."""
    builder = (
        dashboard_builders.Dashboard(title)
        .uid(uid)
        .description(description)
        .tags([FOLDER_TAG])
        .refresh(REFRESH)
        .time(TIME_FROM, "now")
        .timezone("browser")
        .tooltip(dashboard_models.DashboardCursorSync.CROSSHAIR)
        # One click from any dashboard to the others.
        .link(
            dashboard_builders.DashboardLink("edgecloud")
            .type(dashboard_models.DashboardLinkType.DASHBOARDS)
            .tags([FOLDER_TAG])
            .as_dropdown(True)
            .keep_time(True)
        )
    )
    panel_id = 0
    for index, row in enumerate(rows):
        x = 0
        for spec in row:
            if x + spec.width > GRID_COLUMNS:
                raise ValueError(f"row {index} of {uid} is wider than {GRID_COLUMNS} columns")
            panel_id += 1
            grid = dashboard_models.GridPos(h=ROW_HEIGHT, w=spec.width, x=x, y=index * ROW_HEIGHT)
            builder.with_panel(_time_series(spec, panel_id, grid))
            x += spec.width
    return builder


def _time_series(spec: Panel, panel_id: int, grid: dashboard_models.GridPos) -> timeseries.Panel:
    if len(spec.queries) > len(ascii_uppercase):
        raise ValueError(f"panel {spec.title!r} has more queries than reference ids")
    panel = (
        timeseries.Panel()
        .id(panel_id)
        .title(spec.title)
        .description(spec.description)
        .unit(spec.unit)
        .datasource(DATASOURCE)
        .grid_pos(grid)
        .line_width(1)
        .fill_opacity(60 if spec.stacked else 10)
        .legend(
            common_builders.VizLegendOptions()
            .show_legend(True)
            .display_mode(common.LegendDisplayMode.LIST)
            .placement(common.LegendPlacement.BOTTOM)
        )
        .tooltip(
            common_builders.VizTooltipOptions()
            .mode(common.TooltipDisplayMode.MULTI)
            .sort(common.SortOrder.DESCENDING)
        )
    )
    if spec.stacked:
        panel.stacking(common_builders.StackingConfig().mode(common.StackingMode.NORMAL))
    if spec.ratio:
        panel.min(0).max(1)
    for ref_id, query in zip(ascii_uppercase, spec.queries, strict=False):
        panel.with_target(
            prometheus.Dataquery()
            .ref_id(ref_id)
            .expr(query.expr)
            .legend_format(query.legend)
            .range()
            .datasource(DATASOURCE)
        )
    return panel
