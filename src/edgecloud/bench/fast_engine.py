"""A stand-in engine that costs almost no CPU, for measuring what the orchestrator adds.

On two cores the orchestrator and the engine it relays compete for the CPU; a GPU engine does not
take the orchestrator's CPU, and neither should its stand-in. ``fake_engine`` (FastAPI) spends
about as much per streamed event as the orchestrator does, which at hundreds of streams leaves the
orchestrator less than a core. This one is a plain asyncio protocol (HTTP/1.1 with keep-alive,
parsed by httptools): one timer writes the next token event of every running stream, every
``tpot_s``, in vLLM's chunk format (the same bytes as ``fake_engine``), with the finish and usage
chunks and ``[DONE]`` at the end; a non-streamed request gets its JSON after the same time.
``GET /health`` and ``GET /metrics`` answer as vLLM's do for the orchestrator's pollers.

Run: ``python -m edgecloud.bench.fast_engine --port 8001 [--tpot-s 0.02]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from dataclasses import dataclass
from typing import cast

import httptools
import uvloop

from edgecloud.stack import Processes, free_port

from .fake_engine import chunk_event, closing_events, completion_body

METRICS = b"vllm:num_requests_waiting 0\nvllm:num_requests_running 0\n"


@dataclass(slots=True)
class _Stream:
    transport: asyncio.Transport
    model: str
    created: int
    tokens: int
    sent: int = 0


def _http_chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


def _head(status: str, content_type: bytes, length: int | None) -> bytes:
    framing = b"transfer-encoding: chunked" if length is None else b"content-length: %d" % length
    return b"HTTP/1.1 %s\r\ncontent-type: %s\r\n%s\r\n\r\n" % (
        status.encode(),
        content_type,
        framing,
    )


class FastEngine:
    """The streams in flight and the one timer that advances them all."""

    def __init__(self, tpot_s: float) -> None:
        self.tpot_s = tpot_s
        self._streams: list[_Stream] = []

    async def tick(self) -> None:
        next_at = time.monotonic()
        while True:
            next_at += self.tpot_s
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            running = []
            for stream in self._streams:
                if stream.transport.is_closing():
                    continue
                if stream.sent < stream.tokens:
                    delta = {"content": f" w{stream.sent}"}
                    stream.transport.write(
                        _http_chunk(chunk_event(stream.model, stream.created, delta))
                    )
                    stream.sent += 1
                    running.append(stream)
                else:
                    stream.transport.write(_end_of_stream(stream))
            self._streams = running

    def start_stream(self, transport: asyncio.Transport, model: str, tokens: int) -> None:
        created = int(time.time())
        transport.write(_head("200 OK", b"text/event-stream", None))
        role = chunk_event(model, created, {"role": "assistant", "content": ""})
        transport.write(_http_chunk(role))
        self._streams.append(_Stream(transport, model, created, tokens))


def _end_of_stream(stream: _Stream) -> bytes:
    events = closing_events(stream.model, stream.created, stream.tokens)
    return b"".join(_http_chunk(e) for e in events) + b"0\r\n\r\n"


class _Connection(asyncio.Protocol):
    def __init__(self, engine: FastEngine) -> None:
        self._engine = engine
        self._parser = httptools.HttpRequestParser(self)
        self._url = b""
        self._body: list[bytes] = []
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses; both have what is used here.
        self._transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError:
            if self._transport is not None:
                self._transport.close()

    # httptools' callbacks
    def on_message_begin(self) -> None:
        self._url, self._body = b"", []

    def on_url(self, url: bytes) -> None:
        self._url += url

    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_complete(self) -> None:
        transport = self._transport
        assert transport is not None
        method = self._parser.get_method()
        if method == b"GET" and self._url in (b"/health", b"/metrics"):
            body = METRICS if self._url == b"/metrics" else b""
            transport.write(_head("200 OK", b"text/plain", len(body)) + body)
        elif method == b"POST" and self._url == b"/v1/chat/completions":
            self._complete(transport, json.loads(b"".join(self._body) or b"{}"))
        else:
            transport.write(_head("404 Not Found", b"text/plain", 0))

    def _complete(self, transport: asyncio.Transport, body: dict[str, object]) -> None:
        tokens = int(str(body.get("max_tokens") or 16))
        model = str(body.get("model", "fake"))
        if body.get("stream"):
            self._engine.start_stream(transport, model, tokens)
            return
        payload = json.dumps(completion_body(model, tokens)).encode()
        reply = _head("200 OK", b"application/json", len(payload)) + payload

        def answer() -> None:
            if not transport.is_closing():
                transport.write(reply)

        asyncio.get_running_loop().call_later(self._engine.tpot_s * tokens, answer)


async def listen(engine: FastEngine, host: str, port: int) -> asyncio.Server:
    """Serve ``engine`` on ``host:port`` (0: a free port); its timer is ``engine.tick()``."""
    loop = asyncio.get_running_loop()
    return await loop.create_server(lambda: _Connection(engine), host, port, backlog=1024)


async def serve(host: str, port: int, tpot_s: float) -> None:
    engine = FastEngine(tpot_s)
    async with await listen(engine, host, port):
        await engine.tick()


def start(procs: Processes, tpot_s: float, name: str = "fast-engine") -> str:
    """Run the stand-in engine as a process of its own (on uvloop), under ``procs``; its URL."""
    port = free_port()
    argv = [sys.executable, "-m", "edgecloud.bench.fast_engine", "--port", str(port)]
    procs.http(name, [*argv, "--tpot-s", str(tpot_s)], port, {}, health="/health")
    return f"http://127.0.0.1:{port}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--tpot-s", type=float, default=0.02, help="time between tokens")
    args = parser.parse_args()
    uvloop.run(serve(args.host, args.port, args.tpot_s))


if __name__ == "__main__":
    main()
