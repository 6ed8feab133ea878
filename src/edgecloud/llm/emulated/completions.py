"""The OpenAI chat-completion bodies and stream chunks, in vLLM's shape."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Plan:
    """What one request will be: decided before it enters the engine."""

    request_id: str
    model: str
    created: int
    prompt_tokens: int
    output_tokens: int
    finish_reason: str  # "length" when the answer stops at max_tokens, else "stop"
    include_usage: bool


def usage(plan: Plan, completion_tokens: int) -> dict[str, int]:
    return {
        "prompt_tokens": plan.prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": plan.prompt_tokens + completion_tokens,
    }


def sse(payload: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(payload, separators=(",", ":")).encode() + b"\n\n"


DONE = b"data: [DONE]\n\n"


def chunk(plan: Plan, delta: dict[str, str], finish_reason: str | None = None) -> bytes:
    return sse(
        {
            "id": plan.request_id,
            "object": "chat.completion.chunk",
            "created": plan.created,
            "model": plan.model,
            "choices": [
                {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
            ],
        }
    )


def usage_chunk(plan: Plan) -> bytes:
    return sse(
        {
            "id": plan.request_id,
            "object": "chat.completion.chunk",
            "created": plan.created,
            "model": plan.model,
            "choices": [],
            "usage": usage(plan, plan.output_tokens),
        }
    )


def completion(plan: Plan, text: str) -> dict[str, Any]:
    return {
        "id": plan.request_id,
        "object": "chat.completion",
        "created": plan.created,
        "model": plan.model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "logprobs": None,
                "finish_reason": plan.finish_reason,
            }
        ],
        "usage": usage(plan, plan.output_tokens),
    }
