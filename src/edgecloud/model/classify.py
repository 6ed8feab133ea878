"""A light task-type classifier for prompts that arrive without ``metadata.task_type`` (pure).

Keyword rules, checked in order (coding, extraction, science, else chat): cheap enough for every
request and transparent about what it does. Metadata, when present, always wins.
"""

from __future__ import annotations

import re

from .tasks import TaskType

_RULES: tuple[tuple[TaskType, re.Pattern[str]], ...] = (
    (
        TaskType.CODING,
        re.compile(
            r"\b(code|function|python|javascript|typescript|java|c\+\+|rust|sql|regex|bug|compile|"
            r"stack ?trace|refactor|unit test|api|class|script|implement|algorithm)\b|```",
            re.I,
        ),
    ),
    (
        TaskType.EXTRACTION,
        re.compile(
            r"\b(extract|list (all|the)|find (all|the)|parse|json|csv|table of|which (names|dates)|"
            r"pull out|fill in the fields|key[- ]value)\b",
            re.I,
        ),
    ),
    (
        TaskType.SCIENCE,
        re.compile(
            r"\b(physics|chemistry|biology|theorem|equation|quantum|derive|proof|photosynthesis|"
            r"molecule|energy|gravity|entropy|relativity|genetic|dna|cell division|"
            r"thermodynamics)\b",
            re.I,
        ),
    ),
)


def classify(prompt: str) -> TaskType:
    for task_type, pattern in _RULES:
        if pattern.search(prompt):
            return task_type
    return TaskType.CHAT
