"""Baselines with no model of the system: edge-only, cloud-only and random."""

from __future__ import annotations

import random

from edgecloud.model.tasks import Route

from .base import Decision, TaskState


class EdgeOnly:
    name = "edge-only"
    uses_pool = False

    def decide(self, state: TaskState) -> Decision:
        return Decision(Route.EDGE, self.name)


class CloudOnly:
    name = "cloud-only"
    uses_pool = False

    def decide(self, state: TaskState) -> Decision:
        return Decision(Route.CLOUD, self.name)


class RandomChoice:
    """Edge or cloud with probability ``cloud_probability`` for the cloud."""

    name = "random"
    uses_pool = False

    def __init__(self, rng: random.Random, cloud_probability: float = 0.5) -> None:
        if not 0.0 <= cloud_probability <= 1.0:
            raise ValueError("cloud_probability must lie in [0, 1]")
        self._rng = rng
        self._cloud_probability = cloud_probability

    def decide(self, state: TaskState) -> Decision:
        route = Route.CLOUD if self._rng.random() < self._cloud_probability else Route.EDGE
        return Decision(route, self.name)
