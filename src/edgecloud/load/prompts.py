"""The prompt set (``loadtest/prompts.json``) and the mix of task types a UE draws from."""

from __future__ import annotations

import random
from pathlib import Path

from pydantic import BaseModel, Field, RootModel

from edgecloud.model.tasks import TaskType


class Prompt(BaseModel):
    prompt: str = Field(min_length=1)
    quality_required: float = Field(ge=1, le=10)
    max_tokens: int = Field(ge=1, le=8192)


class PromptSet(RootModel[dict[TaskType, list[Prompt]]]):
    """Prompts per task type, each with the quality it requires and the tokens its answer needs."""

    @classmethod
    def load(cls, path: Path) -> PromptSet:
        prompts = cls.model_validate_json(path.read_bytes())
        empty = [t.value for t in TaskType if not prompts.root.get(t)]
        if empty:
            raise ValueError(f"{path}: no prompts for {', '.join(empty)}")
        return prompts

    def pick(self, task_type: TaskType, rng: random.Random) -> Prompt:
        return rng.choice(self.root[task_type])


class TaskMix:
    """Weights of the task types, parsed from ``chat=2,coding=1`` (types left out weigh 0)."""

    def __init__(self, weights: dict[TaskType, float]) -> None:
        if not weights or any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
            raise ValueError("a task mix needs non-negative weights with a positive sum")
        self.weights = weights

    @classmethod
    def parse(cls, text: str) -> TaskMix:
        weights: dict[TaskType, float] = {}
        for item in filter(None, (part.strip() for part in text.split(","))):
            name, sep, value = item.partition("=")
            try:
                weights[TaskType(name.strip())] = float(value) if sep else 1.0
            except ValueError as exc:
                known = ", ".join(t.value for t in TaskType)
                raise ValueError(f"bad task mix item {item!r}; task types: {known}") from exc
        return cls(weights)

    def pick(self, rng: random.Random) -> TaskType:
        types = list(self.weights)
        return rng.choices(types, weights=[self.weights[t] for t in types])[0]
