"""The admin API: read and change cells, UEs, schedulers and the backhaul at run time.

Every change needs ``Authorization: Bearer <EDGECLOUD_RADIO_ADMIN_TOKEN>``; with no token configured
the API refuses all changes (there is no default token). Every value is validated; a bad one is a
400 in the common error shape. Every change is also kept in Redis (``admin_state``) and restored
when the emulator starts; a change Redis did not keep is applied and answered with a 503 that says
so.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    model_validator,
)

from edgecloud.api.errors import (
    BadRequestError,
    ErrorResponse,
    NotFoundError,
    ServiceUnavailableError,
)
from edgecloud.common.admin_auth import require_admin
from edgecloud.model.cells import Direction, RadioConfigError, Ue
from edgecloud.model.mobility import Mobility, MobilityKind
from edgecloud.model.scheduling import SchedulerKind

from .admin_state import AdminStateError, AdminStateStore
from .air import AirInterface, resolve_ue_id
from .backhaul_proxy import BackhaulProxy
from .deps import AirDep, BackhaulDep
from .links import Backhaul
from .schemas import UeView, ue_view

ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorResponse} for code in (400, 401, 403, 404, 503)
}
admin_api = APIRouter(
    prefix="/admin", tags=["admin"], dependencies=[Depends(require_admin)], responses=ERRORS
)
cells_api = APIRouter(prefix="/cells", tags=["UEs"])


MIN_BACKHAUL_RATE_BPS = 1e5

logger = logging.getLogger(__name__)


async def _state(request: Request) -> AdminStateStore:
    store: AdminStateStore = request.app.state.admin_state
    return store


StateDep = Annotated[AdminStateStore, Depends(_state)]


async def _keep(change: Any) -> None:
    """Run a store change; Redis refusing it is a 503 (the change itself is in effect)."""
    try:
        await change
    except AdminStateError as exc:
        raise ServiceUnavailableError(
            "applied, but Redis did not keep it: a restart of the radio emulator would forget it",
            code="redis",
        ) from exc


class Strict(BaseModel):
    """A request body: no unknown field, and numbers are numbers (JSON's true is not 1)."""

    model_config = ConfigDict(extra="forbid")


class CellView(BaseModel):
    cell_id: int
    x_m: float
    y_m: float
    power_dbm: float
    load: float = Field(description="fraction of RBs busy, as seen by neighbours' interference")
    n_rbs: int
    rbg_size: int
    active_ues: dict[Direction, int]
    static_rbs_reserved: dict[Direction, int]


class CellUpdate(Strict):
    power_dbm: StrictFloat | None = Field(default=None, ge=0.0, le=53.0)
    load: StrictFloat | None = Field(default=None, ge=0.0, le=1.0)


class SchedulerConfig(Strict):
    downlink: SchedulerKind | None = None
    uplink: SchedulerKind | None = None
    pf_window_epochs: StrictFloat | None = Field(default=None, ge=1.0, le=100_000.0)


class BackhaulConfig(Strict):
    delay_s: StrictFloat = Field(ge=0.0, le=5.0, description="one way")
    # At least 100 kbit/s: a slower backhaul would hold a response past every timeout (at
    # 5e-324 bit/s, found by the fuzzer, forever).
    rate_bps: StrictFloat = Field(ge=MIN_BACKHAUL_RATE_BPS, le=1e12)
    jitter_s: StrictFloat = Field(default=0.0, ge=0.0, le=1.0)


class MobilityConfig(Strict):
    kind: MobilityKind
    speed_mps: StrictFloat = Field(default=1.0, ge=0.0, le=70.0)
    min_speed_mps: StrictFloat = Field(default=0.5, ge=0.0, le=70.0)
    pause_s: StrictFloat = Field(default=0.0, ge=0.0, le=3600.0)


class StaticRbs(Strict):
    downlink: StrictInt | None = Field(default=None, ge=1, le=275)
    uplink: StrictInt | None = Field(default=None, ge=1, le=275)


class UeUpdate(Strict):
    x_m: StrictFloat | None = Field(default=None, ge=-100_000, le=100_000)
    y_m: StrictFloat | None = Field(default=None, ge=-100_000, le=100_000)
    mobility: MobilityConfig | None = None
    static_rbs: StaticRbs | None = Field(
        default=None, description="fixed RBs per direction; null in a direction: scheduled"
    )

    @model_validator(mode="after")
    def _both_coordinates(self) -> UeUpdate:
        if (self.x_m is None) != (self.y_m is None):
            raise ValueError("give both x_m and y_m, or neither")
        return self


@cells_api.get("", response_model=list[CellView])
async def list_cells(air: AirDep) -> list[CellView]:
    """Every cell: position, RBs, active UEs and statically reserved RBs per direction."""
    env = air.environment
    schedulers = {Direction.UPLINK: air.uplink, Direction.DOWNLINK: air.downlink}
    return [
        CellView(
            cell_id=i,
            x_m=site.x_m,
            y_m=site.y_m,
            power_dbm=env.cell_power_dbm[i],
            load=env.cell_load[i],
            n_rbs=env.carrier.n_rbs,
            rbg_size=env.carrier.rbg_size,
            active_ues={d: s.active_ues(i) for d, s in schedulers.items()},
            static_rbs_reserved={
                d: sum(u.static_rbs[d] or 0 for u in env.ues.values() if u.cell_id == i)
                for d in Direction
            },
        )
        for i, site in enumerate(env.sites)
    ]


@admin_api.put("/cells/{cell_id}", response_model=CellView)
async def put_cell(cell_id: int, update: CellUpdate, air: AirDep, state: StateDep) -> CellView:
    """Change a cell's transmit power or load (the interference it causes)."""
    try:
        apply_cell(air, cell_id, update)
    except RadioConfigError as exc:
        raise NotFoundError(str(exc), param="cell_id", code="unknown_cell") from exc
    view = (await list_cells(air))[cell_id]
    await _keep(state.save(f"cell:{cell_id}", {"power_dbm": view.power_dbm, "load": view.load}))
    return view


def apply_cell(air: AirInterface, cell_id: int, update: CellUpdate) -> None:
    air.environment.set_cell(cell_id, update.power_dbm, update.load)


@admin_api.get("/scheduler", response_model=SchedulerConfig)
async def get_scheduler(air: AirDep) -> SchedulerConfig:
    """The scheduler of each direction."""
    return SchedulerConfig(
        downlink=air.downlink.kind,
        uplink=air.uplink.kind,
        pf_window_epochs=air.downlink.pf_window_epochs,
    )


@admin_api.put("/scheduler", response_model=SchedulerConfig)
async def put_scheduler(config: SchedulerConfig, air: AirDep, state: StateDep) -> SchedulerConfig:
    """Change a direction's scheduler or the PF averaging window."""
    apply_scheduler(air, config)
    now = await get_scheduler(air)
    await _keep(state.save("scheduler", now.model_dump(mode="json")))
    return now


def apply_scheduler(air: AirInterface, config: SchedulerConfig) -> None:
    if config.downlink is not None:
        air.downlink.set_kind(config.downlink)
    if config.uplink is not None:
        air.uplink.set_kind(config.uplink)
    if config.pf_window_epochs is not None:
        air.downlink.pf_window_epochs = air.uplink.pf_window_epochs = config.pf_window_epochs


@admin_api.get("/backhaul", response_model=BackhaulConfig)
async def get_backhaul(proxy: BackhaulDep) -> BackhaulConfig:
    """The backhaul's one-way delay, rate and jitter."""
    link = proxy.backhaul.downlink
    return BackhaulConfig(delay_s=link.delay_s, rate_bps=link.rate_bps, jitter_s=link.jitter_s)


@admin_api.put("/backhaul", response_model=BackhaulConfig)
async def put_backhaul(
    config: BackhaulConfig, proxy: BackhaulDep, state: StateDep
) -> BackhaulConfig:
    """Change the backhaul (both directions)."""
    apply_backhaul(proxy, config)
    await _keep(state.save("backhaul", config.model_dump(mode="json")))
    return config


def apply_backhaul(proxy: BackhaulProxy, config: BackhaulConfig) -> None:
    proxy.backhaul = Backhaul.symmetric(config.delay_s, config.rate_bps, config.jitter_s)


@admin_api.put("/ues/{ue_id}", response_model=UeView)
async def put_ue(ue_id: str, update: UeUpdate, air: AirDep, state: StateDep) -> UeView:
    """Place a UE, set its mobility or static RBs; an unknown UE is registered."""
    ue = apply_ue(air, ue_id, update)
    # What is kept is the UE as it now is (an earlier PUT's placement stays, as in memory).
    await _keep(state.save(f"ue:{ue.ue_id}", _settings_of(ue).model_dump(mode="json")))
    return ue_view(air, ue)


def _settings_of(ue: Ue) -> UeUpdate:
    """The admin settings that put ``ue`` where and how it is now."""
    position = ue.position
    return UeUpdate(
        x_m=position.x_m,
        y_m=position.y_m,
        mobility=MobilityConfig.model_validate(dataclasses.asdict(ue.mobility)),
        static_rbs=StaticRbs(
            downlink=ue.static_rbs[Direction.DOWNLINK], uplink=ue.static_rbs[Direction.UPLINK]
        ),
    )


def apply_ue(air: AirInterface, ue_id: str, update: UeUpdate) -> Ue:
    ue = air.attach(resolve_ue_id(ue_id, None), check_coverage=False, pin=True)
    env = air.environment
    try:
        if update.x_m is not None and update.y_m is not None:
            env.move(ue, update.x_m, update.y_m)
        if update.mobility is not None:
            env.set_mobility(ue, Mobility(**update.mobility.model_dump()))
        if update.static_rbs is not None:
            for direction in Direction:
                env.set_static_rbs(ue, direction, getattr(update.static_rbs, direction.value))
    except (RadioConfigError, ValueError) as exc:
        raise BadRequestError(str(exc), code="invalid_value") from exc
    return ue


@admin_api.delete("/ues/{ue_id}", status_code=204, response_class=Response)
async def delete_ue(ue_id: str, air: AirDep, state: StateDep) -> Response:
    """Forget a UE and its scheduler state (it is placed again, at the same spot, if it comes
    back)."""
    if not air.registry.forget(ue_id):
        raise NotFoundError(f"UE {ue_id} is not registered", param="ue_id", code="unknown_ue")
    await _keep(state.delete(f"ue:{ue_id}"))
    return Response(status_code=204)
