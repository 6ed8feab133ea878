"""The FastAPI app of a service: its routers, the one error shape, its settings and /metrics."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from typing import Any

from fastapi import APIRouter, FastAPI
from prometheus_client import CollectorRegistry, make_asgi_app

from edgecloud.api.errors import install_error_handlers

from .limits import OnError, SizeLimits

Lifespan = Callable[[FastAPI], contextlib.AbstractAsyncContextManager[None]]


def service_app(
    title: str,
    summary: str,
    lifespan: Lifespan,
    settings: Any,
    routers: Iterable[APIRouter],
    registry: CollectorRegistry,
    on_error: OnError,
) -> FastAPI:
    """``lifespan`` builds what the routes use onto ``app.state``; ``settings`` is there from
    the start (as ``app.state.settings``, with ``max_body_bytes`` and ``max_header_bytes``);
    ``on_error(status, code)`` counts every error response."""
    app = FastAPI(title=title, summary=summary, version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    install_error_handlers(app, on_error)
    app.add_middleware(
        SizeLimits,
        max_body_bytes=settings.max_body_bytes,
        max_header_bytes=settings.max_header_bytes,
        on_refusal=on_error,
    )
    for router in routers:
        app.include_router(router)
    app.mount("/metrics", make_asgi_app(registry))
    return app
