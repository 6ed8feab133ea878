"""Open-loop replay of a request schedule through the radio emulator, as the UEs would send it.

Each request leaves at its scheduled time whatever the others are doing (an open loop: a slow
testbed queues work rather than slowing the arrivals). It streams, asks for exactly its answer
length (``max_tokens`` with ``ignore_eos``) and carries its task type and quality requirement as
metadata, so that neither the classifier nor an engine's end-of-sequence changes the workload
between policies. What the UE sees is kept: the request id the radio emulator assigned, the status,
the time to the first content chunk and to the end.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import httpx

from edgecloud.api import headers as h
from edgecloud.sim.schedule import ScheduledRequest

# A request that has not finished this long after it left is abandoned (and counted failed).
REQUEST_TIMEOUT_S = 300.0


@dataclass(frozen=True, slots=True)
class Sent:
    """One request as its UE saw it."""

    index: int
    request_id: str | None
    status_code: int  # 0: no HTTP answer at all
    late_s: float  # how long after its scheduled time it left (the replay's own lag)
    ttft_s: float | None  # request sent to first content chunk
    e2e_s: float  # request sent to last byte (or to the failure)
    content_chunks: int
    completed: bool  # the stream ended with [DONE]
    error: str | None = None


def request_body(request: ScheduledRequest) -> dict[str, object]:
    return {
        "model": "auto",
        "messages": [{"role": "user", "content": request.prompt}],
        "max_tokens": request.max_tokens,
        "ignore_eos": True,
        "stream": True,
        "stream_options": {"include_usage": True},
        "metadata": {
            "task_type": request.task_type.value,
            "quality_required": f"{request.quality_required:g}",
        },
    }


def _has_content(line: str) -> bool:
    try:
        chunk = json.loads(line.removeprefix("data:").strip())
    except json.JSONDecodeError:
        return False
    choices = chunk.get("choices") or []
    return any((c.get("delta") or {}).get("content") for c in choices)


async def send_one(
    client: httpx.AsyncClient, request: ScheduledRequest, policy: str, tag: str, late_s: float
) -> Sent:
    headers = {h.UE_ID: request.ue_id, h.POLICY: policy, h.CLIENT_REQUEST_ID: tag}
    started = time.perf_counter()
    ttft_s: float | None = None
    chunks = 0
    status, request_id, done = 0, None, False
    try:
        async with client.stream(
            "POST", "/v1/chat/completions", json=request_body(request), headers=headers
        ) as reply:
            status, request_id = reply.status_code, reply.headers.get(h.REQUEST_ID)
            if status != 200:
                await reply.aread()
                return Sent(
                    request.index, request_id, status, late_s, None,
                    time.perf_counter() - started, 0, False, reply.text[:200],
                )  # fmt: skip
            async for line in reply.aiter_lines():
                if line.startswith("data:") and line.strip() == "data: [DONE]":
                    done = True
                elif line.startswith("data:") and _has_content(line):
                    chunks += 1
                    if ttft_s is None:
                        ttft_s = time.perf_counter() - started
    except httpx.HTTPError as exc:
        return Sent(
            request.index, request_id, status, late_s, ttft_s,
            time.perf_counter() - started, chunks, False, f"{type(exc).__name__}: {exc}"[:200],
        )  # fmt: skip
    return Sent(
        request.index, request_id, status, late_s, ttft_s, time.perf_counter() - started,
        chunks, done, None if done else "the stream ended without [DONE]",
    )  # fmt: skip


async def replay(
    client: httpx.AsyncClient,
    requests: Sequence[ScheduledRequest],
    policy: str,
    run_tag: str,
    on_done: Callable[[Sent], None] | None = None,
) -> list[Sent]:
    """Send every request at its time (relative to now); the results in schedule order."""
    start = time.perf_counter()
    tasks: list[asyncio.Task[Sent]] = []

    async def timed(request: ScheduledRequest) -> Sent:
        late_s = time.perf_counter() - start - request.at_s
        sent = await send_one(client, request, policy, f"{run_tag}-{request.index}", late_s)
        if on_done is not None:
            on_done(sent)
        return sent

    for request in sorted(requests, key=lambda r: r.at_s):
        delay_s = start + request.at_s - time.perf_counter()
        if delay_s > 0:
            await asyncio.sleep(delay_s)
        tasks.append(asyncio.create_task(timed(request)))
    results = await asyncio.gather(*tasks)
    return sorted(results, key=lambda s: s.index)


def client_for(radio_url: str, max_streams: int) -> httpx.AsyncClient:
    """One connection per concurrent stream, no pool wait, a read timeout per chunk."""
    limits = httpx.Limits(max_connections=max_streams, max_keepalive_connections=max_streams)
    timeout = httpx.Timeout(REQUEST_TIMEOUT_S, connect=10.0, pool=None)
    return httpx.AsyncClient(base_url=radio_url, limits=limits, timeout=timeout)
