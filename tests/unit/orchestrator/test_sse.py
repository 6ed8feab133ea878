import json
from collections.abc import AsyncIterator

import pytest

from edgecloud.api.sse import iter_event_batches, parse_event
from edgecloud.orchestrator.generation import GenerationTracker


async def chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


def event(payload: object) -> bytes:
    return f"data: {json.dumps(payload)}\n\n".encode()


@pytest.mark.anyio
async def test_events_split_across_chunks_are_reassembled_byte_for_byte() -> None:
    stream = event({"a": 1}) + event({"b": 2}) + b"data: [DONE]\n\n"
    parts = chunks(stream[:7], stream[7:30], stream[30:])
    events = [e async for batch in iter_event_batches(parts) for e in batch]
    assert [e.json() for e in events] == [{"a": 1}, {"b": 2}, None]
    assert b"".join(e.raw for e in events) == stream
    assert events[2].data == "[DONE]"


def test_comments_and_garbage_are_not_json() -> None:
    assert parse_event(b": keep-alive\n\n").json() is None
    assert parse_event(b"data: {not json\n\n").json() is None


def chunk(content: str | None = None, finish: str | None = None, usage: bool = False) -> bytes:
    payload: dict[str, object] = {"id": "c1", "model": "m", "created": 5}
    payload["choices"] = (
        [] if usage else [{"index": 0, "delta": {"content": content}, "finish_reason": finish}]
    )
    if usage:
        payload["usage"] = {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}
    return event(payload)


def test_tracker_times_tokens_and_aggregates_the_completion() -> None:
    tracker = GenerationTracker(sent_at=10.0)
    assert not tracker.observe(parse_event(chunk("")), 10.1)  # role chunk, no content
    tracker.observe(parse_event(chunk("Hel")), 10.5)
    tracker.observe(parse_event(chunk("lo")), 10.7)
    tracker.observe(parse_event(chunk("!", finish="stop")), 11.0)
    assert tracker.observe(parse_event(chunk(usage=True)), 11.1) is True  # usage-only event
    assert tracker.ttft_s(end=12.0) == pytest.approx(0.5)
    assert tracker.decode_s() == pytest.approx(0.6)  # to the end of the stream
    assert tracker.tpot_s() == pytest.approx(0.25)  # between content tokens
    assert tracker.tokens == 3
    completion = tracker.completion()
    assert completion["choices"][0]["message"]["content"] == "Hello!"
    assert completion["choices"][0]["finish_reason"] == "stop"
    assert completion["usage"] == {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}


def test_tracker_records_an_error_event() -> None:
    tracker = GenerationTracker(sent_at=0.0)
    tracker.observe(parse_event(event({"error": {"message": "boom", "type": "x"}})), 1.0)
    assert tracker.error == {"message": "boom", "type": "x"}
    assert tracker.ttft_s(end=2.0) == pytest.approx(2.0)


def test_streamed_replies_skip_parsing_token_events_but_keep_usage_and_timing() -> None:
    tracker = GenerationTracker(sent_at=0.0)
    tracker.observe(parse_event(chunk("a")), 1.0, aggregate=False)
    tracker.observe(parse_event(chunk("b")), 1.5, aggregate=False)
    tracker.observe(parse_event(chunk(None, finish="stop")), 1.6, aggregate=False)
    assert tracker.observe(parse_event(chunk(usage=True)), 1.7, aggregate=False) is True
    assert tracker.ttft_s(end=9.0) == pytest.approx(1.0)
    assert tracker.tokens == 3  # from the usage event
    assert tracker.finish_reason == "stop"
    assert tracker.decode_s() == pytest.approx(0.7)
