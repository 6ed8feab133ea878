"""The orchestrator's app factory and lifespan."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping

import httpx
from fastapi import FastAPI
from prometheus_client import CollectorRegistry, make_asgi_app
from redis.asyncio import Redis

from edgecloud.api.errors import install_error_handlers
from edgecloud.common.tasks import BackgroundTasks
from edgecloud.model.tasks import DEFAULT_QUALITY, Route

from .history import HistoryStore
from .metrics import OrchestratorMetrics
from .routes import health_api, history_api, openai_api, policy_api
from .service import ChatService
from .settings import OrchestratorSettings
from .tiers import Tier


def create_app(
    settings: OrchestratorSettings,
    transports: Mapping[Route, httpx.AsyncBaseTransport] | None = None,
) -> FastAPI:
    """Build the app; ``transports`` replace the tiers' network transports (unit tests)."""
    registry = CollectorRegistry()
    metrics = OrchestratorMetrics(registry)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        timeout = httpx.Timeout(
            connect=settings.connect_timeout_s,
            read=settings.read_timeout_s,
            write=settings.read_timeout_s,
            pool=settings.read_timeout_s,
        )
        limits = httpx.Limits(max_connections=512, max_keepalive_connections=128)
        background = BackgroundTasks()
        redis = Redis.from_url(settings.redis_url, socket_timeout=5.0, socket_connect_timeout=2.0)

        def client(route: Route, url: object) -> httpx.AsyncClient:
            transport = (transports or {}).get(route)
            return httpx.AsyncClient(
                base_url=str(url), timeout=timeout, limits=limits, transport=transport
            )

        async with (
            client(Route.EDGE, settings.edge_url) as edge,
            client(Route.CLOUD, settings.cloud_url) as cloud,
        ):
            tiers = {
                Route.EDGE: Tier(Route.EDGE, settings.tier("edge"), edge, settings.ewma_weight),
                Route.CLOUD: Tier(Route.CLOUD, settings.tier("cloud"), cloud, settings.ewma_weight),
            }
            history = HistoryStore(redis, settings, metrics)
            app.state.redis = redis
            app.state.history = history
            app.state.chat = ChatService(
                settings, tiers, history, metrics, background, DEFAULT_QUALITY
            )
            consumer = asyncio.create_task(history.run_consumer(settings.instance_id))
            try:
                yield
            finally:
                await background.drain()
                consumer.cancel()
                await asyncio.gather(consumer, return_exceptions=True)
                await redis.aclose()

    app = FastAPI(
        title="edgecloud orchestrator",
        summary="Routes each generation request to the edge or the cloud LLM and measures it.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    install_error_handlers(app)
    for router in (openai_api, history_api, policy_api, health_api):
        app.include_router(router)
    app.mount("/metrics", make_asgi_app(registry))
    return app


def create_app_from_env() -> FastAPI:
    """Entry point for ``uvicorn --factory``: settings from the environment."""
    return create_app(OrchestratorSettings())
