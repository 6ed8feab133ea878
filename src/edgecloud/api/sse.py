"""Server-sent events, split from a byte stream without touching their bytes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

DONE = "[DONE]"


@dataclass(frozen=True, slots=True)
class SseEvent:
    raw: bytes  # the event as received, terminator included (line ends already LF)

    @property
    def data(self) -> str | None:
        """The joined data lines, None for comments and empty events. Worked out on demand: a
        relay passes most events on without reading them."""
        data = [
            line[5:].lstrip(b" ") for line in self.raw.split(b"\n") if line.startswith(b"data:")
        ]
        return b"\n".join(data).decode("utf-8", "replace") if data else None

    def json(self) -> dict[str, Any] | None:
        data = self.data
        if data is None or data == DONE:
            return None
        try:
            value = json.loads(data)
        except json.JSONDecodeError:
            return None
        return value if isinstance(value, dict) else None


def parse_event(raw: bytes) -> SseEvent:
    return SseEvent(raw.replace(b"\r\n", b"\n"))


def split_events(buffer: bytes) -> tuple[list[SseEvent], bytes]:
    """The complete events at the start of ``buffer`` (CRLF already made LF), and the rest."""
    events = []
    start = 0
    while (end := buffer.find(b"\n\n", start)) != -1:
        events.append(SseEvent(buffer[start : end + 2]))
        start = end + 2
    return events, buffer[start:]


async def iter_event_batches(chunks: AsyncIterator[bytes]) -> AsyncIterator[list[SseEvent]]:
    """The complete events each chunk brings, as a list (none if it ends mid-event); a last
    event the stream did not terminate comes at the end."""
    buffer = b""
    async for chunk in chunks:
        events, buffer = split_events(buffer + chunk.replace(b"\r\n", b"\n"))
        if events:
            yield events
    if buffer.strip():
        yield [parse_event(buffer + b"\n\n")]
