"""Fit the step-time model to measured requests: non-negative least squares on relative errors.

Each measurement gives rows ``x . (a, b, c, d, e, overhead) = seconds``:

- a request sent alone: its time to first token is the API overhead plus one prefill iteration,
  ``overhead + a + b * P + e * P (P + 1) / 2`` for a prompt of ``P`` tokens;
- requests sent together, all decoding: the median gap between their middle tokens is one decode
  iteration, ``a + c * n + d * context`` for ``n`` sequences holding ``context`` tokens.

Rows are divided by their measured value, so a 20 ms gap weighs as much as a 2 s prefill, and the
coefficients are kept non-negative (``scipy.optimize.nnls``): a negative cost has no meaning.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from scipy.optimize import nnls

from edgecloud.llm.emulated.profile import ApiTiming, SchedulerLimits, StepCoefficients
from edgecloud.model.engine import prefill_pairs

from .measure import Measurement
from .refine import refine


@dataclass(frozen=True, slots=True)
class FitResult:
    step: StepCoefficients
    api: ApiTiming
    rows: int
    rms_relative_error: float  # of the first stage's rows
    worst_cell_error: float  # of the replayed cells' medians after the second stage


def _decode_rows(
    measurements: list[Measurement],
) -> list[tuple[list[float], float]]:
    """One row per batch of requests sent together (same concurrency and start)."""
    batches: dict[int, list[Measurement]] = defaultdict(list)
    for m in measurements:
        batches[m.batch].append(m)
    rows = []
    for batch in batches.values():
        concurrency = len(batch)
        # Skip the first tokens (others may still be in their prefill) and the last ones.
        window = [g for m in batch for g in m.gaps_s[len(m.gaps_s) // 4 : 3 * len(m.gaps_s) // 4]]
        if not window:
            continue
        middle_token = len(batch[0].token_times_s) // 2
        context = sum(m.prompt_tokens + middle_token for m in batch)
        row = [1.0, 0.0, float(concurrency), float(context), 0.0, 0.0]
        rows.append((row, statistics.median(window)))
    return rows


def _prefill_rows(measurements: list[Measurement]) -> list[tuple[list[float], float]]:
    alone = [m for m in measurements if m.concurrency == 1]
    return [
        ([1.0, float(p), 0.0, 0.0, float(prefill_pairs(0, p)), 1.0], m.ttft_s)
        for m in alone
        for p in (m.prompt_tokens,)
    ]


def _tokenizer(measurements: list[Measurement]) -> ApiTiming:
    chars = np.array([m.prompt_chars for m in measurements], dtype=float)
    tokens = np.array([m.prompt_tokens for m in measurements], dtype=float)
    design = np.column_stack([np.ones_like(chars), chars])
    (template, per_char), *_ = np.linalg.lstsq(design, tokens, rcond=None)
    return ApiTiming(template_tokens=max(0, round(template)), chars_per_token=1.0 / per_char)


def fit_profile(measurements: list[Measurement], limits: SchedulerLimits) -> FitResult:
    """Both stages: isolated iterations by non-negative least squares, then the replay."""
    first = _first_stage(measurements)
    step, api, worst = refine(first.step, first.api, limits, measurements)
    return FitResult(step, api, first.rows, first.rms_relative_error, worst)


def _first_stage(measurements: list[Measurement]) -> FitResult:
    rows = _prefill_rows(measurements) + _decode_rows(measurements)
    if len(rows) < 6:
        raise ValueError("too few measurements to fit six coefficients")
    design = np.array([x for x, _ in rows])
    seconds = np.array([y for _, y in rows])
    weighted = design / seconds[:, None]
    solution, _ = nnls(weighted, np.ones_like(seconds))
    base, prefill, decode, context, pairs, overhead = (float(v) for v in solution)
    residual = weighted @ solution - 1.0
    tokenizer = _tokenizer(measurements)
    return FitResult(
        step=StepCoefficients(
            base_s=base,
            per_prefill_token_s=prefill,
            per_decode_seq_s=decode,
            per_context_token_s=context,
            per_prefill_pair_s=pairs,
        ),
        api=ApiTiming(
            request_overhead_s=overhead,
            template_tokens=tokenizer.template_tokens,
            chars_per_token=tokenizer.chars_per_token,
        ),
        rows=len(rows),
        rms_relative_error=float(np.sqrt(np.mean(residual**2))),
        worst_cell_error=float("nan"),
    )
