"""Which fault, if any, a request meets: one draw per request over the configured rates."""

from __future__ import annotations

from collections.abc import Mapping
from random import Random

from .settings import FaultKind


class FaultInjector:
    def __init__(self, rates: Mapping[FaultKind, float], rng: Random) -> None:
        self._rates = dict(rates)
        self._rng = rng

    def draw(self) -> FaultKind | None:
        if not self._rates:
            return None
        point = self._rng.random()
        for kind, rate in self._rates.items():
            if point < rate:
                return kind
            point -= rate
        return None
