"""Live-run bookkeeping: every scheduled request gives one outcome, missing and duplicated records
are counted, goodput and the comparison with the simulator are computed as documented."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from edgecloud.load.compare import agreements, report
from edgecloud.load.outcomes import join, result_line, summarise
from edgecloud.load.prompts import PromptSet
from edgecloud.load.replay import Sent, request_body
from edgecloud.sim.evaluate import EpisodeStats
from edgecloud.sim.scenario import Slo, load_scenario
from edgecloud.sim.schedule import Schedule, build_schedule

ROOT = Path(__file__).resolve().parents[3]
PROMPTS = PromptSet.load(ROOT / "loadtest" / "prompts.json")
SLO = Slo(ttft_s=1.0, e2e_s=5.0)


def schedule() -> Schedule:
    small = load_scenario("small").model_copy(update={"duration_s": 60.0})
    built = build_schedule(small, 0, PROMPTS)
    assert len(built.requests) >= 4
    return built


def record(request_id: str, total_s: float, route: str = "edge", violated: bool = False) -> Any:
    return {
        "request_id": request_id,
        "route": route,
        "total_s": total_s,
        "reward": -total_s - (10.0 if violated else 0.0),
        "quality_violated": violated,
        "completion_tokens": 16,
        "parts": {"decision_s": 0.001, "queue_s": 0.0, "ttft_s": 0.1, "decode_s": 0.5},
    }


def sent(index: int, status: int = 200, ttft_s: float = 0.2, e2e_s: float = 1.0) -> Sent:
    return Sent(index, f"id-{index}", status, 0.0, ttft_s, e2e_s, 16, status == 200)


def test_each_request_is_one_outcome_and_record_faults_are_counted() -> None:
    plan = schedule()
    n = len(plan.requests)
    replies = [sent(i) for i in range(n)]
    replies[1] = sent(1, status=503)
    replies[2] = sent(2, ttft_s=1.5)  # misses the TTFT limit
    records = {f"id-{i}": [record(f"id-{i}", 1.0 + i)] for i in range(n) if i not in (1, 3)}
    records["id-0"].append(record("id-0", 1.0))  # a duplicate
    outcomes = join(plan, "greedy", replies, records, SLO)
    assert [o.index for o in outcomes] == list(range(n))
    row = summarise(outcomes, "greedy", "small", duration_s=60.0)
    assert row["requests"] == n
    assert row["missing_records"] == 1  # request 3 answered but left no record
    assert row["duplicated_records"] == 1
    assert row["failed"] == 3  # the 503, the missing record, the duplicate
    met = [o.slo_met for o in outcomes]
    assert met[:4] == [False, False, False, False]
    assert sum(met) == n - 4
    assert row["goodput_rps"] == pytest.approx((n - 4) / 60.0)
    assert outcomes[4].cost_s == pytest.approx(5.0)
    assert "RESULT live greedy=" in result_line([row])


def test_the_request_asks_for_exact_lengths_and_carries_its_task() -> None:
    request = schedule().requests[0]
    body = request_body(request)
    assert body["max_tokens"] == request.max_tokens
    assert body["ignore_eos"] is True
    assert body["metadata"] == {
        "task_type": request.task_type.value,
        "quality_required": f"{request.quality_required:g}",
    }


def test_the_comparison_reports_the_worst_relative_difference() -> None:
    live = [
        {"policy": "edge-only", "mean_delay_s": 2.0, "p95_delay_s": 4.0},
        {"policy": "greedy", "mean_delay_s": 1.0, "p95_delay_s": 2.0},
        {"policy": "knn", "mean_delay_s": 1.0, "p95_delay_s": 2.0},  # not simulated: left out
    ]
    sim = {
        "edge-only": EpisodeStats("edge-only", 2.2, 2.2, 4.0, 0.0, 0.0, 0.0),
        "greedy": EpisodeStats("greedy", 0.95, 0.95, 2.5, 0.0, 0.0, 0.5),
    }
    rows = agreements(live, sim)
    assert [a.policy for a in rows] == ["edge-only", "greedy"]
    lines: list[str] = []
    result = report(rows, lines.append)
    assert result == "RESULT compare mean_rel_err_max=0.100 p95_rel_err_max=0.250"
    assert len(lines) == 4


def test_only_policies_the_simulator_can_run_are_simulated() -> None:
    from edgecloud.load.compare import simulable

    assert simulable("greedy")
    assert simulable("round-robin")
    assert not simulable("knn")  # learns from a pool the calibrated simulator does not feed yet
    assert not simulable("icl")
