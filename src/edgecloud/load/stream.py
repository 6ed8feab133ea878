"""What a UE measures on one streamed answer: time to first token, tokens, tokens per second."""

from __future__ import annotations

from dataclasses import dataclass

from edgecloud.api.sse import DONE, split_events


@dataclass(slots=True)
class StreamTiming:
    """Fed with the raw chunks of an OpenAI chat-completion stream as they arrive."""

    sent_at: float
    first_token_at: float | None = None
    last_token_at: float | None = None
    content_events: int = 0
    completion_tokens: int | None = None  # from the usage event, when the server sends one
    error: str | None = None
    done: bool = False
    bytes_received: int = 0
    _buffer: bytes = b""

    def feed(self, chunk: bytes, now: float) -> None:
        self.bytes_received += len(chunk)
        events, self._buffer = split_events(self._buffer + chunk.replace(b"\r\n", b"\n"))
        for event in events:
            if event.data == DONE:
                self.done = True
                continue
            payload = event.json()
            if payload is None:
                continue
            if isinstance(payload.get("error"), dict):
                self.error = str(payload["error"].get("message", "error event"))
                continue
            usage = payload.get("usage")
            if isinstance(usage, dict) and "completion_tokens" in usage:
                self.completion_tokens = int(usage["completion_tokens"])
            for choice in payload.get("choices") or []:
                if (choice.get("delta") or {}).get("content"):
                    self.content_events += 1
                    if self.first_token_at is None:
                        self.first_token_at = now
                    self.last_token_at = now

    @property
    def tokens(self) -> int:
        return self.completion_tokens if self.completion_tokens is not None else self.content_events

    @property
    def ttft_s(self) -> float | None:
        return None if self.first_token_at is None else self.first_token_at - self.sent_at

    @property
    def tokens_per_s(self) -> float | None:
        """Decode rate after the first token, as the UE sees it (radio pacing included)."""
        if self.first_token_at is None or self.last_token_at is None or self.content_events < 2:
            return None
        span_s = self.last_token_at - self.first_token_at
        return (self.content_events - 1) / span_s if span_s > 0 else None

    def failure(self) -> str | None:
        """Why the stream does not count as a served request, or None."""
        if self.error is not None:
            return f"error event: {self.error}"
        if not self.done:
            return "the stream ended without [DONE]"
        # An empty answer (the model stopped at once) was still served: it only has no TTFT.
        return None
