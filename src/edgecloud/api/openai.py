"""Our wire models of the OpenAI chat-completions subset we serve (we own them; no vLLM import).

Models accept extra fields, which are passed on to the engine untouched.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

MAX_TOKENS_LIMIT = 8192


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

    model_config = ConfigDict(extra="allow")

    model: str = Field(
        default="auto", description="'auto' lets the policy route; a tier's model pins it"
    )
    messages: Annotated[list[ChatMessage], Field(min_length=1)]
    max_tokens: int | None = Field(default=None, ge=1, le=MAX_TOKENS_LIMIT)
    max_completion_tokens: int | None = Field(default=None, ge=1, le=MAX_TOKENS_LIMIT)
    stream: bool = False
    stream_options: StreamOptions | None = None
    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    top_p: float | None = Field(default=None, gt=0.0, le=1.0)
    n: int = Field(default=1, ge=1, le=1, description="only one choice is supported")
    user: str | None = Field(default=None, min_length=1, max_length=128)
    metadata: dict[str, str] | None = None

    @field_validator("messages")
    @classmethod
    def _has_content(cls, messages: list[ChatMessage]) -> list[ChatMessage]:
        if not any(m.text().strip() for m in messages):
            raise ValueError("messages carry no text")
        return messages

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
