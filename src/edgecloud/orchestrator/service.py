"""The orchestrator's request path, in three parts: route (decide), forward (open the engine's
stream, failing over), relay (stream back and record). Each part's failures are typed errors that
the app's installed handlers render; every outcome is counted once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from fastapi.responses import Response

from edgecloud.api.openai import ChatCompletionRequest, ModelList
from edgecloud.common.tasks import BackgroundTasks
from edgecloud.icl import Decider
from edgecloud.model.tasks import QualityTable, Route

from .endpoints import TierEndpoint
from .forwarding import Forwarder
from .history import HistoryStore
from .metrics import OrchestratorMetrics
from .relay import Relay
from .routing import Deployment, Routed, Router
from .settings import OrchestratorSettings


class ChatService:
    def __init__(
        self,
        settings: OrchestratorSettings,
        endpoints: Mapping[Route, TierEndpoint],
        history: HistoryStore,
        metrics: OrchestratorMetrics,
        background: BackgroundTasks,
        quality: QualityTable,
        decider: Decider,
    ) -> None:
        self.endpoints = endpoints
        deployment = Deployment(settings, endpoints, metrics, quality)
        self._router = Router(deployment, decider)
        self._forwarder = Forwarder(deployment)
        self._relay = Relay(history, metrics, background, self._forwarder.release)

    def models(self) -> ModelList:
        return self._router.models()

    async def route(
        self, request: ChatCompletionRequest, headers: Mapping[str, str], policy_header: str | None
    ) -> Routed:
        return await self._router.route(request, headers, policy_header)

    async def complete(
        self,
        request: ChatCompletionRequest,
        routed: Routed,
        is_disconnected: Callable[[], Awaitable[bool]],
    ) -> Response:
        opened = await self._forwarder.open(request, routed)
        return await self._relay.respond(request, opened, is_disconnected)
