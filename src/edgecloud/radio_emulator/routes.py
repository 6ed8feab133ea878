"""HTTP routes of the radio emulator: the UE-facing API, the backhaul, UE views and health."""

from __future__ import annotations

import bisect
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import Response, StreamingResponse

from edgecloud.api import headers as h
from edgecloud.api.errors import ErrorResponse, ForbiddenError, NotFoundError
from edgecloud.api.openai import ChatCompletionRequest
from edgecloud.common.admin_auth import require_admin

from .air import client_request_id, resolve_ue_id
from .deps import AirDep, BackhaulDep
from .schemas import Health, UeList, UeView, ue_view

ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorResponse} for code in (400, 403, 413, 429, 431, 503)
}

ue_api = APIRouter(tags=["UE"])
backhaul_api = APIRouter(prefix="/backhaul", tags=["backhaul"])
# UE ids are what a UE sends as: listing them is for operators (the admin token).
ues_api = APIRouter(
    prefix="/ues",
    tags=["UEs"],
    dependencies=[Depends(require_admin)],
    responses={code: {"model": ErrorResponse} for code in (401, 403)},
)
health_api = APIRouter(tags=["health"])


@ue_api.post(
    "/v1/chat/completions",
    responses=ERRORS
    | {
        200: {
            "description": "the orchestrator's answer: JSON, or server-sent events when streamed",
            "content": {"application/json": {}, "text/event-stream": {}},
        },
        404: {"model": ErrorResponse},
        502: {"model": ErrorResponse},
    },
)
async def chat_completions(
    payload: ChatCompletionRequest,
    request: Request,
    air: AirDep,
    x_ue_id: Annotated[str | None, Header(alias=h.UE_ID)] = None,
    x_request_id: Annotated[str | None, Header(alias=h.REQUEST_ID)] = None,
    x_policy: Annotated[str | None, Header(alias=h.POLICY)] = None,
) -> StreamingResponse:
    """Send a chat completion over the UE's radio link; the answer streams back at its rate."""
    client_id = client_request_id(x_request_id)
    settings = request.app.state.settings
    if x_policy is not None and not settings.ue_may_use(x_policy):
        allowed = [p for p in settings.ue_policies if settings.ue_may_use(p)]
        raise ForbiddenError(
            f"a UE may not ask for policy {x_policy!r}; allowed: {', '.join(allowed)}",
            param=h.POLICY,
            code="policy_not_allowed",
        )
    ue = air.attach(resolve_ue_id(x_ue_id, payload.user))
    body = await request.body()
    return await air.chat("/v1/chat/completions", body, dict(request.headers), ue, client_id)


@ue_api.get("/v1/models")
async def list_models(air: AirDep) -> Response:
    """The orchestrator's models, relayed without radio shaping (a control-plane call)."""
    return await air.relay_get("/v1/models")


@backhaul_api.api_route(
    "/{path:path}",
    methods=["GET", "POST"],
    responses=ERRORS
    | {
        401: {"model": ErrorResponse},
        404: {"description": "a path no route takes, or the cloud engine's own 404"},
        "default": {"description": "the cloud engine's own answer, relayed as it is"},
    },
)
async def backhaul(path: str, request: Request, proxy: BackhaulDep) -> StreamingResponse:
    """Forward a request to the cloud LLM across the emulated backhaul."""
    body = await request.body()
    return await proxy.forward(request.method, path, request.url.query, body, dict(request.headers))


def _view(air: AirDep, ue_id: str) -> UeView:
    ue = air.environment.ues.get(ue_id)
    if ue is None:
        raise NotFoundError(f"UE {ue_id} is not registered", param="ue_id", code="unknown_ue")
    return ue_view(air, ue)


@ues_api.get("", response_model=UeList)
async def list_ues(
    air: AirDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    after: Annotated[str | None, Query(description="the last UE id of the previous page")] = None,
) -> UeList:
    """Registered UEs with their position, SINR, RBs and rates, a page at a time, by UE id."""
    ids = sorted(air.environment.ues)
    start = bisect.bisect_right(ids, after) if after is not None else 0
    page = ids[start : start + limit]
    more = start + limit < len(ids)
    return UeList(data=[_view(air, ue_id) for ue_id in page], next_after=page[-1] if more else None)


@ues_api.get("/{ue_id}", response_model=UeView, responses={404: {"model": ErrorResponse}})
async def get_ue(ue_id: str, air: AirDep) -> UeView:
    """One UE's radio state."""
    return _view(air, ue_id)


@health_api.get("/healthz", response_model=Health)
async def healthz() -> Health:
    """Liveness: the emulator answers."""
    return Health(service="radio-emulator")
