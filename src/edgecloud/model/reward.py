"""The reward of one offloading decision (ARCHITECTURE.md section 1)."""

from __future__ import annotations

DEFAULT_VIOLATION_PENALTY_S = 10.0


def reward(
    service_delay_s: float,
    quality_violated: bool,
    violation_penalty_s: float = DEFAULT_VIOLATION_PENALTY_S,
) -> float:
    """``-(service delay) - beta * [quality requirement violated]``, beta in seconds."""
    return -service_delay_s - (violation_penalty_s if quality_violated else 0.0)
