"""Typed dependencies: the objects the lifespan created, as routes see them."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from .history import HistoryStore
from .service import ChatService


def _service(request: Request) -> ChatService:
    service: ChatService = request.app.state.chat
    return service


def _history(request: Request) -> HistoryStore:
    history: HistoryStore = request.app.state.history
    return history


ChatServiceDep = Annotated[ChatService, Depends(_service)]
HistoryDep = Annotated[HistoryStore, Depends(_history)]
