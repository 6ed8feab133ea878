"""Stream requests to an engine and time every token as the client sees it."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from .workload import Cell, FitWorkload, prompt


@dataclass(slots=True)
class Measurement:
    """One request: its cell, what the engine counted, and when each token arrived."""

    concurrency: int
    target_prompt_tokens: int  # the cell's; prompt_tokens is what the engine counted
    batch: int  # requests sent together share it
    prompt_chars: int
    prompt_tokens: int = 0
    sent_s: float = 0.0
    token_times_s: list[float] = field(default_factory=list)

    @property
    def ttft_s(self) -> float:
        return self.token_times_s[0] - self.sent_s

    @property
    def gaps_s(self) -> list[float]:
        t = self.token_times_s
        return [b - a for a, b in itertools.pairwise(t)]

    @property
    def tpot_s(self) -> float:
        t = self.token_times_s
        return (t[-1] - t[0]) / (len(t) - 1)

    @property
    def e2e_s(self) -> float:
        return self.token_times_s[-1] - self.sent_s


class MeasurementError(RuntimeError):
    """The engine did not answer a measurement request as asked."""


async def stream_one(
    client: httpx.AsyncClient, model: str, text: str, output_tokens: int, cell: Cell, batch: int
) -> Measurement:
    body = {
        "model": model,
        "messages": [{"role": "user", "content": text}],
        "max_tokens": output_tokens,
        "ignore_eos": True,
        "temperature": 0.0,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    result = Measurement(
        cell.concurrency, cell.prompt_tokens, batch, len(text), sent_s=time.monotonic()
    )
    async with client.stream("POST", "/v1/chat/completions", json=body) as reply:
        if reply.status_code != 200:
            raise MeasurementError(f"HTTP {reply.status_code}: {(await reply.aread())[:300]!r}")
        async for line in reply.aiter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            event = json.loads(line[6:])
            if event.get("usage"):
                result.prompt_tokens = int(event["usage"]["prompt_tokens"])
            for choice in event.get("choices", []):
                if (choice.get("delta") or {}).get("content"):
                    result.token_times_s.append(time.monotonic())
    if len(result.token_times_s) < 2 or not result.prompt_tokens:
        raise MeasurementError("a stream ended without tokens or usage")
    return result


async def run_cell(
    client: httpx.AsyncClient, model: str, cell: Cell, output_tokens: int, batch: int = 0
) -> list[Measurement]:
    """``concurrency`` requests sent together; each has a prompt of its own."""
    texts = [prompt(cell.prompt_tokens) for _ in range(cell.concurrency)]
    return list(
        await asyncio.gather(
            *(stream_one(client, model, t, output_tokens, cell, batch) for t in texts)
        )
    )


async def measure(
    url: str,
    model: str,
    workload: FitWorkload,
    on_request: Callable[[int], object] = lambda _: None,
    timeout_s: float = 300.0,
) -> list[Measurement]:
    """Every cell of the workload, rounds interleaved (all cells once, then again), so a slow
    minute of a shared machine spreads over every cell instead of spoiling one."""
    results: list[Measurement] = []
    async with httpx.AsyncClient(base_url=url, timeout=timeout_s) as client:
        await run_cell(client, model, Cell(1, 16), workload.output_tokens)  # warm-up
        batch = 0
        for _ in range(workload.rounds):
            for cell in workload.cells():
                batch += 1
                results.extend(await run_cell(client, model, cell, workload.output_tokens, batch))
                on_request(cell.concurrency)
    return results
