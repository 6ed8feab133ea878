"""The load test's pure parts: prompts and mix, stream timing, shapes, placement, summary."""

from __future__ import annotations

import json
import math
import random
from collections import Counter
from pathlib import Path

import pytest

from edgecloud.load.placement import ue_position
from edgecloud.load.prompts import PromptSet, TaskMix
from edgecloud.load.run import LoadRun
from edgecloud.load.shapes import Shape, Stage, stage_at, stages
from edgecloud.load.stream import StreamTiming
from edgecloud.load.summary import quantile, result_line
from edgecloud.model.tasks import TaskType

PROMPTS = Path(__file__).resolve().parents[3] / "loadtest" / "prompts.json"


def sse(payload: dict[str, object] | str) -> bytes:
    data = payload if isinstance(payload, str) else json.dumps(payload)
    return f"data: {data}\n\n".encode()


def delta(content: str) -> dict[str, object]:
    return {"choices": [{"index": 0, "delta": {"content": content}, "finish_reason": None}]}


def test_the_prompt_set_has_forty_distinct_prompts_per_task_type() -> None:
    prompts = PromptSet.load(PROMPTS)
    for task_type in TaskType:
        entries = prompts.root[task_type]
        assert len({e.prompt for e in entries}) == len(entries) >= 40
        assert all(1 <= e.quality_required <= 10 and e.max_tokens >= 1 for e in entries)
    coding = prompts.pick(TaskType.CODING, random.Random(1))
    assert coding in prompts.root[TaskType.CODING]


def test_a_prompt_set_missing_a_task_type_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "prompts.json"
    path.write_text(
        json.dumps({"chat": [{"prompt": "hi", "quality_required": 6, "max_tokens": 8}]})
    )
    with pytest.raises(ValueError, match="no prompts for extraction, coding, science"):
        PromptSet.load(path)


def test_task_mix_follows_its_weights_and_leaves_out_unlisted_types() -> None:
    mix = TaskMix.parse("chat=3, coding=1")
    rng = random.Random(0)
    drawn = Counter(mix.pick(rng) for _ in range(4000))
    assert set(drawn) == {TaskType.CHAT, TaskType.CODING}
    assert drawn[TaskType.CHAT] / 4000 == pytest.approx(0.75, abs=0.03)
    assert TaskMix.parse("science").weights == {TaskType.SCIENCE: 1.0}


@pytest.mark.parametrize("text", ["", "poetry=1", "chat=-1", "chat=0", "chat=x"])
def test_bad_task_mixes_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="task mix"):
        TaskMix.parse(text)


