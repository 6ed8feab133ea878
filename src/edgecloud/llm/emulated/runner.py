"""The engine model in real time: one task runs its iterations, each request awaits its tokens.

An iteration's tokens are delivered when its duration has passed. The next iteration is timed from
the previous one's planned end, not from when the event loop woke up, so a late wake-up does not
add to every later step (only arrivals during an iteration wait for the next one, as in vLLM).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Protocol

from edgecloud.model.engine import BatchEngine, Iteration

# How far behind the loop may be and still catch up (beyond it, time starts again from now).
MAX_LAG_S = 0.02


@dataclass(frozen=True, slots=True)
class Token:
    """One output token reached its request at ``at_s`` (monotonic); ``last`` ends the answer."""

    index: int
    at_s: float
    last: bool


class IterationObserver(Protocol):
    def started(self, request_id: str, at_s: float) -> None: ...

    def iteration(self, iteration: Iteration, engine: BatchEngine) -> None: ...

    def preempted(self, count: int) -> None: ...


class EngineRunner:
    def __init__(
        self,
        engine: BatchEngine,
        observer: IterationObserver,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.engine = engine
        self._observer = observer
        self._clock = clock
        self._streams: dict[str, asyncio.Queue[Token]] = {}
        self._generated: dict[str, int] = {}
        self._work = asyncio.Event()

    async def generate(
        self, request_id: str, prompt_tokens: int, output_tokens: int
    ) -> AsyncIterator[Token]:
        """The request's tokens as the engine produces them; leaving early aborts it."""
        self.engine.add(request_id, prompt_tokens, output_tokens)
        stream: asyncio.Queue[Token] = asyncio.Queue()
        self._streams[request_id] = stream
        self._generated[request_id] = 0
        self._work.set()
        try:
            while True:
                token = await stream.get()
                yield token
                if token.last:
                    return
        finally:
            self._streams.pop(request_id, None)
            self._generated.pop(request_id, None)
            self.engine.abort(request_id)  # a no-op once it finished

    async def run(self) -> None:
        """Run iterations while there is work, for ever (the app's lifespan owns this task)."""
        planned_end_s: float | None = None
        while True:
            iteration = self.engine.step()
            if iteration is None:
                planned_end_s = None
                self._work.clear()
                await self._work.wait()
                continue
            now_s = self._clock()
            # Busy: this iteration began when the last one ended, unless the loop fell far behind.
            start_s = now_s if planned_end_s is None else max(planned_end_s, now_s - MAX_LAG_S)
            for request_id in iteration.started:
                self._observer.started(request_id, start_s)
            planned_end_s = start_s + iteration.duration_s
            await asyncio.sleep(max(0.0, planned_end_s - self._clock()))
            self._deliver(iteration, planned_end_s)
            self._observer.iteration(iteration, self.engine)
            if iteration.preempted:
                self._observer.preempted(len(iteration.preempted))

    def _deliver(self, iteration: Iteration, at_s: float) -> None:
        finished = set(iteration.finished)
        for request_id in iteration.sampled:
            stream = self._streams.get(request_id)
            if stream is None:
                continue  # aborted while the iteration ran
            index = self._generated[request_id]
            self._generated[request_id] = index + 1
            stream.put_nowait(Token(index, at_s, request_id in finished))
