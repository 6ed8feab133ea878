"""Server-sent events, split from a byte stream without touching their bytes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

DONE = "[DONE]"


@dataclass(frozen=True, slots=True)
class SseEvent:
    raw: bytes  # the event as received, terminator included
    data: str | None  # the joined data lines, None for comments and empty events

    def json(self) -> dict[str, Any] | None:
        if self.data is None or self.data == DONE:
            return None
        try:
            value = json.loads(self.data)
        except json.JSONDecodeError:
            return None
        return value if isinstance(value, dict) else None


def parse_event(raw: bytes) -> SseEvent:
    lines = raw.replace(b"\r\n", b"\n").split(b"\n")
    data = [line[5:].lstrip(b" ") for line in lines if line.startswith(b"data:")]
    return SseEvent(raw, b"\n".join(data).decode("utf-8", "replace") if data else None)


def split_events(buffer: bytes) -> tuple[list[SseEvent], bytes]:
    """The complete events at the start of ``buffer`` (CRLF already made LF), and the rest."""
    events = []
    while (end := buffer.find(b"\n\n")) != -1:
        events.append(parse_event(buffer[: end + 2]))
        buffer = buffer[end + 2 :]
    return events, buffer


async def iter_events(chunks: AsyncIterator[bytes]) -> AsyncIterator[SseEvent]:
    buffer = b""
    async for chunk in chunks:
        events, buffer = split_events(buffer + chunk.replace(b"\r\n", b"\n"))
        for event in events:
            yield event
    if buffer.strip():
        yield parse_event(buffer + b"\n\n")
