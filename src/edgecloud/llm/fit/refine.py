"""Second stage of the fit: tune the coefficients so the engine model, replaying the measured
requests, reproduces the measured medians of every cell.

The first stage (``solve``) reads iterations off isolated situations: a request alone, a batch in
steady decode. What it cannot see is how requests sent together interleave (prefills chunked
behind one another, a front end that prepares one request at a time). Here every measured batch is
replayed through the same pure model the emulated engine runs (``edgecloud.model.engine``), and
``scipy.optimize.least_squares`` minimises the log-ratio of modelled to measured median time to
first token and time per output token, per cell, from the first stage's answer.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict

import numpy as np
from scipy.optimize import least_squares

from edgecloud.llm.emulated.profile import ApiTiming, SchedulerLimits, StepCoefficients
from edgecloud.model.engine import BatchEngine, StepTimeModel
from edgecloud.model.engine_timeline import Arrival, front_end_arrivals, run

from .measure import Measurement

_FIELDS = (
    "base_s",
    "per_prefill_token_s",
    "per_decode_seq_s",
    "per_context_token_s",
    "per_prefill_pair_s",
    "per_prefill_seq_s",
)
# The unit each coefficient is tuned in when the first stage left it at zero, as a share of the
# step's base: what one prefill sequence, one 1000-token decode context, or a 1000-token prompt's
# attention would plausibly cost.
_ZERO_SCALE = (1.0, 1e-3, 1e-2, 1e-3, 2e-6, 1.0, 1.0)


def _cells(measurements: list[Measurement]) -> dict[tuple[int, int], list[list[Measurement]]]:
    """Measured batches grouped by cell (concurrency, prompt length asked for)."""
    batches: dict[int, list[Measurement]] = defaultdict(list)
    for m in measurements:
        batches[m.batch].append(m)
    cells: dict[tuple[int, int], list[list[Measurement]]] = defaultdict(list)
    for batch in batches.values():
        cells[(len(batch), batch[0].target_prompt_tokens)].append(batch)
    return cells


def _replay(
    batch: list[Measurement], step: StepTimeModel, overhead_s: float, limits: SchedulerLimits
) -> list[tuple[float, float]]:
    """Modelled (TTFT, TPOT) of each request of a batch sent to an idle engine."""
    first_sent_s = min(m.sent_s for m in batch)
    ordered = sorted(batch, key=lambda m: m.sent_s)
    sent = [m.sent_s - first_sent_s for m in ordered]
    at = front_end_arrivals(sent, overhead_s)
    arrivals = [
        Arrival(str(i), at_s, m.prompt_tokens, len(m.token_times_s))
        for i, (m, at_s) in enumerate(zip(ordered, at, strict=True))
    ]
    engine = BatchEngine(step, limits.engine_limits())
    done = run(engine, arrivals)
    return [
        (done[str(i)].token_times_s[0] - sent_s, done[str(i)].tpot_s)
        for i, sent_s in enumerate(sent)
    ]


def refine(
    step: StepCoefficients,
    api: ApiTiming,
    limits: SchedulerLimits,
    measurements: list[Measurement],
) -> tuple[StepCoefficients, ApiTiming, float]:
    """Tuned coefficients and overhead, and the worst per-cell relative error they leave."""
    cells = _cells(measurements)
    measured = {
        key: (
            statistics.fmean(m.ttft_s for b in batches for m in b),
            statistics.fmean(m.tpot_s for b in batches for m in b),
        )
        for key, batches in cells.items()
    }
    start = [getattr(step, name) for name in _FIELDS] + [api.request_overhead_s]
    base_s = max(step.base_s, 1e-3)
    scale = np.array(
        [v if v > 0 else unit * base_s for v, unit in zip(start, _ZERO_SCALE, strict=True)]
    )

    def modelled(x: np.ndarray) -> dict[tuple[int, int], tuple[float, float]]:
        values = x * scale
        model = StepTimeModel(*(float(v) for v in values[:-1]))
        out = {}
        for key, batches in cells.items():
            replayed = [r for b in batches for r in _replay(b, model, float(values[-1]), limits)]
            out[key] = (
                statistics.fmean(r[0] for r in replayed),
                statistics.fmean(r[1] for r in replayed),
            )
        return out

    def residuals(x: np.ndarray) -> np.ndarray:
        got = modelled(x)
        return np.array(
            [
                math.log(max(got[key][i], 1e-9) / measured[key][i])
                for key in sorted(measured)
                for i in (0, 1)
            ]
        )

    x0 = np.array([v / s for v, s in zip(start, scale, strict=True)])
    solution = least_squares(
        residuals, x0, bounds=(0.0, np.inf), diff_step=[0.05] * len(x0), max_nfev=200
    )
    values = [float(v) for v in solution.x * scale]
    worst = float(np.max(np.abs(np.expm1(residuals(solution.x)))))
    tuned = StepCoefficients(**dict(zip(_FIELDS, values[:-1], strict=True)))
    return tuned, api.model_copy(update={"request_overhead_s": values[-1]}), worst
