"""The orchestrator's admin API: a starting state on demand, for experiments.

``POST /admin/reset`` needs ``Authorization: Bearer <EDGECLOUD_ORCH_ADMIN_TOKEN>`` (unset: every
call is refused). The live experiment runner calls it before each policy so that every policy starts
from the same estimates, policy state and experience pool.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from edgecloud.api.errors import ErrorResponse, ServiceUnavailableError
from edgecloud.common.admin_auth import require_admin
from edgecloud.icl import ExperienceSourceError

from .records import HistoryRecord
from .reset import StateReset

# A warm-up pool of this many records fits the default 1 MiB body limit with room to spare.
MAX_RESET_RECORDS = 500

admin_api = APIRouter(
    prefix="/admin",
    tags=["admin"],
    dependencies=[Depends(require_admin)],
    responses={code: {"model": ErrorResponse} for code in (400, 401, 403, 503)},
)


class ResetRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pool: list[HistoryRecord] = Field(
        default_factory=list,
        max_length=MAX_RESET_RECORDS,
        description="history records (as GET /history gives them) to start the experience pool",
    )


class ResetReply(BaseModel):
    pool_size: int = Field(description="experiences in the pool after the reset")


async def _strictly_valid(request: Request) -> None:
    """The pool's records as GET /history writes them: no coercion (``false`` is not a time)."""
    try:
        ResetRequest.model_validate_json(await request.body(), strict=True)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False)) from exc


async def _state_reset(request: Request) -> StateReset:
    reset: StateReset = request.app.state.reset
    return reset


@admin_api.post("/reset", response_model=ResetReply, dependencies=[Depends(_strictly_valid)])
async def reset(
    body: ResetRequest, state: Annotated[StateReset, Depends(_state_reset)]
) -> ResetReply:
    """Estimates to their priors, policies restarted from the seed, the experience pool replaced
    with ``pool``; later history feeds the pool as usual."""
    try:
        return ResetReply(pool_size=await state.reset(body.pool))
    except ExperienceSourceError as exc:
        raise ServiceUnavailableError("the history store is unavailable", code="redis") from exc
