"""The dashboards work: a 30-second Locust run of UEs through the real stack, then every panel's
PromQL against the real Prometheus that scraped it. Each panel must return data, and Prometheus
must have counted exactly the answers Locust received."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from edgecloud.dashboards import DEFAULT_DIRECTORY, panel_queries
from edgecloud.load.run import LoadRun
from edgecloud.load.summary import result_line

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


def finite_values(result: list[dict[str, Any]]) -> list[float]:
    values = (float(series["value"][1]) for series in result)
    return [v for v in values if math.isfinite(v)]


def answers_counted(prometheus: str) -> float:
    """UE answers the radio emulator has served, as Prometheus last scraped them."""
    return sum(finite_values(query(prometheus, "sum(edgecloud_radio_requests_total)")))


def wait_for_scrape(prometheus: str, after: float) -> None:
    """Until every target was scraped (and rules evaluated) since ``after`` (a Unix time)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        reply = httpx.get(f"{prometheus}/api/v1/targets", timeout=10).json()
        targets = reply["data"]["activeTargets"]
        if targets and all(
            t["health"] == "up" and t["lastScrape"] > _rfc3339(after + 2) for t in targets
        ):
            return
        time.sleep(0.5)
    raise AssertionError(f"Prometheus did not scrape every target: {targets}")


def _rfc3339(unix_s: float) -> str:
    # Prometheus reports lastScrape as RFC 3339 in UTC; same-format strings compare in time order.
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(unix_s))


@pytest.fixture(scope="module")
def load_run(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> tuple[LoadRun, str]:
    """Locust, headless, against the stack's radio emulator; returns the run and its output."""
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
    return run, result_line(stats)


def test_a_30_second_locust_run_has_no_failed_request(load_run: tuple[LoadRun, str]) -> None:
    run, line = load_run
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
    stack: Stack, load_run: tuple[LoadRun, str], dashboard: Path
) -> None:
    queries = panel_queries(json.loads(dashboard.read_text()))
    assert queries
    prometheus = stack.url("prometheus")
    empty = [
        f"{title}: {expr}" for title, expr in queries if not finite_values(query(prometheus, expr))
    ]
    assert not empty, "panels without data:\n" + "\n".join(empty)
