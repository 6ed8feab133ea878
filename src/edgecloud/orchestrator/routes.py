"""HTTP routes of the orchestrator: the OpenAI-compatible API, history, policies and health."""

from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from redis.exceptions import RedisError

from edgecloud.api import headers as h
from edgecloud.api.errors import ErrorResponse, ServiceUnavailableError
from edgecloud.api.openai import ChatCompletionRequest, ModelList

from .deps import ChatServiceDep, HistoryDep
from .records import HistoryRecord
from .routing import known_policies

ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorResponse} for code in (400, 404, 413, 431, 502, 503)
}

openai_api = APIRouter(prefix="/v1", tags=["OpenAI-compatible"])
history_api = APIRouter(prefix="/history", tags=["history"])
policy_api = APIRouter(prefix="/policies", tags=["policies"])
health_api = APIRouter(tags=["health"])


@openai_api.post(
    "/chat/completions",
    responses=ERRORS
    | {
        200: {
            "description": "the completion: JSON, or server-sent events when streamed",
            "content": {"application/json": {}, "text/event-stream": {}},
        }
    },
)
async def chat_completions(
    payload: ChatCompletionRequest,
    request: Request,
    service: ChatServiceDep,
    x_policy: Annotated[str | None, Header(alias=h.POLICY)] = None,
) -> Response:
    """Generate a chat completion on the tier the policy (or a pinned model) chooses."""
    routed = await service.route(payload, request.headers, x_policy)
    return await service.complete(payload, routed, request.is_disconnected)


@openai_api.get("/models", response_model=ModelList)
async def list_models(service: ChatServiceDep) -> ModelList:
    """'auto' (the policy routes) and each tier's model (pins that tier)."""
    return service.models()


class HistoryPage(BaseModel):
    data: list[HistoryRecord]
    next_before: str | None = Field(
        default=None, description="pass as `before` for the next older page; null at the oldest"
    )


@history_api.get("", response_model=HistoryPage, responses={503: {"model": ErrorResponse}})
async def read_history(
    history: HistoryDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    before: Annotated[
        str | None,
        Query(pattern=r"^\d{1,20}-\d{1,20}$", description="a page's next_before: older records"),
    ] = None,
) -> HistoryPage:
    """The finished requests, newest first, a page at a time."""
    try:
        records, next_before = await history.read_page(limit, before)
        return HistoryPage(data=records, next_before=next_before)
    except RedisError as exc:
        raise ServiceUnavailableError("the history store is unavailable", code="redis") from exc


class PolicyList(BaseModel):
    default: str
    available: list[str]


@policy_api.get("", response_model=PolicyList)
async def list_policies(service: ChatServiceDep, request: Request) -> PolicyList:
    """Policies selectable with the X-Policy header."""
    default = request.app.state.settings.default_policy
    return PolicyList(default=default, available=known_policies())


class Health(BaseModel):
    status: str
    service: str = "orchestrator"
    checks: dict[str, bool] = {}


@health_api.get("/healthz", response_model=Health)
async def healthz() -> Health:
    """Liveness: the orchestrator answers."""
    return Health(status="ok")


@health_api.get("/readyz", response_model=Health, responses={503: {"model": Health}})
async def readyz(request: Request, service: ChatServiceDep) -> Response:
    """Readiness: Redis and both tiers answer, and every background loop still runs."""
    checks: dict[str, bool] = {
        f"loop:{name}": not task.done() for name, task in request.app.state.loops.items()
    }
    try:
        checks["redis"] = bool(await request.app.state.redis.ping())
    except RedisError:
        checks["redis"] = False
    for route, tier in service.endpoints.items():
        try:
            checks[route.value] = (await tier.client.get("/health", timeout=2.0)).status_code == 200
        except httpx.HTTPError:
            checks[route.value] = False
    ok = all(checks.values())
    body = Health(status="ok" if ok else "degraded", checks=checks)
    return Response(
        body.model_dump_json(), status_code=200 if ok else 503, media_type="application/json"
    )