def test_stream_timing_measures_from_the_first_content_not_the_role_chunk() -> None:
    timing = StreamTiming(sent_at=10.0)
    role = sse({"choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]})
    timing.feed(role, 10.1)
    first = sse(delta("Hel"))
    timing.feed(first[:7], 10.2)  # an event split across reads counts when it is complete
    assert timing.first_token_at is None
    timing.feed(first[7:] + sse(delta("lo")), 10.3)
    timing.feed(sse(delta("!")), 10.5)
    timing.feed(sse({"choices": [], "usage": {"completion_tokens": 3}}) + sse("[DONE]"), 10.6)
    assert timing.ttft_s == pytest.approx(0.3)
    assert timing.tokens == 3
    assert timing.tokens_per_s == pytest.approx(2 / 0.2)
    assert timing.failure() is None
    assert timing.bytes_received == len(role + first) + sum(
        len(b) for b in (sse(delta("lo")), sse(delta("!")))
    ) + len(sse({"choices": [], "usage": {"completion_tokens": 3}}) + sse("[DONE]"))


def test_stream_timing_reports_what_makes_an_answer_a_failure() -> None:
    cut = StreamTiming(sent_at=0.0)
    cut.feed(sse(delta("a")), 1.0)
    assert cut.failure() == "the stream ended without [DONE]"
    empty = StreamTiming(sent_at=0.0)
    empty.feed(sse("[DONE]"), 1.0)
    assert empty.failure() is None  # served, only without a first token
    assert empty.ttft_s is None
    broken = StreamTiming(sent_at=0.0)
    broken.feed(sse({"error": {"message": "the edge tier failed mid-stream"}}) + sse("[DONE]"), 1)
    assert broken.failure() == "error event: the edge tier failed mid-stream"
    assert StreamTiming(sent_at=0.0).tokens_per_s is None


def test_steady_ramp_and_spike_shapes() -> None:
    assert stages(Shape.STEADY, 8, 2.0, 60) == [Stage(60, 8, 2.0)]
    ramp = stages(Shape.RAMP, 10, 1.0, 50)
    assert [s.users for s in ramp] == [2, 4, 6, 8, 10]
    assert [s.until_s for s in ramp] == [10, 20, 30, 40, 50]
    spike = stages(Shape.SPIKE, 16, 2.0, 100)
    assert [(s.until_s, s.users) for s in spike] == [(40, 4), (60, 16), (100, 4)]
    assert spike[1].spawn_rate == 12  # the spike arrives within a second
    assert stage_at(spike, 0) == spike[0]
    assert stage_at(spike, 45) == spike[1]
    assert stage_at(spike, 100) is None


def test_shapes_need_users_a_rate_and_a_length() -> None:
    with pytest.raises(ValueError, match="load shape"):
        stages(Shape.RAMP, 0, 1.0, 10)


def test_ues_are_placed_round_robin_within_their_cell() -> None:
    sites = [(0.0, 0.0), (300.0, 0.0), (150.0, 260.0)]
    positions = set()
    for index in range(30):
        x, y = ue_position(sites, index, f"ue-{index}", seed=4, cell_radius_m=100)
        sx, sy = sites[index % 3]
        assert 10 - 1e-9 <= math.hypot(x - sx, y - sy) <= 100 + 1e-9
        positions.add((x, y))
    assert len(positions) == 30
    assert ue_position(sites, 7, "a", 4, 100) == ue_position(sites, 7, "a", 4, 100)
    assert ue_position(sites, 7, "a", 4, 100) != ue_position(sites, 7, "a", 5, 100)
    assert ue_position(sites, 7, "a", 4, 100) != ue_position(sites, 7, "b", 4, 100)
    with pytest.raises(ValueError, match="no cells"):
        ue_position([], 0, "a", 0, 100)


def test_quantile_of_a_histogram() -> None:
    histogram = {100.0: 5, 200.0: 4, 900.0: 1}
    assert quantile(histogram, 0.5) == 100
    assert quantile(histogram, 0.6) == 200
    assert quantile(histogram, 0.95) == 900
    assert quantile({}, 0.5) is None


def entry(method: str, name: str, times: dict[str, int], failures: int = 0) -> dict[str, object]:
    return {
        "method": method,
        "name": name,
        "response_times": times,
        "num_requests": sum(times.values()),
        "num_failures": failures,
    }


def test_result_line_counts_answers_and_every_real_failure() -> None:
    stats = [
        entry("POST", "answer chat", {"1200": 3, "2500": 1}, failures=1),
        entry("POST", "answer coding", {"800": 4}),
        entry("ttft", "ttft chat", {"40": 3}),
        entry("ttft", "ttft coding", {"90": 4}),
        entry("tokens/s", "tokens/s chat", {"45": 3}),
        entry("PUT", "PUT /admin/ues/{ue}", {"3": 4}, failures=2),
    ]
    assert result_line(stats) == (
        "RESULT load requests=8 failures=3 e2e_p50_s=0.800 e2e_p95_s=2.500 ttft_p50_s=0.090"
    )


def test_the_headless_run_writes_csv_json_and_html(tmp_path: Path) -> None:
    run = LoadRun(users=3, run_time_s=30, shape=Shape.SPIKE, policy="icl", out_dir=tmp_path)
    argv = run.command()
    assert argv[argv.index("--csv") + 1] == str(tmp_path / "load")
    assert argv[argv.index("--html") + 1] == str(tmp_path / "report.html")
    assert argv[argv.index("--json-file") + 1] == str(tmp_path / "stats")
    assert run.stats_json == tmp_path / "stats.json"
    assert argv[argv.index("--load-shape") + 1] == "spike"
    assert argv[argv.index("--policy") + 1] == "icl"
    assert argv[argv.index("--run-time") + 1] == "30s"
    assert "--headless" in argv
