"""What a fault campaign did to the requests: each failure told by what it met, records checked.

A failed request whose interval (sent to failed) contains the kill of a process that serves
streams (an engine, an orchestrator replica) and that had its answer's head before the kill was a
stream already running when its process died. One that overlaps the radio emulator's own downtime
was refused by a stopped radio. Every other failure is ``failed_not_started``: the testbed should
have served it (a failover, the spool or a replica should have covered the fault).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from edgecloud.faults import Action
from edgecloud.load.replay import Sent

RADIO = "radio-emulator"


@dataclass(frozen=True, slots=True)
class Window:
    """A fault on ``service``, in seconds since the load started: ordered at ``start_s``, in effect
    by ``applied_s`` (a kill is an instant in between), serving again at ``end_s``."""

    service: str
    action: Action
    start_s: float
    applied_s: float
    end_s: float


@dataclass(frozen=True, slots=True)
class Sample:
    """A request's interval as the UE saw it, in seconds since the load started."""

    sent: Sent
    start_s: float

    @property
    def end_s(self) -> float:
        return self.start_s + self.sent.e2e_s

    @property
    def ok(self) -> bool:
        return self.sent.status_code == 200 and self.sent.completed


def classify(sample: Sample, windows: Iterable[Window]) -> str:
    """``ok``, ``running_stream``, ``radio_down`` or ``failed_not_started``."""
    if sample.ok:
        return "ok"
    windows = list(windows)
    had_head = sample.sent.status_code == 200
    for w in windows:
        killed = w.action is Action.KILL and w.service != RADIO
        if killed and had_head and sample.start_s <= w.applied_s and w.start_s <= sample.end_s:
            return "running_stream"
    for w in windows:
        if w.service == RADIO and sample.start_s <= w.end_s and w.start_s <= sample.end_s:
            return "radio_down"
    return "failed_not_started"


@dataclass(frozen=True, slots=True)
class FaultOutcome:
    requests: int
    by_kind: dict[str, int]
    records_expected: int
    records_lost: int
    records_duplicated: int

    @property
    def failed(self) -> int:
        return self.requests - self.by_kind.get("ok", 0)

    def result_line(self, recovery_max_s: float) -> str:
        k = self.by_kind
        return (
            f"RESULT faults requests={self.requests} failed={self.failed} "
            f"failed_not_started={k.get('failed_not_started', 0)} "
            f"radio_down={k.get('radio_down', 0)} records_lost={self.records_lost} "
            f"recovery_max_s={recovery_max_s:.1f}"
        )


def outcome(
    samples: Sequence[Sample], windows: Sequence[Window], records: dict[str, int]
) -> FaultOutcome:
    """``records``: how many history records each answered request's id has."""
    kinds = Counter(classify(s, windows) for s in samples)
    answered = [s.sent.request_id for s in samples if s.ok and s.sent.request_id is not None]
    return FaultOutcome(
        requests=len(samples),
        by_kind=dict(kinds),
        records_expected=len(answered),
        records_lost=sum(1 for rid in answered if records.get(rid, 0) == 0),
        records_duplicated=sum(1 for rid in answered if records.get(rid, 0) > 1),
    )
