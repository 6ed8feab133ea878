"""The FastAPI app of a service: its routers, the one error shape, its settings and /metrics."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from fastapi import APIRouter, FastAPI, Response
from fastapi.openapi.utils import get_openapi
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, make_asgi_app

from edgecloud.api.errors import ErrorResponse, install_error_handlers

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
    # /metrics answers itself (pollers that do not follow redirects read it, as they read
    # vLLM's); the mount keeps /metrics/ working.
    app.add_api_route(
        "/metrics", _metrics_endpoint(registry), methods=["GET"], include_in_schema=False
    )
    app.mount("/metrics", make_asgi_app(registry))
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _metrics_endpoint(registry: CollectorRegistry) -> Callable[[], Awaitable[Response]]:
    async def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return metrics


# Every operation can answer these, in the one error shape: a validation error is our 400 (not
# FastAPI's 422), and the size limits answer before any route.
_EVERY_OPERATION = {"400": "invalid request", "413": "body too large", "431": "headers too large"}


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema, with the errors the services really answer documented."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title, version=app.version, summary=app.summary, routes=app.routes
    )
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    error_schema = ErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(error_schema.pop("$defs", {}))
    schemas["ErrorResponse"] = error_schema
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            for status, description in _EVERY_OPERATION.items():
                responses.setdefault(status, {"description": description, "content": error})
    app.openapi_schema = schema
    return schema
