"""Routing: the task state of a request, the policy's decision, and the tier it pins.

The result is a frozen ``Routed`` value; failing over makes a new one (``Routed.moved_to``).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace

from edgecloud.api import headers as h
from edgecloud.api.errors import BadRequestError, NotFoundError
from edgecloud.api.openai import ChatCompletionRequest, ModelCard, ModelList
from edgecloud.icl import DRL_POLICIES, ICL_MODES, Decider
from edgecloud.model.tasks import QualityTable, Route, TaskType
from edgecloud.policies import Decision, policy_names

from .endpoints import TierEndpoint
from .metrics import OrchestratorMetrics
from .radio_headers import RadioInfo, RadioTrust, radio_info, radio_trust, request_id
from .settings import OrchestratorSettings
from .state import build_task_state, state_features, task_type_of

AUTO_MODEL = "auto"
PINNED_POLICY = "pinned"


@dataclass(frozen=True, slots=True)
class Routed:
    request_id: str
    radio: RadioInfo
    decision: Decision
    endpoint: TierEndpoint
    task_type: TaskType
    quality_required: float
    quality: float  # of the tier that serves it
    expected_output_tokens: int
    state: dict[str, float]  # the numeric task state the policy saw
    decision_s: float
    received_monotonic_s: float  # time.monotonic() when the request arrived: delays start here
    received_wall_s: float  # time.time() at the same moment, for the record's timestamps

    @property
    def route(self) -> Route:
        return self.decision.route

    def response_headers(self) -> dict[str, str]:
        return {
            h.ROUTE: self.route.value,
            h.POLICY: self.decision.policy,
            h.REQUEST_ID: self.request_id,
        }

    def moved_to(self, endpoint: TierEndpoint, quality: float) -> Routed:
        """The same request failed over to ``endpoint`` (before its first byte)."""
        note = f"failover from {self.route.value}"
        decision = replace(self.decision, route=endpoint.route, note=note)
        return replace(self, decision=decision, endpoint=endpoint, quality=quality)


@dataclass(frozen=True, slots=True)
class Deployment:
    """What every part of the request path reads: the settings, both tiers' endpoints, the
    metrics and the quality table."""

    settings: OrchestratorSettings
    endpoints: Mapping[Route, TierEndpoint]
    metrics: OrchestratorMetrics
    quality: QualityTable


def known_policies() -> list[str]:
    return [*policy_names(), *ICL_MODES, *sorted(DRL_POLICIES)]


def max_tokens(request: ChatCompletionRequest, settings: OrchestratorSettings) -> int:
    """The tokens per choice the engine is asked for: the request's limit, or the default."""
    return request.token_limit or settings.default_max_tokens


class Router:
    def __init__(self, deployment: Deployment, decider: Decider) -> None:
        default = deployment.settings.default_policy
        if not Decider.known(default):  # fail fast on a bad default
            raise ValueError(f"unknown default policy {default!r}")
        self._settings = deployment.settings
        self._endpoints = deployment.endpoints
        self._metrics = deployment.metrics
        self._quality = deployment.quality
        self._decider = decider

    def models(self) -> ModelList:
        cards = [ModelCard(id=AUTO_MODEL, tier=AUTO_MODEL)]
        cards += [ModelCard(id=e.model, tier=r.value) for r, e in self._endpoints.items()]
        return ModelList(data=cards)

    def _pinned_route(self, model: str) -> Route | None:
        if model == AUTO_MODEL:
            return None
        for route, endpoint in self._endpoints.items():
            if endpoint.model == model:
                return route
        known = ", ".join(card.id for card in self.models().data)
        raise NotFoundError(
            f"model {model!r} does not exist; known: {known}", param="model", code="model_not_found"
        )

    def _trust(self, headers: Mapping[str, str]) -> bool:
        """Whether the radio headers are the radio emulator's; a refusal is counted."""
        secret = self._settings.shared_secret
        trust = radio_trust(secret.get_secret_value() if secret else None, headers)
        if trust not in (RadioTrust.SIGNED, RadioTrust.ABSENT):
            self._metrics.radio_headers_ignored.labels(trust.value).inc()
        return trust is RadioTrust.SIGNED

    def _policy_name(self, policy_header: str | None) -> str:
        name = policy_header or self._settings.default_policy
        if not Decider.known(name):
            raise BadRequestError(
                f"unknown policy {name!r}; known: {', '.join(known_policies())}",
                param=h.POLICY,
                code="unknown_policy",
            )
        return name

    def _check_generation_bound(self, request: ChatCompletionRequest) -> None:
        limit = self._settings.max_generated_tokens
        asked = request.n * max_tokens(request, self._settings)
        if asked > limit:
            raise BadRequestError(
                f"the request asks for {asked} tokens (n x max_tokens); at most {limit}",
                param="max_tokens",
                code="too_many_tokens",
            )

    async def route(
        self, request: ChatCompletionRequest, headers: Mapping[str, str], policy_header: str | None
    ) -> Routed:
        received_monotonic_s, received_wall_s = time.monotonic(), time.time()
        settings = self._settings
        trusted = self._trust(headers)
        radio = radio_info(
            headers,
            trusted,
            request.user,
            settings.default_dl_rate_bps,
            settings.default_ul_rate_bps,
        )
        self._check_generation_bound(request)
        pinned = self._pinned_route(request.model)
        policy_name = self._policy_name(policy_header)
        bytes_per_token = (
            settings.sse_bytes_per_token if request.stream else settings.json_bytes_per_token
        )
        task_type = task_type_of(request)
        state = build_task_state(
            request,
            task_type,  # classified once per request
            radio,
            self._endpoints[Route.EDGE].state(self._quality.of(Route.EDGE, task_type)),
            self._endpoints[Route.CLOUD].state(self._quality.of(Route.CLOUD, task_type)),
            self._quality,
            settings.backhaul_delay_s,
            bytes_per_token,
        )
        decide_started = time.perf_counter()
        if pinned is not None:
            decision = Decision(pinned, PINNED_POLICY, note=f"model {request.model} pins the tier")
        else:
            decision = await self._decider.decide(policy_name, state)
        decision_s = time.perf_counter() - decide_started
        self._metrics.decision_time.labels(decision.policy).observe(decision_s)
        self._metrics.decisions.labels(decision.policy, decision.route.value).inc()
        return Routed(
            request_id=request_id(headers, trusted, uuid.uuid4().hex),
            radio=radio,
            decision=decision,
            endpoint=self._endpoints[decision.route],
            task_type=state.task_type,
            quality_required=state.quality_required,
            quality=state.tier(decision.route).quality,
            expected_output_tokens=state.expected_output_tokens,
            state=state_features(state),
            decision_s=decision_s,
            received_monotonic_s=received_monotonic_s,
            received_wall_s=received_wall_s,
        )
