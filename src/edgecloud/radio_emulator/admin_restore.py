"""At start, the radio emulator applies what the admin API changed before (kept in Redis)."""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError

from edgecloud.api.errors import BadRequestError
from edgecloud.model.cells import RadioConfigError

from .admin import (
    BackhaulConfig,
    CellUpdate,
    SchedulerConfig,
    UeUpdate,
    apply_backhaul,
    apply_cell,
    apply_scheduler,
    apply_ue,
)
from .admin_state import AdminStateError, AdminStateStore
from .air import AirInterface
from .backhaul_proxy import BackhaulProxy

logger = logging.getLogger(__name__)


async def restore(state: AdminStateStore, air: AirInterface, proxy: BackhaulProxy) -> int:
    """Apply every change Redis kept (cells, scheduler and backhaul before UEs); one that no
    longer validates is counted and skipped. Returns how many were restored."""
    try:
        saved = await state.load()
    except AdminStateError:
        logger.exception("admin state not restored: Redis unavailable")
        state.events.labels("restore_failed").inc()
        return 0
    restored = 0
    for field in sorted(saved, key=lambda f: f.startswith("ue:")):
        try:
            _restore_one(field, saved[field], air, proxy)
        except (ValidationError, RadioConfigError, BadRequestError, ValueError, KeyError):
            logger.exception("admin state %s could not be restored; skipped", field)
            state.events.labels("restore_failed").inc()
        else:
            restored += 1
            state.events.labels("restored").inc()
    logger.info("restored %d admin changes", restored)
    return restored


def _restore_one(
    field: str, value: dict[str, Any], air: AirInterface, proxy: BackhaulProxy
) -> None:
    kind, _, name = field.partition(":")
    if kind == "cell":
        apply_cell(air, int(name), CellUpdate.model_validate(value))
    elif kind == "scheduler":
        apply_scheduler(air, SchedulerConfig.model_validate(value))
    elif kind == "backhaul":
        apply_backhaul(proxy, BackhaulConfig.model_validate(value))
    elif kind == "ue":
        apply_ue(air, name, UeUpdate.model_validate(value))
    else:
        raise KeyError(field)
