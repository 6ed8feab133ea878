"""The relays' HTTP client against misbehaving servers: every failure is an httpx error.

Each case is a raw asyncio server that answers with fixed bytes, or not at all.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import httpx
import pytest

from edgecloud.common.http import relay_client
from edgecloud.stack import free_port

# Called with the request's head (request line and headers) once it has arrived.
Handler = Callable[[bytes, asyncio.StreamWriter], Awaitable[None]]
TIMEOUT = httpx.Timeout(connect=1.0, read=0.5, write=1.0, pool=1.0)
LIMITS = httpx.Limits(max_connections=8, max_keepalive_connections=8)


@asynccontextmanager
async def server(handler: Handler) -> AsyncIterator[str]:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        try:
            await handler(head, writer)
        finally:
            writer.close()

    srv = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    async with srv:
        yield f"http://127.0.0.1:{port}"


def answer(raw: bytes, then_wait_s: float = 0.0) -> Handler:
    async def handler(head: bytes, writer: asyncio.StreamWriter) -> None:
        writer.write(raw)
        await writer.drain()
        await asyncio.sleep(then_wait_s)

    return handler


async def fetch(url: str) -> bytes:
    async with relay_client(TIMEOUT, LIMITS, url) as client:
        request = client.build_request("POST", "/v1/chat/completions", json={"stream": True})
        response = await client.send(request, stream=True)
        try:
            return b"".join([chunk async for chunk in response.aiter_raw()])
        finally:
            await response.aclose()


@pytest.mark.anyio
async def test_a_good_chunked_stream_arrives_whole() -> None:
    body = b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    async with server(answer(head + body)) as url:
        assert await fetch(url) == b"hello world"


@pytest.mark.anyio
async def test_a_refused_connection_is_a_connect_error() -> None:
    with pytest.raises(httpx.ConnectError):
        await fetch(f"http://127.0.0.1:{free_port()}")


CASES: dict[str, tuple[Handler, type[httpx.TransportError]]] = {
    "closed before answering": (answer(b""), httpx.RemoteProtocolError),
    "bad status line": (answer(b"HTTP/1.1 abc\r\n\r\n"), httpx.RemoteProtocolError),
    "silent before the headers": (answer(b"", then_wait_s=2.0), httpx.ReadTimeout),
    "bad chunk size": (
        answer(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n"),
        httpx.TransportError,
    ),
    "cut in the body": (
        answer(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly a part"),
        httpx.TransportError,
    ),
    "silent in the body": (
        answer(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n", 2.0),
        httpx.ReadTimeout,
    ),
}


@pytest.mark.anyio
@pytest.mark.parametrize("case", list(CASES))
async def test_every_server_fault_is_an_httpx_transport_error(case: str) -> None:
    handler, expected = CASES[case]
    async with server(handler) as url:
        with pytest.raises(expected):
            await fetch(url)


@pytest.mark.anyio
async def test_headers_of_one_name_are_sent_as_one_line() -> None:
    """Why the radio drops the UE's own X-Request-Id before setting its own (issue: "id, id")."""
    seen: list[bytes] = []

    async def handler(head: bytes, writer: asyncio.StreamWriter) -> None:
        seen.append(head)
        await answer(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")(head, writer)

    async with server(handler) as url, relay_client(TIMEOUT, LIMITS, url) as client:
        await client.get("/", headers=[("x-request-id", "a"), ("X-Request-Id", "a")])
    assert b"a, a" in seen[0].lower()
