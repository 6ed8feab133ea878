"""A scripted fault campaign: a TOML file of steps, run against a backend on a clock.

[[fault]]
at_s = 30
action = "kill"
service = "edge-llm"

[[fault]]
at_s = 60
action = "stop"
service = "redis"
duration_s = 60      # then `start` (pause: resume, cut: reconnect)
"""

from __future__ import annotations

import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .actions import UNDO, Action, Backend


class Step(BaseModel):
    model_config = ConfigDict(extra="forbid")

    at_s: float = Field(ge=0, description="from the campaign's start")
    action: Action
    service: str = Field(min_length=1)
    duration_s: float | None = Field(default=None, gt=0, description="then undone")

    @model_validator(mode="after")
    def _undoable(self) -> Step:
        if self.duration_s is not None and self.action not in UNDO:
            raise ValueError(f"{self.action} has no end: only {sorted(UNDO)} take a duration")
        return self


class Campaign(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fault: list[Step] = Field(min_length=1)


def load_campaign(path: Path) -> Campaign:
    return Campaign.model_validate(tomllib.loads(path.read_text()))


@dataclass(frozen=True, slots=True)
class Event:
    at_s: float
    action: Action
    service: str


def timeline(campaign: Campaign) -> list[Event]:
    """Every action the campaign takes, the undoing of lasting faults included, in time order."""
    events = [Event(s.at_s, s.action, s.service) for s in campaign.fault]
    events += [
        Event(s.at_s + s.duration_s, UNDO[s.action], s.service)
        for s in campaign.fault
        if s.duration_s is not None
    ]
    return sorted(events, key=lambda e: e.at_s)


def run_campaign(
    backend: Backend,
    campaign: Campaign,
    on_event: Callable[[Event, float, float], None] = lambda event, begun_s, done_s: None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    start: float | None = None,
) -> list[tuple[Event, float, float]]:
    """Apply each event at its time (seconds from ``start`` on ``clock``, default now); returns
    each with when its application began and ended (a graceful stop takes a while)."""
    start = clock() if start is None else start
    applied = []
    for event in timeline(campaign):
        wait_s = event.at_s - (clock() - start)
        if wait_s > 0:
            sleep(wait_s)
        begun_s = clock() - start
        backend.apply(event.action, event.service)
        done_s = clock() - start
        applied.append((event, begun_s, done_s))
        on_event(event, begun_s, done_s)
    return applied
