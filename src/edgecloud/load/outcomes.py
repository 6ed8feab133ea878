"""Per-request outcomes of a live run (what the UE saw joined with the history record), and the
per-policy summary the simulator's experiments also write.

Every scheduled request gives exactly one outcome. A request that succeeded must have exactly one
history record: none is ``missing`` and more than one ``duplicated``, both counted, never hidden.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

from edgecloud.sim.scenario import Slo
from edgecloud.sim.schedule import Schedule

from .replay import Sent


@dataclass(frozen=True, slots=True)
class Outcome:
    seed: int
    policy: str
    index: int
    ue_id: str
    task_type: str
    max_tokens: int
    request_id: str
    status_code: int
    ok: bool  # the UE got the whole answer and the history has its record
    records: int  # history records with its id: 1 when ok
    route: str
    late_s: float
    ttft_s: float  # as the UE saw it (NaN when it got no content)
    e2e_s: float  # as the UE saw it
    delay_s: float  # the record's end-to-end delay (the simulator's delay)
    cost_s: float  # delay plus the violation penalty: minus the reward
    violated: bool
    slo_met: bool
    decision_s: float
    queue_s: float
    uplink_s: float
    backhaul_s: float
    engine_ttft_s: float
    decode_s: float
    downlink_s: float
    completion_tokens: int
    error: str


def join(
    schedule: Schedule,
    policy: str,
    sent: Sequence[Sent],
    records: Mapping[str, list[dict[str, Any]]],
    slo: Slo,
) -> list[Outcome]:
    by_index = {s.index: s for s in sent}
    out = []
    nan = float("nan")
    for request in schedule.requests:
        s = by_index[request.index]
        found = records.get(s.request_id or "", [])
        record = found[0] if found else None
        ok = s.status_code == 200 and s.completed and len(found) == 1 and record is not None
        parts = record["parts"] if record else {}
        error = s.error or ""
        if s.status_code == 200 and s.completed and not found:
            error = "no history record"
        elif len(found) > 1:
            error = f"{len(found)} history records"
        ttft_s = s.ttft_s if s.ttft_s is not None else nan
        delay_s = float(record["total_s"]) if record else nan
        out.append(
            Outcome(
                seed=schedule.seed,
                policy=policy,
                index=request.index,
                ue_id=request.ue_id,
                task_type=request.task_type.value,
                max_tokens=request.max_tokens,
                request_id=s.request_id or "",
                status_code=s.status_code,
                ok=ok,
                records=len(found),
                route=record["route"] if record else "",
                late_s=s.late_s,
                ttft_s=ttft_s,
                e2e_s=s.e2e_s,
                delay_s=delay_s,
                cost_s=-float(record["reward"]) if record else nan,
                violated=bool(record["quality_violated"]) if record else False,
                slo_met=ok and ttft_s <= slo.ttft_s and s.e2e_s <= slo.e2e_s,
                decision_s=float(parts.get("decision_s", nan)),
                queue_s=float(parts.get("queue_s", nan)),
                uplink_s=float(parts.get("uplink_s", nan)),
                backhaul_s=float(parts.get("backhaul_s", nan)),
                engine_ttft_s=float(parts.get("ttft_s", nan)),
                decode_s=float(parts.get("decode_s", nan)),
                downlink_s=float(parts.get("downlink_s", nan)),
                completion_tokens=int(record["completion_tokens"]) if record else 0,
                error=error,
            )
        )
    return out


# The simulator's columns (sim.experiments.FIELDS), then what only a live run has.
SUMMARY_FIELDS = [
    "factor", "value", "policy", "mean_cost_s", "mean_delay_s", "p95_delay_s", "violation_rate",
    "decision_time_s", "cloud_share", "requests", "failed", "missing_records",
    "duplicated_records", "goodput_rps", "slo_rate", "ttft_p50_s", "ttft_p95_s", "ttft_p99_s",
    "max_late_s",
]  # fmt: skip


def summarise(
    outcomes: Sequence[Outcome], policy: str, scenario: str, duration_s: float
) -> dict[str, object]:
    """One policy's row over every seed it ran."""
    mine = [o for o in outcomes if o.policy == policy]
    good = [o for o in mine if o.ok]
    seeds = len({o.seed for o in mine}) or 1

    def stat(values: list[float], fn: Any) -> float:
        return float(fn(values)) if values else float("nan")

    ttfts = [o.ttft_s for o in good]
    return {
        "factor": "scenario",
        "value": scenario,
        "policy": policy,
        "mean_cost_s": stat([o.cost_s for o in good], np.mean),
        "mean_delay_s": stat([o.delay_s for o in good], np.mean),
        "p95_delay_s": stat([o.delay_s for o in good], lambda v: np.percentile(v, 95)),
        "violation_rate": stat([float(o.violated) for o in good], np.mean),
        "decision_time_s": stat([o.decision_s for o in good], np.mean),
        "cloud_share": stat([float(o.route == "cloud") for o in good], np.mean),
        "requests": len(mine),
        "failed": sum(1 for o in mine if not o.ok),
        "missing_records": sum(1 for o in mine if o.status_code == 200 and o.records == 0),
        "duplicated_records": sum(1 for o in mine if o.records > 1),
        "goodput_rps": sum(1 for o in mine if o.slo_met) / (duration_s * seeds),
        "slo_rate": sum(1 for o in mine if o.slo_met) / len(mine) if mine else float("nan"),
        "ttft_p50_s": stat(ttfts, lambda v: np.percentile(v, 50)),
        "ttft_p95_s": stat(ttfts, lambda v: np.percentile(v, 95)),
        "ttft_p99_s": stat(ttfts, lambda v: np.percentile(v, 99)),
        "max_late_s": max((o.late_s for o in mine), default=0.0),
    }


def write_csv(path: Path, rows: Sequence[Mapping[str, object]], columns: Sequence[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns))
        writer.writeheader()
        writer.writerows(rows)


def write_outcomes(path: Path, outcomes: Sequence[Outcome]) -> None:
    write_csv(path, [asdict(o) for o in outcomes], [f.name for f in fields(Outcome)])


def result_line(rows: Sequence[Mapping[str, object]]) -> str:
    costs = " ".join(f"{r['policy']}={float(str(r['mean_cost_s'])):.3f}" for r in rows)
    goodput = " ".join(f"goodput_{r['policy']}={float(str(r['goodput_rps'])):.3f}" for r in rows)
    return f"RESULT live {costs} {goodput}"
