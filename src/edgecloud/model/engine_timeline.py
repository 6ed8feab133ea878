"""Run a :class:`BatchEngine` on a virtual clock: arrivals in, per-request timings out (pure).

The simulator and the unit tests use this; the emulated server drives the same engine in real time.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .engine import BatchEngine, Iteration


@dataclass(frozen=True, slots=True)
class Arrival:
    request_id: str
    at_s: float
    prompt_tokens: int
    output_tokens: int


@dataclass(slots=True)
class RequestTiming:
    """What vLLM's request metrics measure, on the virtual clock."""

    arrival_s: float
    scheduled_s: float | None = None
    token_times_s: list[float] = field(default_factory=list)
    finished_s: float | None = None
    preemptions: int = 0

    @property
    def queue_s(self) -> float:
        return self._known(self.scheduled_s) - self.arrival_s

    @property
    def ttft_s(self) -> float:
        return self.token_times_s[0] - self.arrival_s

    @property
    def inter_token_s(self) -> list[float]:
        times = self.token_times_s
        return [later - earlier for earlier, later in itertools.pairwise(times)]

    @property
    def e2e_s(self) -> float:
        return self._known(self.finished_s) - self.arrival_s

    @property
    def tpot_s(self) -> float:
        """Mean time per output token after the first (vLLM's TPOT); 0 for a one-token answer."""
        gaps = self.inter_token_s
        return sum(gaps) / len(gaps) if gaps else 0.0

    @staticmethod
    def _known(value: float | None) -> float:
        if value is None:
            raise ValueError("the request has not reached that point")
        return value


def record(timings: dict[str, RequestTiming], iteration: Iteration, start_s: float) -> None:
    """Fold one iteration that ran from ``start_s`` into the requests' timings."""
    end_s = start_s + iteration.duration_s
    for request_id in iteration.started:
        timings[request_id].scheduled_s = start_s
    for request_id in iteration.sampled:
        timings[request_id].token_times_s.append(end_s)
    for request_id in iteration.finished:
        timings[request_id].finished_s = end_s
    for request_id in iteration.preempted:
        timings[request_id].preemptions += 1


def front_end_arrivals(sent_s: Sequence[float], overhead_s: float) -> list[float]:
    """When requests sent at ``sent_s`` (in order) reach the engine through a front end that
    prepares one at a time for ``overhead_s`` each (vLLM's API server: one event loop)."""
    free_s = float("-inf")
    arrivals = []
    for at_s in sent_s:
        free_s = max(at_s, free_s) + overhead_s
        arrivals.append(free_s)
    return arrivals


def run(engine: BatchEngine, arrivals: Iterable[Arrival]) -> dict[str, RequestTiming]:
    """Every request from arrival to its last token; arrivals join at the next iteration."""
    pending = sorted(arrivals, key=lambda a: a.at_s)
    timings: dict[str, RequestTiming] = {}
    clock_s = 0.0
    index = 0
    while index < len(pending) or engine.num_running or engine.num_waiting:
        while index < len(pending) and pending[index].at_s <= clock_s:
            arrival = pending[index]
            engine.add(arrival.request_id, arrival.prompt_tokens, arrival.output_tokens)
            timings[arrival.request_id] = RequestTiming(arrival.at_s)
            index += 1
        iteration = engine.step()
        if iteration is None:
            clock_s = max(clock_s, pending[index].at_s)
            continue
        record(timings, iteration, clock_s)
        clock_s += iteration.duration_s
    return timings
