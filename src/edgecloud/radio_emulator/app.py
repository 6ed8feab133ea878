"""The radio emulator's app factory and lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Mapping
from typing import Literal

import httpx
from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from redis.asyncio import Redis

from edgecloud.common.gc_tuning import freeze_startup_objects
from edgecloud.common.http import relay_client, relay_timeout
from edgecloud.common.service_app import service_app
from edgecloud.common.tasks import BackgroundTasks, running
from edgecloud.model.cells import Direction, RadioEnvironment

from .admin import admin_api, cells_api
from .admin_restore import restore
from .admin_state import AdminStateStore
from .air import AirInterface
from .backhaul_proxy import BackhaulProxy
from .links import Backhaul
from .metrics import RadioMetrics, SchedulerCollector
from .orchestrators import OrchestratorPool
from .publisher import ReportPublisher
from .routes import backhaul_api, health_api, ue_api, ues_api
from .scheduler import AirScheduler
from .settings import RadioSettings

Upstream = Literal["orchestrator", "cloud"]


def create_app(
    settings: RadioSettings, transports: Mapping[Upstream, httpx.AsyncBaseTransport] | None = None
) -> FastAPI:
    """Build the app; ``transports`` replace the network transports to the orchestrator and to the
    cloud tier (behind the backhaul) in unit tests."""
    transports = transports or {}
    registry = CollectorRegistry()
    metrics = RadioMetrics(registry)
    environment = RadioEnvironment(settings.layout())
    schedulers = {
        Direction.DOWNLINK: _scheduler(settings, environment, Direction.DOWNLINK),
        Direction.UPLINK: _scheduler(settings, environment, Direction.UPLINK),
    }
    registry.register(SchedulerCollector(environment, schedulers, settings.metrics_max_ues))

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            await _start(app, stack, settings, metrics, environment, schedulers, transports)
            freeze_startup_objects()
            yield

    return service_app(
        "edgecloud radio emulator",
        "The gNB: shapes each UE's uplink and downlink and the backhaul to the cloud.",
        lifespan,
        settings,
        (ue_api, backhaul_api, ues_api, cells_api, admin_api, health_api),
        registry,
        metrics.count_error,
    )


async def _start(
    app: FastAPI,
    stack: contextlib.AsyncExitStack,
    settings: RadioSettings,
    metrics: RadioMetrics,
    environment: RadioEnvironment,
    schedulers: dict[Direction, AirScheduler],
    transports: Mapping[Upstream, httpx.AsyncBaseTransport],
) -> None:
    """Open the clients, build the air interface and the backhaul onto ``app.state`` and start
    the loops; all of it is closed by ``stack``, in reverse: pending reports drain first, then the
    loops stop, then the clients close."""
    redis = Redis.from_url(settings.redis_url, socket_timeout=2.0, socket_connect_timeout=2.0)
    stack.push_async_callback(redis.aclose)
    orchestrator_client = await stack.enter_async_context(
        _upstream_client(settings, transports.get("orchestrator"))
    )
    cloud_client = await stack.enter_async_context(
        _upstream_client(settings, transports.get("cloud"))
    )
    background = BackgroundTasks()
    publisher = ReportPublisher(
        redis,
        settings.delivery_stream,
        settings.delivery_stream_maxlen,
        metrics,
        spool_max=settings.report_spool_max,
    )
    app.state.air = AirInterface(
        environment,
        schedulers[Direction.UPLINK],
        schedulers[Direction.DOWNLINK],
        orchestrator_client,
        OrchestratorPool(
            settings.orchestrator_urls,
            orchestrator_client,
            metrics.orchestrator_up,
            metrics.orchestrator_failovers,
        ),
        publisher,
        metrics,
        background,
        settings.relay_buffer_chunks,
        _secret(settings),
    )
    app.state.backhaul = _backhaul(settings, cloud_client, metrics)
    await _restore_admin_state(app, redis, settings, metrics)
    loops = {f"{d.value}_scheduler": s.run() for d, s in schedulers.items()}
    loops["mobility"] = _move_ues(environment, settings.mobility_step_s)
    loops["report_spool"] = publisher.spool.run_replay()
    if settings.orchestrator_replicas:
        loops["orchestrator_checks"] = app.state.air.orchestrators.run_checks(
            settings.orchestrator_check_s
        )
    app.state.loops = await stack.enter_async_context(running(loops))
    # At exit, last in first out: reports being published finish, then the spool is replayed.
    stack.push_async_callback(publisher.spool.flush)
    stack.push_async_callback(background.drain, settings.shutdown_drain_s)


def _backhaul(
    settings: RadioSettings, client: httpx.AsyncClient, metrics: RadioMetrics
) -> BackhaulProxy:
    link = Backhaul.symmetric(
        settings.backhaul_delay_s,
        settings.backhaul_rate_bps,
        settings.backhaul_jitter_s,
        settings.seed,
    )
    return BackhaulProxy(link, client, str(settings.cloud_url), metrics, _secret(settings))


async def _restore_admin_state(
    app: FastAPI, redis: Redis, settings: RadioSettings, metrics: RadioMetrics
) -> None:
    app.state.admin_state = AdminStateStore(redis, settings.admin_state_key, metrics.admin_state)
    await restore(app.state.admin_state, app.state.air, app.state.backhaul)


def _secret(settings: RadioSettings) -> str | None:
    secret = settings.shared_secret
    return secret.get_secret_value() if secret is not None else None


def _scheduler(
    settings: RadioSettings, environment: RadioEnvironment, direction: Direction
) -> AirScheduler:
    downlink = direction is Direction.DOWNLINK
    return AirScheduler(
        environment,
        direction,
        settings.downlink_scheduler if downlink else settings.uplink_scheduler,
        settings.scheduling_epoch_s,
        settings.pf_window_epochs,
        harq=settings.harq_model(),
        seed=settings.seed + (0 if downlink else 1),
        rate_window_s=settings.measured_rate_window_s,
    )


def _upstream_client(
    settings: RadioSettings, transport: httpx.AsyncBaseTransport | None
) -> httpx.AsyncClient:
    connect_s = settings.upstream_connect_timeout_s
    timeout = relay_timeout(connect_s, settings.upstream_read_timeout_s, pool_s=connect_s)
    limits = httpx.Limits(max_connections=1024, max_keepalive_connections=256)
    return relay_client(timeout, limits, transport=transport)


async def _move_ues(environment: RadioEnvironment, step_s: float) -> None:
    """Advance the moving UEs in real time."""
    last = time.monotonic()
    while True:
        await asyncio.sleep(step_s)
        now = time.monotonic()
        environment.step_mobility(now - last)
        last = now


def create_app_from_env() -> FastAPI:
    """Entry point for ``uvicorn --factory``: settings from the environment."""
    return create_app(RadioSettings())
