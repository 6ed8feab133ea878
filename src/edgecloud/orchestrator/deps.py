"""Typed dependencies: the objects the lifespan created, as routes see them.

Coroutines, not plain functions: FastAPI runs a plain dependency in a worker thread, a thread
hand-off per request for an attribute read.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from .history import HistoryStore
from .service import ChatService


async def _service(request: Request) -> ChatService:
    service: ChatService = request.app.state.chat
    return service


async def _history(request: Request) -> HistoryStore:
    history: HistoryStore = request.app.state.history
    return history


ChatServiceDep = Annotated[ChatService, Depends(_service)]
HistoryDep = Annotated[HistoryStore, Depends(_history)]
