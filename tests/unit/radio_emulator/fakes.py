"""The radio emulator in process for unit tests: Redis on a closed port, upstreams faked."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI

from edgecloud.radio_emulator import RadioSettings, create_app
from edgecloud.radio_emulator.app import Upstream


@asynccontextmanager
async def radio_app(
    transports: Mapping[Upstream, httpx.AsyncBaseTransport] | None = None, **settings: Any
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """A running emulator and a client of it; ``settings`` override RadioSettings' defaults."""
    app = create_app(RadioSettings(redis_url="redis://127.0.0.1:1/0", **settings), transports)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://radio") as client,
    ):
        yield app, client


@asynccontextmanager
async def radio_client(
    transports: Mapping[Upstream, httpx.AsyncBaseTransport] | None = None, **settings: Any
) -> AsyncIterator[httpx.AsyncClient]:
    async with radio_app(transports, **settings) as (_, client):
        yield client
