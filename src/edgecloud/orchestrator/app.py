"""The orchestrator's app factory and lifespan."""

from __future__ import annotations

import contextlib
import random
from collections.abc import AsyncIterator, Mapping

import httpx
from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from redis.asyncio import Redis

from edgecloud.api import headers as h
from edgecloud.common.gc_tuning import freeze_startup_objects
from edgecloud.common.http import relay_client, relay_timeout, relay_transport
from edgecloud.common.service_app import service_app
from edgecloud.common.tasks import BackgroundTasks, running
from edgecloud.icl import Decider, DecisionClient, PoolFeed
from edgecloud.icl.decider import Admission
from edgecloud.model.tasks import DEFAULT_QUALITY, Route
from edgecloud.policies import ExperiencePool

from .admin import admin_api
from .endpoints import TierEndpoint, bounded_slots
from .engine_load import poll_load
from .history import HistoryStore
from .history_source import RedisHistorySource
from .metrics import OrchestratorMetrics
from .report_consumer import ReportConsumer
from .reset import StateReset
from .routes import health_api, history_api, openai_api, policy_api
from .service import ChatService
from .settings import OrchestratorSettings


def create_app(
    settings: OrchestratorSettings,
    transports: Mapping[Route | str, httpx.AsyncBaseTransport] | None = None,
) -> FastAPI:
    """Build the app; ``transports`` replace the network transports of the tiers and of the
    decision LLM (key ``"icl"``) in unit tests."""
    registry = CollectorRegistry()
    metrics = OrchestratorMetrics(registry)
    transports = transports or {}

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            await _start(app, stack, settings, metrics, transports)
            freeze_startup_objects()
            yield

    return service_app(
        "edgecloud orchestrator",
        "Routes each generation request to the edge or the cloud LLM and measures it.",
        lifespan,
        settings,
        (openai_api, history_api, policy_api, health_api, admin_api),
        registry,
        metrics.count_error,
    )


async def _start(
    app: FastAPI,
    stack: contextlib.AsyncExitStack,
    settings: OrchestratorSettings,
    metrics: OrchestratorMetrics,
    transports: Mapping[Route | str, httpx.AsyncBaseTransport],
) -> None:
    """Open the clients, build the request path onto ``app.state`` and start the loops; all of it
    is closed by ``stack``, in reverse: pending history writes drain first, then the loops stop,
    then the clients close."""
    redis = Redis.from_url(settings.redis_url, socket_timeout=5.0, socket_connect_timeout=2.0)
    stack.push_async_callback(redis.aclose)
    endpoints = {}
    for route in Route:
        transport = transports.get(route) or relay_transport(ENGINE_LIMITS)
        client = _engine_client(settings, route, transport)
        http = await stack.enter_async_context(client)
        endpoints[route] = TierEndpoint(
            route, settings.tier(route), http, settings.ewma_weight, transport
        )
    icl_http = await stack.enter_async_context(
        _decision_llm_client(settings, transports.get("icl"))
    )
    background = BackgroundTasks()
    history = HistoryStore(redis, settings, metrics)
    feed = PoolFeed(
        ExperiencePool(settings.pool_size),
        RedisHistorySource(redis, settings.history_stream),
        settings.pool_stale_after_s,
    )
    admission = _decision_admission(settings, endpoints[Route.EDGE])
    decider = Decider(
        settings.decision_config(),
        random.Random(settings.seed),
        feed.pool,
        DecisionClient(icl_http, settings.icl_model or settings.edge_model),
        metrics.decider,
        background,
        pool_fresh=feed.is_fresh,
        admission=admission,
    )
    app.state.redis = redis
    app.state.history = history
    app.state.reset = StateReset(endpoints, decider, feed, settings.seed)
    app.state.chat = ChatService(
        settings, endpoints, history, metrics, background, DEFAULT_QUALITY, decider
    )
    loops = {
        "report_consumer": ReportConsumer(redis, history, settings, metrics).run(),
        "pool_feed": feed.run(settings.pool_refresh_s, metrics.pool_size.set),
        "load_poller": poll_load(
            list(endpoints.values()), settings.load_poll_s, metrics.engine_requests
        ),
    }
    app.state.loops = await stack.enter_async_context(running(loops))
    # At exit, last in first out: pending writes finish, then what Redis has not taken is replayed.
    stack.push_async_callback(history.spool.flush)
    stack.push_async_callback(background.drain, settings.shutdown_drain_s)


def _decision_admission(settings: OrchestratorSettings, edge: TierEndpoint) -> Admission:
    """The decision LLM is the edge engine unless one of its own is configured: its calls take the
    edge tier's admission slots like the requests do, or the decision LLM's own bounded slots."""
    if settings.icl_url is None:
        return edge.slot
    return bounded_slots(settings.icl_max_in_flight)


ENGINE_LIMITS = httpx.Limits(max_connections=512, max_keepalive_connections=128)


def _engine_client(
    settings: OrchestratorSettings, route: Route, transport: httpx.AsyncBaseTransport
) -> httpx.AsyncClient:
    read_s = settings.read_timeout_s
    timeout = relay_timeout(settings.connect_timeout_s, read_s, pool_s=read_s)
    client = relay_client(timeout, ENGINE_LIMITS, str(settings.tier(route).url), transport)
    if settings.shared_secret is not None:
        # The radio emulator's backhaul (the cloud tier's path by default) serves only us.
        client.headers[h.BACKHAUL_TOKEN] = settings.shared_secret.get_secret_value()
    return client


def _decision_llm_client(
    settings: OrchestratorSettings, transport: httpx.AsyncBaseTransport | None
) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=str(settings.icl_url or settings.edge_url),
        timeout=httpx.Timeout(settings.icl_timeout_s),
        transport=transport,
    )


def create_app_from_env() -> FastAPI:
    """Entry point for ``uvicorn --factory``: settings from the environment."""
    return create_app(OrchestratorSettings())
