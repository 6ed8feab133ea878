"""HTTP clients for the relays: httpx's API on aiohttp's connection pool.

httpcore's pool (httpx's default transport) scans every pooled connection on each request and
wraps each read in anyio cancel scopes; at 64 concurrent streams on this kind of machine that
delayed the first byte by up to 0.5 s at p99 (encode/httpx#3215). ``httpx-aiohttp`` keeps the
httpx interface (and so ``MockTransport`` in unit tests) over aiohttp's pool, which does not.
"""

from __future__ import annotations

import httpx
from httpx_aiohttp import AiohttpTransport


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
        limits=limits,
        transport=transport if transport is not None else AiohttpTransport(limits=limits),
    )
