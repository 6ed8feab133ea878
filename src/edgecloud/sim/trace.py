"""Request traces in the Azure LLM inference trace 2023 format, their slices and their scaling.

Format: a CSV with ``TIMESTAMP,ContextTokens,GeneratedTokens`` (``2023-11-16 18:15:46.6805900``:
seven digits of fraction, more than ``datetime`` parses). The project ships a slice of the
conversation trace (``loadtest/traces/``, CC-BY 4.0, with its attribution).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

COLUMNS = ("TIMESTAMP", "ContextTokens", "GeneratedTokens")


class TraceError(ValueError):
    """A trace file that cannot be read."""


@dataclass(frozen=True, slots=True)
class TraceRequest:
    at_s: float  # since the trace's first request
    context_tokens: int
    generated_tokens: int


def parse_timestamp(text: str) -> datetime:
    day, _, fraction = text.strip().partition(".")
    return datetime.fromisoformat(f"{day}.{(fraction or '0')[:6].ljust(6, '0')}")


def read_trace(path: Path) -> list[TraceRequest]:
    """The requests of a trace file, times relative to its first request, in time order."""
    try:
        with path.open(newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise TraceError(f"cannot read trace {path}: {exc}") from exc
    if not rows:
        raise TraceError(f"trace {path} has no requests")
    if set(COLUMNS) - set(rows[0]):
        raise TraceError(f"trace {path} needs the columns {', '.join(COLUMNS)}")
    try:
        stamps = [parse_timestamp(row["TIMESTAMP"]) for row in rows]
        tokens = [(int(row["ContextTokens"]), int(row["GeneratedTokens"])) for row in rows]
    except ValueError as exc:
        raise TraceError(f"trace {path}: {exc}") from exc
    start = min(stamps)
    requests = [
        TraceRequest((stamp - start).total_seconds(), context, generated)
        for stamp, (context, generated) in zip(stamps, tokens, strict=True)
    ]
    return sorted(requests, key=lambda r: r.at_s)


def scaled(
    requests: Iterable[TraceRequest], time_scale: float, token_scale: float, duration_s: float
) -> list[TraceRequest]:
    """Times times ``time_scale``, token counts times ``token_scale`` (at least one), cut at
    ``duration_s``."""
    out = []
    for request in requests:
        at_s = request.at_s * time_scale
        if at_s >= duration_s:
            break
        out.append(
            TraceRequest(
                at_s,
                max(1, round(request.context_tokens * token_scale)),
                max(1, round(request.generated_tokens * token_scale)),
            )
        )
    return out


def write_slice(source: Path, target: Path, start_s: float, length_s: float) -> int:
    """Copy the rows of ``source`` in [start_s, start_s + length_s) to ``target``, unchanged."""
    with source.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        raise TraceError(f"trace {source} has no requests")
    first = min(parse_timestamp(row["TIMESTAMP"]) for row in rows)
    kept: Sequence[dict[str, str]] = [
        row
        for row in rows
        if start_s
        <= (parse_timestamp(row["TIMESTAMP"]) - first).total_seconds()
        < start_s + length_s
    ]
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows({column: row[column] for column in COLUMNS} for row in kept)
    return len(kept)
