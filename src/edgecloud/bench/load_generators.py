"""Streaming-latency load generators for the benchmarks: httpx in process, or wrk (C)."""

from __future__ import annotations

import asyncio
import re
import subprocess
import time
from pathlib import Path

import httpx


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def latencies(url: str, concurrency: int, requests_each: int, tokens: int) -> list[float]:
    body = {
        "model": "auto",
        "messages": [{"role": "user", "content": "hi"}],
        "stream": True,
        "max_tokens": tokens,
    }
    headers = {"X-Policy": "greedy", "X-UE-Id": "bench"}
    out: list[float] = []
    limits = httpx.Limits(max_connections=concurrency + 4)

    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:

        async def worker() -> None:
            for _ in range(requests_each):
                started = time.perf_counter()
                async with client.stream(
                    "POST", "/v1/chat/completions", json=body, headers=headers
                ) as reply:
                    async for _ in reply.aiter_raw():
                        pass
                    assert reply.status_code == 200
                out.append(time.perf_counter() - started)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return out


WRK_SCRIPT = """wrk.method = "POST"
wrk.body = '{"model": "auto", "stream": true, "max_tokens": %d, '
    .. '"messages": [{"role": "user", "content": "hi"}]}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Policy"] = "greedy"
wrk.headers["X-UE-Id"] = "bench"
-- Spread the first request of each connection over one response time (0 for a synchronized start).
local first_requests = 0
function delay()
  if first_requests < %d then
    first_requests = first_requests + 1
    return math.random(0, %d)
  end
  return 0
end
"""
_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


def wrk_percentiles(
    url: str, concurrency: int, seconds: int, tokens: int, work: Path, spread_ms: int
) -> dict[int, float]:
    """p50 and p99 latency from wrk (C, one thread): the load generator takes little CPU."""
    script = work / "bench.lua"
    script.write_text(WRK_SCRIPT % (tokens, concurrency, spread_ms))
    result = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{concurrency}",
            f"-d{seconds}s",
            "--latency",
            "--timeout",
            "30s",
            "-s",
            str(script),
            f"{url}/v1/chat/completions",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    found = {}
    for match in re.finditer(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s|m)\s*$", result.stdout, re.M):
        found[int(match[1])] = float(match[2]) * _UNITS[match[3]]
    if set(found) != {50, 99}:
        raise RuntimeError(f"unexpected wrk output:\n{result.stdout}")
    return found
