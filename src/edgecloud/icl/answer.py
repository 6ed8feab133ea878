"""Reading the decision LLM's answer: strict parsing, log-probability scores, calibration (pure)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from edgecloud.model.tasks import Route


class InvalidAnswerError(ValueError):
    """The decision LLM answered something that is not exactly one allowed choice."""


def parse_choice(text: str) -> Route:
    """Exactly ``edge`` or ``cloud`` (surrounding whitespace allowed, nothing else)."""
    word = text.strip()
    for route in Route:
        if word == route.value:
            return route
    raise InvalidAnswerError(f"not an allowed choice: {text[:40]!r}")


def choice_probabilities(top_logprobs: Iterable[tuple[str, float]]) -> dict[Route, float]:
    """Probability mass of the first answer token on each choice.

    A token counts for a choice when, stripped and lower-cased, it is a non-empty prefix of the
    choice's word ("ed", "edge", " Cloud"); the two words share no first letter.
    """
    mass = dict.fromkeys(Route, 0.0)
    for token, logprob in top_logprobs:
        word = token.strip().lower()
        if not word:
            continue
        for route in Route:
            if route.value.startswith(word):
                mass[route] += math.exp(logprob)
    return mass


def calibrate(
    probabilities: Mapping[Route, float], content_free: Mapping[Route, float]
) -> dict[Route, float]:
    """Contextual calibration (Zhao et al., 2021): divide by the content-free prior, renormalise."""
    floor = 1e-6
    raw = {r: probabilities.get(r, 0.0) / max(content_free.get(r, 0.0), floor) for r in Route}
    total = sum(raw.values())
    if total <= 0:
        raise InvalidAnswerError("no probability on any allowed choice")
    return {r: v / total for r, v in raw.items()}


def best(scores: Mapping[Route, float]) -> Route:
    if not any(v > 0 for v in scores.values()):
        raise InvalidAnswerError("no probability on any allowed choice")
    return max(Route, key=lambda r: scores.get(r, 0.0))
