"""Generation task types, the quality each tier gives them, and their quality requirements.

The paper's numbers are not public; these defaults are ours (ARCHITECTURE.md section 7). Quality is
on a 1-10 scale, as an LLM-as-judge score would be.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class TaskType(StrEnum):
    CHAT = "chat"
    EXTRACTION = "extraction"
    CODING = "coding"
    SCIENCE = "science"


class Route(StrEnum):
    """The offloading decision alpha: edge (0) or cloud (1)."""

    EDGE = "edge"
    CLOUD = "cloud"

    @property
    def alpha(self) -> int:
        return 0 if self is Route.EDGE else 1


@dataclass(frozen=True, slots=True)
class QualityTable:
    quality: dict[tuple[Route, TaskType], float] = field(
        default_factory=lambda: {
            (Route.EDGE, TaskType.CHAT): 7.0,
            (Route.CLOUD, TaskType.CHAT): 8.5,
            (Route.EDGE, TaskType.EXTRACTION): 6.5,
            (Route.CLOUD, TaskType.EXTRACTION): 8.0,
            (Route.EDGE, TaskType.CODING): 4.5,
            (Route.CLOUD, TaskType.CODING): 8.0,
            (Route.EDGE, TaskType.SCIENCE): 5.0,
            (Route.CLOUD, TaskType.SCIENCE): 8.5,
        }
    )
    requirement: dict[TaskType, float] = field(
        default_factory=lambda: {
            TaskType.CHAT: 6.0,
            TaskType.EXTRACTION: 6.0,
            TaskType.CODING: 7.0,
            TaskType.SCIENCE: 7.0,
        }
    )
    # Expected answer length when the request sets no max_tokens (our assumption).
    expected_output_tokens: dict[TaskType, int] = field(
        default_factory=lambda: {
            TaskType.CHAT: 64,
            TaskType.EXTRACTION: 48,
            TaskType.CODING: 160,
            TaskType.SCIENCE: 128,
        }
    )

    def of(self, route: Route, task_type: TaskType) -> float:
        return self.quality[(route, task_type)]

    def meets(self, route: Route, task_type: TaskType, required: float) -> bool:
        return self.of(route, task_type) >= required


DEFAULT_QUALITY = QualityTable()
