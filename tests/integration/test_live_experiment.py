"""A short live experiment on the real stack (real vLLM engines, Redis, HTTP): two policies replay
the identical schedule, every request is answered and joins exactly one history record."""

from __future__ import annotations

import csv
from pathlib import Path

import httpx
import pytest

from edgecloud.load.live import LiveRun, run_live_sync, schedule_for
from edgecloud.load.prompts import PromptSet
from edgecloud.load.testbed import StackAccess
from edgecloud.sim.scenario import load_scenario

from .conftest import ADMIN_TOKEN, Stack

pytestmark = pytest.mark.integration

POLICIES = ["edge-only", "cloud-only"]


def test_a_small_live_run_replays_one_schedule_per_policy_and_joins_every_record(
    stack: Stack, tmp_path: Path
) -> None:
    small = load_scenario("small")
    scenario = small.model_copy(update={"duration_s": 20.0})
    prompts = PromptSet.load(scenario.path(scenario.prompts))
    schedule = schedule_for(scenario, 1, prompts)
    assert len(schedule.requests) >= 3, "the seed gives too short a schedule to test"
    run = LiveRun(
        scenario=scenario,
        policies=POLICIES,
        seeds=[1],
        access=StackAccess(stack.radio_url, stack.orchestrator_url, ADMIN_TOKEN),
        out_dir=tmp_path,
        prompts=prompts,
    )
    rows = run_live_sync(run, progress=lambda _: None)

    assert [r["policy"] for r in rows] == POLICIES
    for row in rows:
        assert row["requests"] == len(schedule.requests)
        assert row["failed"] == 0
        assert row["missing_records"] == 0
        assert row["duplicated_records"] == 0
    assert rows[0]["cloud_share"] == 0.0
    assert rows[1]["cloud_share"] == 1.0

    with (tmp_path / "requests.csv").open() as handle:
        outcomes = list(csv.DictReader(handle))
    assert len(outcomes) == len(POLICIES) * len(schedule.requests)
    assert len({o["request_id"] for o in outcomes}) == len(outcomes)
    per_policy = {
        p: [(o["ue_id"], o["task_type"], o["max_tokens"]) for o in outcomes if o["policy"] == p]
        for p in POLICIES
    }
    assert per_policy["edge-only"] == per_policy["cloud-only"]
    # ignore_eos: the engine generated exactly the scheduled length on either tier.
    assert all(o["completion_tokens"] == o["max_tokens"] for o in outcomes)
    assert all(o["records"] == "1" for o in outcomes)
    assert (tmp_path / "results.csv").is_file()
    assert (tmp_path / "sweep_scenario.png").is_file()


def test_the_history_reads_back_in_pages_without_overlap(stack: Stack) -> None:
    url = f"{stack.orchestrator_url}/history"
    everything = httpx.get(url, params={"limit": 1000}).json()["data"]
    assert len(everything) >= 4, "the live run above writes the records this test pages through"
    pages: list[list[str]] = []
    before: str | None = None
    while len(pages) < 3:
        params: dict[str, str | int] = {"limit": 2} | ({"before": before} if before else {})
        page = httpx.get(url, params=params).json()
        pages.append([r["request_id"] for r in page["data"]])
        before = page["next_before"]
        assert before is not None
    assert [i for page in pages for i in page] == [r["request_id"] for r in everything[:6]]


def test_a_cursor_at_either_end_of_the_stream_pages_instead_of_failing(stack: Stack) -> None:
    url = f"{stack.orchestrator_url}/history"
    newest = httpx.get(url, params={"limit": 3}).json()["data"]
    oldest = httpx.get(url, params={"limit": 3, "before": "0-0"})
    assert oldest.status_code == 200, oldest.text
    assert oldest.json() == {"data": [], "next_before": None}
    beyond = httpx.get(url, params={"limit": 3, "before": f"{10**20 - 1}-{10**20 - 1}"})
    assert beyond.status_code == 200, beyond.text
    assert beyond.json()["data"] == newest
