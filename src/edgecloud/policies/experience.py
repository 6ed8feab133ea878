"""The experience pool's view of a state: a summary, its feature vector and its discrete key.

Used by the kNN and ICL policies to find past decisions made in similar states. Pure.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from edgecloud.model.tasks import Route, TaskType

from .base import TaskState
from .estimate import estimate_service_delay_s


@dataclass(frozen=True, slots=True)
class StateSummary:
    """The few numbers a decision depends on, as stored in every history record."""

    task_type: TaskType
    quality_required: float
    expected_output_tokens: int
    estimated_edge_s: float
    estimated_cloud_s: float
    quality_edge: float
    quality_cloud: float
    dl_rate_bps: float
    edge_load: float
    cloud_load: float

    @classmethod
    def of(cls, state: TaskState) -> StateSummary:
        return cls(
            task_type=state.task_type,
            quality_required=state.quality_required,
            expected_output_tokens=state.expected_output_tokens,
            estimated_edge_s=estimate_service_delay_s(state, Route.EDGE),
            estimated_cloud_s=estimate_service_delay_s(state, Route.CLOUD),
            quality_edge=state.edge.quality,
            quality_cloud=state.cloud.quality,
            dl_rate_bps=state.dl_rate_bps,
            edge_load=float(state.edge.in_flight + state.edge.waiting),
            cloud_load=float(state.cloud.in_flight + state.cloud.waiting),
        )

    def features(self) -> dict[str, float]:
        return {
            "quality_required": self.quality_required,
            "expected_output_tokens": float(self.expected_output_tokens),
            "estimated_edge_s": self.estimated_edge_s,
            "estimated_cloud_s": self.estimated_cloud_s,
            "quality_edge": self.quality_edge,
            "quality_cloud": self.quality_cloud,
            "dl_rate_bps": self.dl_rate_bps,
            "edge_load": self.edge_load,
            "cloud_load": self.cloud_load,
        }

    @classmethod
    def from_features(cls, task_type: TaskType, features: Mapping[str, float]) -> StateSummary:
        return cls(
            task_type=task_type,
            quality_required=features["quality_required"],
            expected_output_tokens=int(features["expected_output_tokens"]),
            estimated_edge_s=features["estimated_edge_s"],
            estimated_cloud_s=features["estimated_cloud_s"],
            quality_edge=features["quality_edge"],
            quality_cloud=features["quality_cloud"],
            dl_rate_bps=features["dl_rate_bps"],
            edge_load=features["edge_load"],
            cloud_load=features["cloud_load"],
        )

    def vector(self) -> tuple[float, ...]:
        """Features on comparable scales (about 0-1 each) for distances."""
        return (
            self.estimated_edge_s / 2.0,
            self.estimated_cloud_s / 2.0,
            self.quality_required / 10.0,
            self.expected_output_tokens / 256.0,
            math.log10(max(self.dl_rate_bps, 1.0)) / 9.0,
            self.edge_load / 8.0,
            self.cloud_load / 8.0,
        )

    def key(self) -> tuple[str, ...]:
        """The discrete state: task type, answer length, which tier looks faster, load, radio."""
        tokens = (
            "short"
            if self.expected_output_tokens <= 48
            else ("medium" if self.expected_output_tokens <= 128 else "long")
        )
        faster = "edge" if self.estimated_edge_s <= self.estimated_cloud_s else "cloud"
        load = "idle" if self.edge_load < 1 else ("busy" if self.edge_load < 4 else "loaded")
        radio = "poor" if self.dl_rate_bps < 1e6 else ("fair" if self.dl_rate_bps < 1e7 else "good")
        return (self.task_type.value, tokens, faster, load, radio)


@dataclass(frozen=True, slots=True)
class Experience:
    """One finished decision: the state it was made in, the action and what it earned."""

    summary: StateSummary
    route: Route
    reward: float
    service_delay_s: float
    quality_violated: bool


def distance(a: StateSummary, b: StateSummary) -> float:
    return math.dist(a.vector(), b.vector())
