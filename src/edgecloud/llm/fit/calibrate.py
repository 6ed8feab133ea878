"""``edgecloud llm fit``: measure an engine, fit the step model, and write a profile."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime

import httpx
from tqdm import tqdm

from edgecloud.llm.emulated.profile import EngineProfile, SchedulerLimits

from .measure import Measurement, measure
from .solve import FitResult
from .workload import FitWorkload

_CACHE_INFO = re.compile(r"^vllm:cache_config_info\{(?P<labels>[^}]*)\}", re.M)


def engine_limits(
    url: str, model: str, max_num_seqs: int, max_num_batched_tokens: int
) -> SchedulerLimits:
    """What the engine says of itself: max_model_len from /v1/models, KV blocks from vLLM's
    ``vllm:cache_config_info``; the scheduler's two bounds are the caller's (vLLM does not
    publish them; its CPU server defaults are 128 sequences and 2048 tokens)."""
    with httpx.Client(base_url=url, timeout=10) as client:
        cards = client.get("/v1/models").raise_for_status().json()["data"]
        max_model_len = next(int(c.get("max_model_len", 2048)) for c in cards if c["id"] == model)
        exposition = client.get("/metrics").text
    labels: dict[str, str] = {}
    found = _CACHE_INFO.search(exposition)
    if found:
        labels = dict(re.findall(r'(\w+)="([^"]*)"', found["labels"]))
    block_size = int(labels.get("block_size", 16))
    kv_blocks = int(labels.get("num_gpu_blocks") or max_model_len // block_size + 1)
    return SchedulerLimits(
        max_num_seqs=max_num_seqs,
        max_num_batched_tokens=max_num_batched_tokens,
        kv_blocks=kv_blocks,
        block_size=block_size,
        max_model_len=max_model_len,
    )


def measure_with_progress(url: str, model: str, workload: FitWorkload) -> list[Measurement]:
    with tqdm(total=workload.requests(), unit="req", desc=f"measuring {model}") as bar:
        return asyncio.run(measure(url, model, workload, bar.update))


def profile_from_fit(
    fit: FitResult, name: str, model: str, limits: SchedulerLimits, url: str
) -> EngineProfile:
    when = datetime.now(UTC).strftime("%Y-%m-%d")
    return EngineProfile(
        name=name,
        description=f"{model} as measured at {url}",
        source=(
            f"fitted by `edgecloud llm fit` on {when} ({fit.rows} measured iterations; replayed, "
            f"the worst cell's mean is {fit.worst_cell_error:.3f} off)"
        ),
        served_model_name=model,
        step=fit.step,
        limits=limits,
        api=fit.api,
    )
