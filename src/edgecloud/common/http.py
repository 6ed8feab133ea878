"""HTTP clients for the relays: httpx's API on aiohttp's connection pool.

httpcore's pool (httpx's default transport) scans every pooled connection on each request and
wraps each read in anyio cancel scopes; at 64 concurrent streams on this kind of machine that held
back first bytes for hundreds of milliseconds at p99 (encode/httpx#3215). ``httpx-aiohttp`` keeps
the httpx interface (and so ``MockTransport`` in unit tests) over aiohttp's pool, which does not.

Its own error translation leaves some aiohttp errors untranslated (a malformed response raises
``aiohttp.ClientResponseError``) and names others wrongly (a refused connection comes out as
``ConnectTimeout``), so this module translates every aiohttp error itself, at this boundary, into
the httpx exception the callers handle. Timeouts: httpx's ``connect`` and ``read`` apply; ``pool``
becomes aiohttp's total connect time (waiting for a pooled connection included); ``write`` has no
aiohttp counterpart.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport

# Below the 5 s keep-alive of uvicorn (and so of vLLM's server): a pooled connection is then never
# one the server is closing, which would fail a POST that aiohttp does not retry.
KEEPALIVE_EXPIRY_S = 4.0

# Most specific first: the first class the error is an instance of decides.
_TRANSLATIONS: tuple[tuple[type[BaseException], type[httpx.TransportError]], ...] = (
    (aiohttp.ConnectionTimeoutError, httpx.ConnectTimeout),
    (aiohttp.SocketTimeoutError, httpx.ReadTimeout),
    (aiohttp.ServerTimeoutError, httpx.TimeoutException),
    (aiohttp.ClientConnectorError, httpx.ConnectError),
    (aiohttp.ServerDisconnectedError, httpx.RemoteProtocolError),
    (aiohttp.ClientPayloadError, httpx.ReadError),
    (aiohttp.ClientResponseError, httpx.RemoteProtocolError),
    (aiohttp.ClientOSError, httpx.NetworkError),
    (aiohttp.InvalidURL, httpx.UnsupportedProtocol),
    (aiohttp.ClientError, httpx.TransportError),
    (TimeoutError, httpx.TimeoutException),
)


def translate(exc: BaseException, request: httpx.Request) -> BaseException:
    """The httpx error for an aiohttp one (also when httpx-aiohttp already wrapped it)."""
    cause = exc.__cause__ if isinstance(exc, httpx.TransportError) else exc
    for source, target in _TRANSLATIONS:
        if isinstance(cause, source):
            return target(f"{type(cause).__name__}: {cause}", request=request)
    return exc


class _TranslatedStream(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream, request: httpx.Request) -> None:
        self._inner = inner
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._inner:
                yield chunk
        except (httpx.TransportError, aiohttp.ClientError, TimeoutError) as exc:
            raise translate(exc, self._request) from exc

    async def aclose(self) -> None:
        try:
            await self._inner.aclose()
        except (httpx.TransportError, aiohttp.ClientError, TimeoutError) as exc:
            raise translate(exc, self._request) from exc


class RelayTransport(AiohttpTransport):
    """httpx-aiohttp's transport with every aiohttp error translated, streams included."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            response = await super().handle_async_request(request)
        except (httpx.TransportError, aiohttp.ClientError, TimeoutError) as exc:
            raise translate(exc, request) from exc
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _TranslatedStream(response.stream, request)
        return response


def relay_timeout(connect_s: float, read_s: float, pool_s: float) -> httpx.Timeout:
    """Connecting is quick or fails; a stream may be slow between chunks (and so its writes)."""
    return httpx.Timeout(connect=connect_s, read=read_s, write=read_s, pool=pool_s)


def _pooled(limits: httpx.Limits) -> httpx.Limits:
    return httpx.Limits(
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=KEEPALIVE_EXPIRY_S,
    )


def relay_transport(limits: httpx.Limits) -> RelayTransport:
    """aiohttp's pool behind httpx's transport interface, with the relays' keep-alive."""
    return RelayTransport(limits=_pooled(limits))


def relay_client(
    timeout: httpx.Timeout,
    limits: httpx.Limits,
    base_url: str = "",
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    """A client for relaying streams; ``transport`` replaces the network in tests."""
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=timeout,
        limits=_pooled(limits),
        # Proxy variables would make httpx mount its own transports and bypass this one.
        trust_env=False,
        transport=transport if transport is not None else relay_transport(limits),
    )
