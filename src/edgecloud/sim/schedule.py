"""One seed of a scenario as a request schedule: who sends what, and when, to the second.

The schedule is the experiment's controlled variable: every policy of a run gets the identical
schedule (same UEs at the same spots, same arrival times, prompts and answer lengths), live and in
the simulator. Answer lengths are fixed per request and sent as ``max_tokens`` with ``ignore_eos``
so that an engine generates exactly that many tokens whichever tier runs it.

Deterministic: every draw comes from generators seeded by (scenario, seed, purpose).
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from edgecloud.load.placement import ue_position
from edgecloud.load.prompts import PromptSet
from edgecloud.model.cells import cell_sites
from edgecloud.model.tasks import TaskType

from .scenario import ArrivalKind, Scenario
from .trace import TraceRequest, scaled

# Filler for a trace request's prompt: it must reach the trace's context length, in words the
# tokenisers count about one token each.
_FILLER = (
    "context",
    "from",
    "the",
    "earlier",
    "conversation",
    "the",
    "assistant",
    "should",
    "keep",
    "in",
    "mind",
    "while",
    "answering",
    "the",
    "question",
    "above",
    "with",
    "care",
    "and",
    "in",
    "plain",
    "words",
)
CHARS_PER_TOKEN = 4.0


@dataclass(frozen=True, slots=True)
class PlacedUe:
    ue_id: str
    cell_id: int
    x_m: float
    y_m: float


@dataclass(frozen=True, slots=True)
class ScheduledRequest:
    index: int
    at_s: float
    ue_id: str
    task_type: TaskType
    prompt: str
    quality_required: float
    max_tokens: int


@dataclass(frozen=True, slots=True)
class Schedule:
    scenario: str
    seed: int
    ues: tuple[PlacedUe, ...]
    requests: tuple[ScheduledRequest, ...]
    warmup: tuple[ScheduledRequest, ...]

    def fingerprint(self) -> str:
        """A digest of everything the schedule sends: equal digests, identical experiments."""
        payload = json.dumps(
            [[asdict(u) for u in self.ues], [asdict(r) for r in self.warmup + self.requests]],
            sort_keys=True,
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


def _rng(scenario: Scenario, seed: int, purpose: str) -> random.Random:
    return random.Random(f"{scenario.name}:{seed}:{purpose}")


def place_ues(scenario: Scenario, seed: int) -> tuple[PlacedUe, ...]:
    cells = scenario.cells
    sites = [(s.x_m, s.y_m) for s in cell_sites(cells.n_cells, cells.cell_radius_m)]
    placed = []
    for cell_id, count in enumerate(cells.ues_per_cell):
        for k in range(count):
            ue_id = f"{scenario.name}-c{cell_id}-u{k}"
            x_m, y_m = ue_position(
                sites, cell_id, ue_id, cells.placement_seed * 1_000_003 + seed, cells.cell_radius_m
            )
            placed.append(PlacedUe(ue_id, cell_id, x_m, y_m))
    return tuple(placed)


def _arrivals(
    scenario: Scenario, seed: int, ues: Sequence[PlacedUe], trace: Sequence[TraceRequest] | None
) -> list[tuple[float, str, TraceRequest | None]]:
    """(time, UE, trace request or None) in time order."""
    rng = _rng(scenario, seed, "arrivals")
    arrivals = scenario.arrivals
    if arrivals.kind is ArrivalKind.TRACE:
        if trace is None:
            raise ValueError(f"scenario {scenario.name} replays a trace: pass its requests")
        replay = scaled(trace, arrivals.time_scale, arrivals.token_scale, scenario.duration_s)
        return [(r.at_s, rng.choice(ues).ue_id, r) for r in replay]
    out: list[tuple[float, str, TraceRequest | None]] = []
    for ue in ues:
        at_s = rng.expovariate(arrivals.rate_per_ue_hz)
        while at_s < scenario.duration_s:
            out.append((at_s, ue.ue_id, None))
            at_s += rng.expovariate(arrivals.rate_per_ue_hz)
    return sorted(out, key=lambda a: (a[0], a[1]))


def _padded(prompt: str, tokens: int) -> str:
    """The prompt, followed by filler words up to about ``tokens`` tokens."""
    missing = tokens - math.ceil(len(prompt) / CHARS_PER_TOKEN)
    if missing <= 0:
        return prompt
    words = (_FILLER[i % len(_FILLER)] for i in range(missing))
    return f"{prompt}\n\n" + " ".join(words)


def _requests(
    scenario: Scenario,
    seed: int,
    prompts: PromptSet,
    arrivals: Sequence[tuple[float, str, TraceRequest | None]],
    purpose: str,
) -> tuple[ScheduledRequest, ...]:
    rng = _rng(scenario, seed, purpose)
    types = list(scenario.task_mix)
    weights = [scenario.task_mix[t] for t in types]
    out = []
    for index, (at_s, ue_id, traced) in enumerate(arrivals):
        task_type = rng.choices(types, weights=weights)[0]
        prompt = prompts.pick(task_type, rng).prompt
        if traced is None:
            tokens = scenario.answer_length(task_type).draw(rng)
        else:
            prompt = _padded(prompt, traced.context_tokens)
            tokens = traced.generated_tokens
        out.append(
            ScheduledRequest(
                index=index,
                at_s=round(at_s, 6),
                ue_id=ue_id,
                task_type=task_type,
                prompt=prompt,
                quality_required=scenario.requirement(task_type),
                max_tokens=min(tokens, scenario.max_answer_tokens),
            )
        )
    return tuple(out)


def _warmup_arrivals(
    scenario: Scenario, seed: int, ues: Sequence[PlacedUe]
) -> list[tuple[float, str, TraceRequest | None]]:
    """The warm-up's requests, evenly spread over UEs, one every 1/(UEs x rate) seconds."""
    n = scenario.warmup.requests
    if n == 0:
        return []
    rng = _rng(scenario, seed, "warmup-ues")
    gap_s = 1.0 / (len(ues) * scenario.arrivals.rate_per_ue_hz)
    return [(i * gap_s, rng.choice(ues).ue_id, None) for i in range(n)]


def build_schedule(
    scenario: Scenario,
    seed: int,
    prompts: PromptSet,
    trace: Sequence[TraceRequest] | None = None,
) -> Schedule:
    ues = place_ues(scenario, seed)
    arrivals = _arrivals(scenario, seed, ues, trace)
    warmup = _requests(scenario, seed, prompts, _warmup_arrivals(scenario, seed, ues), "warmup")
    return Schedule(
        scenario=scenario.name,
        seed=seed,
        ues=ues,
        requests=_requests(scenario, seed, prompts, arrivals, "requests"),
        warmup=warmup,
    )


def task_types_in(schedule: Schedule) -> dict[TaskType, int]:
    counts = dict.fromkeys(TaskType, 0)
    for request in schedule.requests:
        counts[request.task_type] += 1
    return counts
