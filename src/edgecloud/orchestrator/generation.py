"""Tracking one streamed generation: token timing, usage, and the aggregate for plain replies.

The orchestrator always asks the engine to stream (with usage), so every request has a measured
time to first token and decode time; a client that did not ask for a stream gets the aggregate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from edgecloud.api.sse import SseEvent

# Keys of events that must be parsed even when the text is not aggregated.
_MAY_MATTER = re.compile(rb'"usage"|"error"|"finish_reason":\s*"')


@dataclass(slots=True)
class ChoiceAggregate:
    """One choice of the answer (``n`` may ask for several), with its log-probabilities."""

    text: list[str] = field(default_factory=list)
    finish_reason: str | None = None
    logprobs: list[Any] | None = None  # the tokens' entries, when the client asked for them

    def as_choice(self, index: int) -> dict[str, Any]:
        return {
            "index": index,
            "message": {"role": "assistant", "content": "".join(self.text)},
            "finish_reason": self.finish_reason,
            "logprobs": {"content": self.logprobs} if self.logprobs is not None else None,
        }


@dataclass(slots=True)
class GenerationTracker:
    sent_at: float
    first_token_at: float | None = None
    last_token_at: float | None = None
    last_event_at: float | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    content_events: int = 0
    error: dict[str, Any] | None = None
    # Aggregate of the stream, for clients that asked for a single JSON body.
    response_id: str = ""
    model: str = ""
    created: int = 0
    choices: dict[int, ChoiceAggregate] = field(default_factory=dict)

    @property
    def text(self) -> list[str]:
        """The first choice's text pieces."""
        return self.choices[0].text if 0 in self.choices else []

    @property
    def finish_reason(self) -> str | None:
        return self.choices[0].finish_reason if 0 in self.choices else None

    def observe(self, event: SseEvent, now: float, aggregate: bool = True) -> bool:
        """Record one event; returns whether it is a usage-only event.

        Without ``aggregate`` (a streamed reply), events after the first token are parsed only
        when they may carry usage, an error or the finish reason: JSON parsing every token event
        is the orchestrator's main per-token cost.
        """
        self.last_event_at = now
        if not aggregate and self.first_token_at is not None and not _MAY_MATTER.search(event.raw):
            self.content_events += 1
            self.last_token_at = now
            return False
        payload = event.json()
        if payload is None:
            return False
        if "error" in payload:
            self.error = payload["error"] if isinstance(payload["error"], dict) else payload
            return False
        self.response_id = payload.get("id", self.response_id)
        self.model = payload.get("model", self.model)
        self.created = payload.get("created", self.created)
        usage = payload.get("usage")
        if isinstance(usage, dict):
            self.prompt_tokens = int(usage.get("prompt_tokens", 0))
            self.completion_tokens = int(usage.get("completion_tokens", 0))
        choices = payload.get("choices") or []
        for choice in choices:
            self._observe_choice(choice, now)
        return not choices and isinstance(usage, dict)

    def _observe_choice(self, choice: dict[str, Any], now: float) -> None:
        index = choice.get("index", 0)
        aggregate = self.choices.setdefault(
            index if isinstance(index, int) else 0, ChoiceAggregate()
        )
        delta = choice.get("delta") or {}
        content = delta.get("content")
        if content:
            aggregate.text.append(content)
            self.content_events += 1
            if self.first_token_at is None:
                self.first_token_at = now
            self.last_token_at = now
        logprobs = choice.get("logprobs")
        if isinstance(logprobs, dict) and isinstance(logprobs.get("content"), list):
            aggregate.logprobs = (aggregate.logprobs or []) + logprobs["content"]
        if choice.get("finish_reason"):
            aggregate.finish_reason = choice["finish_reason"]

    @property
    def tokens(self) -> int:
        return self.completion_tokens or self.content_events

    def ttft_s(self, end: float) -> float:
        return (self.first_token_at if self.first_token_at is not None else end) - self.sent_at

    def decode_s(self) -> float:
        """First token to the end of the engine's stream (its finish and usage events included)."""
        if self.first_token_at is None or self.last_event_at is None:
            return 0.0
        return self.last_event_at - self.first_token_at

    def tpot_s(self) -> float | None:
        """Mean time per output token after the first, from the content events."""
        if self.first_token_at is None or self.last_token_at is None or self.tokens < 2:
            return None
        return (self.last_token_at - self.first_token_at) / (self.tokens - 1)

    def completion(self) -> dict[str, Any]:
        """The aggregate as an OpenAI ``chat.completion`` object."""
        return {
            "id": self.response_id,
            "object": "chat.completion",
            "created": self.created,
            "model": self.model,
            "choices": [
                aggregate.as_choice(index) for index, aggregate in sorted(self.choices.items())
            ]
            or [ChoiceAggregate().as_choice(0)],
            "usage": {
                "prompt_tokens": self.prompt_tokens,
                "completion_tokens": self.completion_tokens,
                "total_tokens": self.prompt_tokens + self.completion_tokens,
            },
        }
