"""The radio emulator in process for unit tests: Redis on a closed port, upstreams faked."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any, cast

import httpx
from fastapi import FastAPI
from prometheus_client import Counter
from redis.asyncio import Redis

from edgecloud.radio_emulator import RadioSettings, create_app
from edgecloud.radio_emulator.admin_state import AdminStateStore
from edgecloud.radio_emulator.app import Upstream


@asynccontextmanager
async def radio_app(
    transports: Mapping[Upstream, httpx.AsyncBaseTransport] | None = None,
    admin_state_in_memory: bool = True,
    **settings: Any,
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """A running emulator and a client of it; ``settings`` override RadioSettings' defaults.
    Its Redis is away; the admin state is kept in memory unless ``admin_state_in_memory`` is
    false."""
    app = create_app(RadioSettings(redis_url="redis://127.0.0.1:1/0", **settings), transports)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://radio") as client,
    ):
        if admin_state_in_memory:
            app.state.admin_state = MemoryAdminState(app.state.admin_state.events)
        yield app, client


class MemoryAdminState(AdminStateStore):
    """The admin state store over a dict instead of Redis."""

    def __init__(self, events: Counter) -> None:
        super().__init__(cast(Redis, None), "admin", events)
        self.saved: dict[str, dict[str, Any]] = {}

    async def save(self, field: str, value: dict[str, Any]) -> None:
        self.saved[field] = value

    async def delete(self, field: str) -> None:
        self.saved.pop(field, None)

    async def load(self) -> dict[str, dict[str, Any]]:
        return dict(self.saved)


@asynccontextmanager
async def radio_client(
    transports: Mapping[Upstream, httpx.AsyncBaseTransport] | None = None, **settings: Any
) -> AsyncIterator[httpx.AsyncClient]:
    async with radio_app(transports, **settings) as (_, client):
        yield client
