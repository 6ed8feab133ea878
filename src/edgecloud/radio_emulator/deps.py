"""Typed dependencies: the objects the lifespan created, as routes see them.

Coroutines, not plain functions: FastAPI runs a plain dependency in a worker thread, a thread
hand-off per request for an attribute read.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from .air import AirInterface
from .backhaul_proxy import BackhaulProxy


async def _air(request: Request) -> AirInterface:
    air: AirInterface = request.app.state.air
    return air


async def _backhaul(request: Request) -> BackhaulProxy:
    proxy: BackhaulProxy = request.app.state.backhaul
    return proxy


AirDep = Annotated[AirInterface, Depends(_air)]
BackhaulDep = Annotated[BackhaulProxy, Depends(_backhaul)]
