"""One LLM tier in the calibrated simulator: the emulated engine's own timing model on a virtual
clock, and the orchestrator's view of it.

The engine is the same :class:`BatchEngine` with the same profile file the emulated server runs,
behind the same serial front end (``request_overhead_s`` per request, one at a time). Requests are
submitted with the time they reach the engine; ``advance_to`` runs iterations up to a time and
answers the requests that finished. The orchestrator's view is what it can know when it decides:
EWMAs of the TTFT and TPOT it measured on finished requests (its ``ewma_weight``, from its priors),
its own requests in flight and the engine's queue.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from edgecloud.llm.emulated.profile import EngineProfile
from edgecloud.model.engine import BatchEngine
from edgecloud.model.engine_timeline import RequestTiming, record


@dataclass(frozen=True, slots=True)
class Finished:
    request_id: str
    timing: RequestTiming


@dataclass(slots=True)
class Ewma:
    value: float
    weight: float

    def update(self, sample: float) -> None:
        self.value += self.weight * (sample - self.value)


@dataclass(slots=True)
class SimTier:
    profile: EngineProfile
    ttft_s: Ewma
    tpot_s: Ewma
    engine: BatchEngine = field(init=False)
    clock_s: float = 0.0
    front_free_s: float = float("-inf")
    in_flight: int = 0
    _pending: list[tuple[float, str, int, int]] = field(default_factory=list)  # sorted by time
    _timings: dict[str, RequestTiming] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.engine = BatchEngine(self.profile.step_time(), self.profile.engine_limits())

    @classmethod
    def of(
        cls, profile: EngineProfile, ttft_prior_s: float, tpot_prior_s: float, weight: float
    ) -> SimTier:
        return cls(profile, Ewma(ttft_prior_s, weight), Ewma(tpot_prior_s, weight))

    @property
    def waiting(self) -> int:
        return self.engine.num_waiting + sum(1 for p in self._pending if p[0] <= self.clock_s)

    def prompt_tokens(self, prompt_chars: int) -> int:
        return self.profile.api.prompt_tokens(prompt_chars)

    def submit(self, request_id: str, sent_s: float, prompt_chars: int, output_tokens: int) -> None:
        """A request sent to this tier at ``sent_s``: it reaches the engine after the front end."""
        self.front_free_s = max(sent_s, self.front_free_s) + self.profile.api.request_overhead_s
        limit = self.profile.limits.max_model_len - output_tokens
        prompt = max(1, min(self.prompt_tokens(prompt_chars), limit))
        self._pending.append((self.front_free_s, request_id, prompt, output_tokens))
        self._pending.sort()
        self._timings[request_id] = RequestTiming(sent_s)
        self.in_flight += 1

    def _admit_due(self) -> None:
        while self._pending and self._pending[0][0] <= self.clock_s:
            _, request_id, prompt, output = self._pending.pop(0)
            self.engine.add(request_id, prompt, output)

    def advance_to(self, until_s: float) -> list[Finished]:
        """Run every iteration that starts before ``until_s``; the requests that finished."""
        finished: list[Finished] = []
        while self.clock_s < until_s:
            self._admit_due()
            iteration = self.engine.step()
            if iteration is None:
                next_s = self._pending[0][0] if self._pending else until_s
                self.clock_s = max(self.clock_s, min(next_s, until_s))
                if not self._pending or next_s >= until_s:
                    break
                continue
            record(self._timings, iteration, self.clock_s)
            self.clock_s += iteration.duration_s
            for request_id in iteration.finished:
                finished.append(Finished(request_id, self._timings.pop(request_id)))
        return finished

    def idle(self) -> bool:
        return not self._pending and not self.engine.num_running and not self.engine.num_waiting

    def drain(self) -> list[Finished]:
        """Run until every submitted request has finished."""
        finished: list[Finished] = []
        while not self.idle():
            horizon = max(self.clock_s, self._pending[-1][0] if self._pending else 0.0) + 60.0
            finished += self.advance_to(horizon)
        return finished

    def observe(self, ttft_s: float, tpot_s: float) -> None:
        """The orchestrator measured a finished request on this tier."""
        self.in_flight -= 1
        self.ttft_s.update(ttft_s)
        if tpot_s > 0:
            self.tpot_s.update(tpot_s)

    def fork(self) -> SimTier:
        """An independent copy (the oracle tries an option on it)."""
        return copy.deepcopy(self)
