import pytest

from edgecloud.api.openai import ChatCompletionRequest
from edgecloud.model import TaskType
from edgecloud.model.classify import classify
from edgecloud.orchestrator.state import task_type_of


@pytest.mark.parametrize(
    ("prompt", "task_type"),
    [
        ("Write a Python function that reverses a list.", TaskType.CODING),
        ("Why does this SQL query return duplicates?", TaskType.CODING),
        ("Extract every date from this paragraph: ...", TaskType.EXTRACTION),
        ("Return the names as JSON.", TaskType.EXTRACTION),
        ("Explain how photosynthesis stores energy.", TaskType.SCIENCE),
        ("Derive the equation of motion of a pendulum.", TaskType.SCIENCE),
        ("What should I cook tonight?", TaskType.CHAT),
        ("Hello! How are you?", TaskType.CHAT),
    ],
)
def test_keywords_pick_the_task_type(prompt: str, task_type: TaskType) -> None:
    assert classify(prompt) is task_type


def test_metadata_wins_over_the_classifier() -> None:
    request = ChatCompletionRequest.model_validate(
        {
            "messages": [{"role": "user", "content": "Write Python code"}],
            "metadata": {"task_type": "chat"},
        }
    )
    assert task_type_of(request) is TaskType.CHAT
    unlabelled = ChatCompletionRequest.model_validate(
        {
            "messages": [
                {"role": "system", "content": "You write code."},
                {"role": "user", "content": "Tell me a joke."},
            ]
        }
    )
    assert task_type_of(unlabelled) is TaskType.CHAT  # only the user's words count
