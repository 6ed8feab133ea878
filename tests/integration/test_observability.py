"""The dashboards work: a 30-second Locust run of UEs through the real stack, then every panel's
PromQL against the real Prometheus that scraped it, over the time of the run as Grafana draws it.
Each panel must return data, and Prometheus must have counted exactly the answers Locust received.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from edgecloud.dashboards import DEFAULT_DIRECTORY, panel_queries
from edgecloud.load.run import LoadRun
from edgecloud.load.summary import result_line
from tests.eventually import eventually

from .conftest import ADMIN_TOKEN, ROOT, Stack

pytestmark = pytest.mark.integration

LOAD_SECONDS = 30


def query(prometheus: str, expr: str) -> list[dict[str, Any]]:
    reply = httpx.get(f"{prometheus}/api/v1/query", params={"query": expr}, timeout=10)
    assert reply.status_code == 200, f"{expr}: {reply.text}"
    body = reply.json()
    assert body["status"] == "success", body
    result: list[dict[str, Any]] = body["data"]["result"]
    return result


def finite_points(prometheus: str, expr: str, start: float, end: float) -> list[float]:
    reply = httpx.get(
        f"{prometheus}/api/v1/query_range",
        params={"query": expr, "start": start, "end": end, "step": 1},
        timeout=10,
    )
    assert reply.status_code == 200, f"{expr}: {reply.text}"
    values = (float(v) for series in reply.json()["data"]["result"] for _, v in series["values"])
    return [v for v in values if math.isfinite(v)]


def finite_values(result: list[dict[str, Any]]) -> list[float]:
    values = (float(series["value"][1]) for series in result)
    return [v for v in values if math.isfinite(v)]


def answers_counted(prometheus: str) -> float:
    """UE answers the radio emulator has served, as Prometheus last scraped them."""
    return sum(finite_values(query(prometheus, "sum(edgecloud_radio_requests_total)")))


def oldest_scrape(prometheus: str) -> float:
    """The Unix time of the least recent scrape over all targets."""
    oldest = finite_values(query(prometheus, "min(timestamp(up))"))
    return oldest[0] if oldest else 0.0


def oldest_rule_evaluation(prometheus: str) -> float:
    """The Unix time of the least recent evaluation over all recording-rule groups."""
    groups = httpx.get(f"{prometheus}/api/v1/rules", timeout=10).json()["data"]["groups"]
    assert groups, "Prometheus loaded no recording rules"
    return min(_unix_time(group["lastEvaluation"]) for group in groups)


def _unix_time(rfc3339: str) -> float:
    # Prometheus writes nanoseconds; fromisoformat takes at most microseconds.
    trimmed = re.sub(r"(\.\d{6})\d+", r"\1", rfc3339).replace("Z", "+00:00")
    return datetime.fromisoformat(trimmed).timestamp()


def wait_for_scrape(prometheus: str, after: float) -> None:
    """Until every target was scraped since ``after`` (a Unix time), and every recording rule was
    evaluated after that scrape."""
    scraped = eventually(
        lambda: (t := oldest_scrape(prometheus)) > after + 1 and t,
        30,
        interval_s=0.5,
        what="a scrape of every target",
    )
    eventually(
        lambda: oldest_rule_evaluation(prometheus) > scraped,
        30,
        interval_s=0.5,
        what="an evaluation of every rule group after that scrape",
    )


@dataclass(frozen=True)
class FinishedLoad:
    run: LoadRun
    result_line: str
    started_at: float  # Unix time


@pytest.fixture(scope="module")
def load_run(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> FinishedLoad:
    """Locust, headless, against the stack's radio emulator."""
    assert "prometheus" in stack.executors, "no prometheus binary: `make test` installs it"
    prometheus = stack.url("prometheus")
    wait_for_scrape(prometheus, time.time())
    run = LoadRun(
        host=stack.radio_url,
        users=4,
        spawn_rate=2.0,
        run_time_s=LOAD_SECONDS,
        out_dir=tmp_path_factory.mktemp("load"),
        locustfile=ROOT / "loadtest" / "locustfile.py",
    )
    before = answers_counted(prometheus)
    started_at = time.time()
    env = os.environ | {"LOCUST_ADMIN_TOKEN": ADMIN_TOKEN}
    result = subprocess.run(
        run.command(), capture_output=True, text=True, env=env, timeout=600, check=False
    )
    failures = run.out_dir / "load_failures.csv"
    output = result.stdout[-3000:] + (failures.read_text() if failures.exists() else "")
    assert result.returncode == 0, output
    wait_for_scrape(prometheus, time.time())
    served = answers_counted(prometheus) - before
    stats = json.loads(run.stats_json.read_text())
    answers = sum(e["num_requests"] for e in stats if e["name"].startswith("answer "))
    assert served == answers, f"Prometheus counted {served} answers, Locust received {answers}"
    return FinishedLoad(run, result_line(stats), started_at)


def test_a_30_second_locust_run_has_no_failed_request(load_run: FinishedLoad) -> None:
    run, line = load_run.run, load_run.result_line
    match = re.fullmatch(
        r"RESULT load requests=(\d+) failures=(\d+) e2e_p50_s=([\d.]+) e2e_p95_s=([\d.]+) "
        r"ttft_p50_s=([\d.]+)",
        line,
    )
    assert match is not None, line
    requests, failures = int(match[1]), int(match[2])
    e2e_p50, e2e_p95, ttft_p50 = (float(match[i]) for i in (3, 4, 5))
    assert requests >= 8
    assert failures == 0
    assert 0 < ttft_p50 <= e2e_p50 <= e2e_p95
    for report in ("load_stats.csv", "load_stats_history.csv", "report.html", "stats.json"):
        assert (run.out_dir / report).stat().st_size > 0, report
    names = {e["name"] for e in json.loads(run.stats_json.read_text())}
    assert {"PUT /admin/ues/{ue}", "GET /cells"} <= names  # every UE was placed
    assert any(n.startswith("ttft ") for n in names)
    assert any(n.startswith("tokens/s ") for n in names)


def dashboard_files() -> list[Path]:
    return sorted((ROOT / DEFAULT_DIRECTORY).glob("*.json"))


@pytest.mark.parametrize("dashboard", dashboard_files(), ids=lambda p: p.stem)
def test_every_dashboard_panel_returns_data_after_the_load(
    stack: Stack, load_run: FinishedLoad, dashboard: Path
) -> None:
    """As Grafana draws them: each query over the time of the load, every second."""
    queries = panel_queries(json.loads(dashboard.read_text()))
    assert queries
    prometheus = stack.url("prometheus")
    now = time.time()
    empty = [
        f"{title}: {expr}"
        for title, expr in queries
        if not finite_points(prometheus, expr, load_run.started_at, now)
    ]
    assert not empty, "panels without data:\n" + "\n".join(empty)
