"""What a fault does to a service, and what every backend (local stack, compose) offers."""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol


class FaultError(Exception):
    """A fault could not be applied (unknown service, not supported where it runs, ...)."""


class Action(StrEnum):
    KILL = "kill"  # SIGKILL; the supervisor (or the restart policy) brings it back
    STOP = "stop"  # graceful stop; stays down until `start`
    START = "start"
    PAUSE = "pause"  # frozen (SIGSTOP, docker pause): connections hang rather than fail
    RESUME = "resume"
    CUT = "cut"  # network cut: connections fail; `reconnect` ends it
    RECONNECT = "reconnect"


# What ends a fault that lasts (a campaign step with a duration).
UNDO: dict[Action, Action] = {
    Action.STOP: Action.START,
    Action.PAUSE: Action.RESUME,
    Action.CUT: Action.RECONNECT,
}


class Backend(Protocol):
    """Where the services run."""

    def services(self) -> list[str]:
        """The names faults can target."""
        ...

    def apply(self, action: Action, service: str) -> None:
        """Do ``action`` to ``service``; FaultError when it cannot be done there."""
        ...
