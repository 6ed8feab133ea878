"""Policies by name. A new policy is one class plus one line here."""

from __future__ import annotations

import random
from collections.abc import Callable

from .base import Policy
from .baseline import CloudOnly, EdgeOnly, RandomChoice
from .greedy import Greedy
from .knn import KNearest
from .round_robin import RoundRobin

PolicyFactory = Callable[[random.Random], Policy]

_FACTORIES: dict[str, PolicyFactory] = {
    EdgeOnly.name: lambda rng: EdgeOnly(),
    CloudOnly.name: lambda rng: CloudOnly(),
    RandomChoice.name: lambda rng: RandomChoice(rng),
    Greedy.name: lambda rng: Greedy(),
    RoundRobin.name: lambda rng: RoundRobin(),
    KNearest.name: lambda rng: KNearest(),
}


class UnknownPolicyError(KeyError):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name

    def __str__(self) -> str:
        return f"unknown policy {self.name!r}; known: {', '.join(policy_names())}"


def has_policy(name: str) -> bool:
    return name in _FACTORIES


def policy_names() -> list[str]:
    return sorted(_FACTORIES)


def create_policy(name: str, rng: random.Random) -> Policy:
    try:
        factory = _FACTORIES[name]
    except KeyError as exc:
        raise UnknownPolicyError(name) from exc
    return factory(rng)
