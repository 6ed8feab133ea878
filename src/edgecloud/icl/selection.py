"""Choosing the in-context examples from the experience pool (pure).

State-based selection: when past decisions exist in the same discrete state, take them. Otherwise
ranking-based selection: score = reward - tau * distance(state, target) over the pool of the same
task type. Either way the best-scoring examples are shown as *recommended* and the worst as
*inadvisable* (the paper's companion, arXiv 2408.00214).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from edgecloud.policies.experience import Experience, StateSummary, distance


class SelectionMethod(StrEnum):
    STATE = "state"
    RANKING = "ranking"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Examples:
    recommended: tuple[Experience, ...]
    inadvisable: tuple[Experience, ...]
    method: SelectionMethod


def select_examples(
    pool: Sequence[Experience],
    target: StateSummary,
    n_recommended: int = 4,
    n_inadvisable: int = 2,
    tau: float = 1.0,
) -> Examples:
    same_type = [e for e in pool if e.summary.task_type is target.task_type]
    matching = [e for e in same_type if e.summary.key() == target.key()]
    if matching:
        method, candidates = SelectionMethod.STATE, matching

        def score(e: Experience) -> float:
            return e.reward
    elif same_type:
        method, candidates = SelectionMethod.RANKING, same_type

        def score(e: Experience) -> float:
            return e.reward - tau * distance(e.summary, target)
    else:
        return Examples((), (), SelectionMethod.NONE)
    ranked = sorted(candidates, key=score, reverse=True)
    recommended = tuple(ranked[:n_recommended])
    rest = [e for e in ranked[n_recommended:] if e not in recommended]
    inadvisable = tuple(rest[-n_inadvisable:]) if n_inadvisable else ()
    return Examples(recommended, tuple(reversed(inadvisable)), method)
