"""Scenarios: parsing and validation, trace slicing and scaling, schedules identical per seed."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from edgecloud.load.prompts import PromptSet
from edgecloud.model.cells import cell_sites
from edgecloud.model.tasks import TaskType
from edgecloud.sim.scenario import (
    ArrivalKind,
    Scenario,
    ScenarioError,
    bundled_scenarios,
    load_scenario,
)
from edgecloud.sim.schedule import build_schedule, place_ues
from edgecloud.sim.trace import TraceError, TraceRequest, read_trace, scaled, write_slice

ROOT = Path(__file__).resolve().parents[3]
PROMPTS = PromptSet.load(ROOT / "loadtest" / "prompts.json")
MINIMAL = """
name = "tiny"
duration_s = 30.0
[cells]
n_cells = 2
ues_per_cell = [1, 2]
[slo]
ttft_s = 1.0
e2e_s = 5.0
"""


def write(tmp_path: Path, text: str, name: str = "tiny.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_the_bundled_scenarios_load_and_say_what_they_run() -> None:
    assert {"paper", "paper-trace", "small"} <= set(bundled_scenarios())
    paper = load_scenario("paper")
    assert paper.cells.n_cells == 3
    assert sorted(paper.cells.ues_per_cell) == [5, 10, 15]
    assert paper.engines.kind == "emulated"
    assert load_scenario("small").engines.kind == "real"
    trace = load_scenario("paper-trace")
    assert trace.arrivals.kind is ArrivalKind.TRACE
    assert trace.path(trace.arrivals.trace or "").is_file()
    assert paper.path(paper.prompts).is_file()


def test_a_minimal_scenario_takes_the_defaults(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, MINIMAL))
    assert scenario.cells.n_ues == 3
    assert scenario.arrivals.kind is ArrivalKind.POISSON
    assert scenario.requirement(TaskType.CODING) == 7.0
    assert scenario.answer_length(TaskType.CHAT).median_tokens == 129


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (MINIMAL.replace("[1, 2]", "[1, 2, 3]"), "one per cell"),
        (MINIMAL.replace("[1, 2]", "[0, 0]"), "at least one UE"),
        (MINIMAL.replace("duration_s = 30.0", "duration_s = -1.0"), "duration_s"),
        (MINIMAL + "[arrivals]\nkind = 'trace'\n", "need a trace file"),
        (MINIMAL + "[task_mix]\nchat = 0.0\n", "positive sum"),
        (MINIMAL + "[task_mix]\npoetry = 1.0\n", "task_mix"),
        (MINIMAL + "colour = 'red'\n", "colour"),
        (MINIMAL.replace('"tiny"', '"Tiny Scenario"'), "name"),
        ("name = [", "cannot read"),
    ],
)
def test_a_bad_scenario_is_refused_with_the_reason(
    tmp_path: Path, change: str, message: str
) -> None:
    with pytest.raises(ScenarioError, match=message):
        load_scenario(write(tmp_path, change))


def test_an_unknown_scenario_names_the_known_ones() -> None:
    with pytest.raises(ScenarioError, match="paper"):
        load_scenario("nope")


def test_the_schedule_is_identical_for_a_seed_and_differs_across_seeds() -> None:
    paper = load_scenario("paper")
    first, again = build_schedule(paper, 3, PROMPTS), build_schedule(paper, 3, PROMPTS)
    assert first == again
    assert first.fingerprint() == again.fingerprint()
    other = build_schedule(paper, 4, PROMPTS)
    assert other.fingerprint() != first.fingerprint()
    assert [r.at_s for r in first.requests] == sorted(r.at_s for r in first.requests)
    assert len(first.warmup) == paper.warmup.requests


def test_poisson_arrivals_come_at_the_scenario_rate() -> None:
    paper = load_scenario("paper")
    schedule = build_schedule(paper, 0, PROMPTS)
    expected = paper.cells.n_ues * paper.arrivals.rate_per_ue_hz * paper.duration_s
    # Poisson: the count's standard deviation is its square root; 4 of them is a loose bound.
    assert abs(len(schedule.requests) - expected) < 4 * math.sqrt(expected)
    assert all(0 <= r.at_s < paper.duration_s for r in schedule.requests)
    assert all(1 <= r.max_tokens <= paper.max_answer_tokens for r in schedule.requests)
    types = {r.task_type for r in schedule.requests}
    assert types == set(TaskType)


def test_ues_stand_in_their_own_cell() -> None:
    paper = load_scenario("paper")
    ues = place_ues(paper, 0)
    sites = cell_sites(3, paper.cells.cell_radius_m)
    assert len(ues) == 30
    assert [sum(1 for u in ues if u.cell_id == c) for c in range(3)] == paper.cells.ues_per_cell
    for ue in ues:
        site = sites[ue.cell_id]
        assert math.hypot(ue.x_m - site.x_m, ue.y_m - site.y_m) <= paper.cells.cell_radius_m
    assert place_ues(paper, 0) == ues
    assert place_ues(paper, 1) != ues


TRACE = """TIMESTAMP,ContextTokens,GeneratedTokens
2023-11-16 18:15:46.6805900,374,44
2023-11-16 18:15:50.9951690,396,109
2023-11-16 18:15:47.0000000,20,1
2023-11-16 18:16:46.6805900,1000,300
"""


def test_a_trace_is_read_in_time_order_from_its_first_request(tmp_path: Path) -> None:
    requests = read_trace(write(tmp_path, TRACE, "t.csv"))
    assert [r.context_tokens for r in requests] == [374, 20, 396, 1000]
    assert requests[0].at_s == 0.0
    assert requests[1].at_s == pytest.approx(0.31941)
    assert requests[3].at_s == pytest.approx(60.0)


def test_scaling_stretches_time_and_tokens_and_cuts_at_the_duration() -> None:
    requests = [TraceRequest(0.0, 100, 10), TraceRequest(2.0, 3, 1), TraceRequest(9.0, 50, 50)]
    out = scaled(requests, time_scale=2.0, token_scale=0.5, duration_s=10.0)
    assert out == [TraceRequest(0.0, 50, 5), TraceRequest(4.0, 2, 1)]


def test_a_slice_keeps_the_rows_of_its_window_unchanged(tmp_path: Path) -> None:
    source = write(tmp_path, TRACE, "t.csv")
    kept = write_slice(source, tmp_path / "slice.csv", start_s=0.0, length_s=5.0)
    assert kept == 3
    lines = (tmp_path / "slice.csv").read_text().splitlines()
    assert lines[0] == "TIMESTAMP,ContextTokens,GeneratedTokens"
    assert "2023-11-16 18:15:46.6805900,374,44" in lines
    assert all("1000" not in line for line in lines)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "TIMESTAMP,Tokens\n2023-11-16 18:15:46.6805900,3\n",
        "TIMESTAMP,ContextTokens,GeneratedTokens\nyesterday,1,2\n",
    ],
)
def test_a_bad_trace_is_refused(tmp_path: Path, text: str) -> None:
    with pytest.raises(TraceError):
        read_trace(write(tmp_path, text, "t.csv"))


def test_trace_replay_spreads_the_trace_over_the_ues(tmp_path: Path) -> None:
    scenario = load_scenario("paper-trace")
    trace = read_trace(scenario.path(scenario.arrivals.trace or ""))
    schedule = build_schedule(scenario, 0, PROMPTS, trace)
    replayed = scaled(trace, 2.0, 0.5, scenario.duration_s)
    assert len(schedule.requests) == len(replayed)
    assert [r.max_tokens for r in schedule.requests] == [
        min(t.generated_tokens, scenario.max_answer_tokens) for t in replayed
    ]
    # The prompt is padded to the trace's context length (about 4 characters a token).
    longest = max(zip(schedule.requests, replayed, strict=True), key=lambda p: p[1].context_tokens)
    assert len(longest[0].prompt) >= 3 * longest[1].context_tokens
    assert len({r.ue_id for r in schedule.requests}) > 20


def test_a_trace_scenario_without_its_trace_is_an_error() -> None:
    with pytest.raises(ValueError, match="trace"):
        build_schedule(load_scenario("paper-trace"), 0, PROMPTS)


def test_a_scenario_is_frozen() -> None:
    scenario = load_scenario("paper")
    with pytest.raises(ValueError, match="frozen"):
        scenario.duration_s = 1.0  # type: ignore[misc]
    assert isinstance(scenario, Scenario)
