"""Our wire models of the OpenAI chat-completions subset we serve (we own them; no vLLM import).

Models accept extra fields, which are passed on to the engine untouched.
"""

from __future__ import annotations

import json
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

MAX_TOKENS_LIMIT = 8192
# Bounds on what one request may carry (beside the services' body-size limit).
MAX_MESSAGES = 256
MAX_TEXT_CHARS = 400_000  # all messages together, about 100k tokens
MAX_STOP_SEQUENCES = 16
MAX_STOP_CHARS = 256
MAX_CHOICES = 8


class TextPart(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: Literal["text"]
    text: str


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[TextPart] | None = None

    def text(self) -> str:
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        return " ".join(part.text for part in self.content)


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="allow")
    include_usage: bool = False


class ChatCompletionRequest(BaseModel):
    """A chat-completion request. ``metadata`` may carry ``task_type`` and ``quality_required``."""

    # The example is a request the services serve as it is (documentation, and Schemathesis'
    # starting point for valid requests).
    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "model": "auto",
                    "messages": [{"role": "user", "content": "What is the capital of France?"}],
                    "max_tokens": 8,
                }
            ]
        },
    )

    model: str = Field(
        default="auto", description="'auto' lets the policy route; a tier's model pins it"
    )
    messages: Annotated[list[ChatMessage], Field(min_length=1)]
    # Strict numbers: JSON's true is not 1.
    max_tokens: int | None = Field(default=None, ge=1, le=MAX_TOKENS_LIMIT, strict=True)
    max_completion_tokens: int | None = Field(default=None, ge=1, le=MAX_TOKENS_LIMIT, strict=True)
    stream: bool = Field(default=False, strict=True)
    stream_options: StreamOptions | None = None
    temperature: float | None = Field(default=None, ge=0.0, le=2.0, strict=True)
    top_p: float | None = Field(default=None, gt=0.0, le=1.0, strict=True)
    n: int = Field(default=1, ge=1, le=MAX_CHOICES, strict=True, description="choices to generate")
    logprobs: bool = Field(default=False, strict=True, description="token log-probabilities")
    top_logprobs: int | None = Field(default=None, ge=0, le=20, strict=True)
    user: str | None = Field(default=None, min_length=1, max_length=128)
    metadata: dict[str, str] | None = None
    stop: str | Annotated[list[str], Field(max_length=MAX_STOP_SEQUENCES)] | None = Field(
        default=None, description="stop sequences, passed to the engine"
    )

    @field_validator("messages")
    @classmethod
    def _has_content(cls, messages: list[ChatMessage]) -> list[ChatMessage]:
        if len(messages) > MAX_MESSAGES:
            raise ValueError(f"at most {MAX_MESSAGES} messages")
        if sum(len(m.text()) for m in messages) > MAX_TEXT_CHARS:
            raise ValueError(f"the messages carry more than {MAX_TEXT_CHARS} characters")
        if not any(m.text().strip() for m in messages):
            raise ValueError("messages carry no text")
        return messages

    @field_validator("stop")
    @classmethod
    def _short_stops(cls, stop: str | list[str] | None) -> str | list[str] | None:
        entries = [stop] if isinstance(stop, str) else stop or []
        if any(len(entry) > MAX_STOP_CHARS for entry in entries):
            raise ValueError(f"a stop sequence has at most {MAX_STOP_CHARS} characters")
        return stop

    @model_validator(mode="after")
    def _valid_unicode(self) -> ChatCompletionRequest:
        # JSON may carry a lone surrogate ("\ud800") anywhere, extra fields included; it cannot
        # be sent on to the engine as UTF-8.
        try:
            json.dumps(self.model_dump(), ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError("text must be valid Unicode (no lone surrogates)") from exc
        return self

    @model_validator(mode="after")
    def _one_token_limit(self) -> ChatCompletionRequest:
        both = self.max_tokens is not None and self.max_completion_tokens is not None
        if both and self.max_tokens != self.max_completion_tokens:
            raise ValueError("max_tokens and max_completion_tokens disagree")
        return self

    @property
    def token_limit(self) -> int | None:
        return self.max_tokens if self.max_tokens is not None else self.max_completion_tokens

    def prompt_text(self) -> str:
        return "\n".join(m.text() for m in self.messages)


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int = 0
    owned_by: str = "edgecloud"
    # Which tier serves this model, or "auto" for the policy-routed virtual model.
    tier: str


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]
