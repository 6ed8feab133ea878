"""The emulated engine's app: vLLM's OpenAI-compatible routes over the engine model."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from prometheus_client import CollectorRegistry, Counter

from edgecloud.api.errors import ServiceUnavailableError
from edgecloud.api.openai import ChatCompletionRequest
from edgecloud.common.service_app import service_app
from edgecloud.common.tasks import running

from .metrics import EngineMetrics
from .profile import EngineProfile, load_profile
from .service import EmulatedEngine
from .settings import EmulatorSettings


async def _engine(request: Request) -> EmulatedEngine:
    engine: EmulatedEngine = request.app.state.engine
    return engine


EngineDep = Annotated[EmulatedEngine, Depends(_engine)]
api = APIRouter(tags=["engine"])


@api.post("/v1/chat/completions", response_model=None)
async def chat_completions(body: ChatCompletionRequest, engine: EngineDep) -> Response:
    """A chat completion, streamed or whole, timed by the engine model."""
    plan, fault = engine.plan(body)
    if body.stream:
        return StreamingResponse(engine.stream(plan, fault), media_type="text/event-stream")
    return JSONResponse(await engine.complete(plan, fault))


@api.get("/v1/models")
async def models(engine: EngineDep) -> dict[str, object]:
    """The one served model, as vLLM lists it."""
    card = {
        "id": engine.model_name,
        "object": "model",
        "created": 0,
        "owned_by": "edgecloud-emulated",
        "root": engine.profile.name,
        "max_model_len": engine.profile.limits.max_model_len,
    }
    return {"object": "list", "data": [card]}


@api.get("/health")
async def health(request: Request, engine: EngineDep) -> Response:
    """Empty 200 once started (503 during an injected slow start), like vLLM's."""
    if not engine.ready:
        raise ServiceUnavailableError("the engine is starting", code="starting")
    if any(loop.done() for loop in request.app.state.loops.values()):
        raise ServiceUnavailableError("the engine loop stopped", code="engine_dead")
    return PlainTextResponse("")


def create_app(settings: EmulatorSettings, profile: EngineProfile | None = None) -> FastAPI:
    profile = profile or load_profile(settings.profile)
    registry = CollectorRegistry()
    model_name = settings.served_model_name or profile.served_model_name
    errors = Counter(
        "edgecloud_emulated_engine_errors",
        "Error responses of the emulated engine",
        ["status", "code"],
        registry=registry,
    )
    engine = EmulatedEngine(profile, settings, EngineMetrics(registry, profile, model_name))

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.engine = engine
        async with running({"engine": engine.runner.run()}) as loops:
            app.state.loops = loops
            yield

    def count_error(status: int, code: str) -> None:
        errors.labels(str(status), code).inc()

    return service_app(
        "edgecloud emulated engine",
        f"An OpenAI-compatible engine timed by the {profile.name} profile.",
        lifespan,
        settings,
        (api,),
        registry,
        count_error,
    )


def create_app_from_env() -> FastAPI:
    """Entry point for ``uvicorn --factory``: settings from the environment."""
    return create_app(EmulatorSettings())
