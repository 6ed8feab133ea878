"""The orchestrator's request path: build the state, decide, forward, stream back, record.

Failures are translated at this boundary: a tier that cannot be reached is a 503 naming the tier
(the engine never saw the request); an engine's 4xx is passed through in its own (OpenAI) shape; an
engine's 5xx becomes a 502 naming the tier; an error in the middle of a stream becomes a final SSE
error event. Every outcome is counted.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

import httpx
from fastapi.responses import JSONResponse, Response, StreamingResponse

from edgecloud.api import headers as h
from edgecloud.api.errors import (
    BadGatewayError,
    BadRequestError,
    NotFoundError,
    ServiceUnavailableError,
    error_response,
)
from edgecloud.api.openai import ChatCompletionRequest, ModelCard, ModelList
from edgecloud.api.sse import iter_events
from edgecloud.common.tasks import BackgroundTasks
from edgecloud.model.tasks import QualityTable, Route, TaskType
from edgecloud.policies import Decision, policy_names

from .decider import ICL_MODES, Decider
from .generation import GenerationTracker
from .history import HistoryStore
from .metrics import OrchestratorMetrics
from .records import OrchestratorPart
from .settings import OrchestratorSettings
from .state import RadioInfo, build_task_state, radio_info, state_features, task_type_of
from .tiers import Tier

logger = logging.getLogger(__name__)

AUTO_MODEL = "auto"
PINNED_POLICY = "pinned"


@dataclass(slots=True)
class Routed:
    request_id: str
    radio: RadioInfo
    decision: Decision
    tier: Tier
    task_type: str
    quality_required: float
    quality: float
    expected_output_tokens: int
    state: dict[str, float]
    decision_s: float
    started: float
    started_wall: float


class ChatService:
    def __init__(
        self,
        settings: OrchestratorSettings,
        tiers: dict[Route, Tier],
        history: HistoryStore,
        metrics: OrchestratorMetrics,
        background: BackgroundTasks,
        quality: QualityTable,
        decider: Decider,
    ) -> None:
        if not Decider.known(settings.default_policy):  # fail fast on a bad default
            raise ValueError(f"unknown default policy {settings.default_policy!r}")
        self._settings = settings
        self.tiers = tiers
        self._history = history
        self._metrics = metrics
        self._background = background
        self._quality = quality
        self._decider = decider

    def models(self) -> ModelList:
        cards = [ModelCard(id=AUTO_MODEL, tier=AUTO_MODEL)]
        cards += [ModelCard(id=t.model, tier=r.value) for r, t in self.tiers.items()]
        return ModelList(data=cards)

    def _pinned_route(self, model: str) -> Route | None:
        if model == AUTO_MODEL:
            return None
        for route, tier in self.tiers.items():
            if tier.model == model:
                return route
        known = ", ".join(card.id for card in self.models().data)
        raise NotFoundError(
            f"model {model!r} does not exist; known: {known}", param="model", code="model_not_found"
        )

    async def route(
        self, request: ChatCompletionRequest, headers: Mapping[str, str], policy_header: str | None
    ) -> Routed:
        started, started_wall = time.monotonic(), time.time()
        radio = radio_info(
            headers,
            request.user,
            self._settings.default_dl_rate_bps,
            self._settings.default_ul_rate_bps,
        )
        pinned = self._pinned_route(request.model)
        policy_name = policy_header or self._settings.default_policy
        if not Decider.known(policy_name):
            known = ", ".join([*policy_names(), *ICL_MODES])
            raise BadRequestError(
                f"unknown policy {policy_name!r}; known: {known}",
                param=h.POLICY,
                code="unknown_policy",
            )
        bytes_per_token = (
            self._settings.sse_bytes_per_token
            if request.stream
            else self._settings.json_bytes_per_token
        )
        task_type = task_type_of(request)
        state = build_task_state(
            request,
            radio,
            self.tiers[Route.EDGE].state(self._quality.of(Route.EDGE, task_type)),
            self.tiers[Route.CLOUD].state(self._quality.of(Route.CLOUD, task_type)),
            self._quality,
            self._settings.backhaul_delay_s,
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
        quality = state.tier(decision.route).quality
        return Routed(
            request_id=headers.get(h.REQUEST_ID.lower()) or uuid.uuid4().hex,
            radio=radio,
            decision=decision,
            tier=self.tiers[decision.route],
            task_type=state.task_type.value,
            quality_required=state.quality_required,
            quality=quality,
            expected_output_tokens=state.expected_output_tokens,
            state=state_features(state),
            decision_s=decision_s,
            started=started,
            started_wall=started_wall,
        )

    def _engine_body(self, request: ChatCompletionRequest, tier: Tier) -> dict[str, Any]:
        body = request.model_dump(exclude_unset=True, exclude={"metadata", "max_completion_tokens"})
        body["model"] = tier.model
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
        body["max_tokens"] = request.token_limit or self._settings.default_max_tokens
        if tier.config.stop:
            stop = body.get("stop") or []
            stop = [stop] if isinstance(stop, str) else list(stop)
            body["stop"] = stop + [s for s in tier.config.stop if s not in stop]
        return body

    def _response_headers(self, routed: Routed) -> dict[str, str]:
        return {
            h.ROUTE: routed.decision.route.value,
            h.POLICY: routed.decision.policy,
            h.REQUEST_ID: routed.request_id,
        }

    def _count(self, routed: Routed, status: str) -> None:
        self._metrics.requests.labels(
            routed.decision.route.value, routed.decision.policy, status
        ).inc()

    def _candidates(self, routed: Routed) -> list[Tier]:
        """The chosen tier, then the other one if it may take over (available, good enough)."""
        chosen = routed.tier
        other = self.tiers[Route.CLOUD if chosen.route is Route.EDGE else Route.EDGE]
        task_type = TaskType(routed.task_type)
        other_ok = other.available and (
            self._quality.of(other.route, task_type) >= routed.quality_required
        )
        candidates = [chosen] if chosen.available or not other_ok else []
        return candidates + ([other] if other_ok else [])

    def _fail_over(self, routed: Routed, failed: Tier, to: Tier) -> None:
        self._metrics.failovers.labels(failed.route.value, to.route.value).inc()
        routed.tier = to
        routed.decision = replace(
            routed.decision, route=to.route, note=f"failover from {failed.route.value}"
        )
        routed.quality = self._quality.of(to.route, TaskType(routed.task_type))

    def _cool_down(self, tier: Tier) -> None:
        tier.cool_down(self._settings.cooldown_s)
        self._metrics.cooldowns.labels(tier.route.value).inc()

    async def _start(
        self, request: ChatCompletionRequest, routed: Routed
    ) -> tuple[httpx.Response, float, float] | Response:
        """Open the engine's stream on the chosen tier, failing over before the first byte."""
        candidates = self._candidates(routed)
        failures: list[str] = []
        for attempt, tier in enumerate(candidates):
            if tier is not routed.tier:
                self._fail_over(routed, routed.tier, tier)
            queue_s = await tier.acquire()
            self._metrics.in_flight.labels(tier.route.value).set(tier.in_flight)
            last = attempt == len(candidates) - 1
            try:
                sent_at = time.monotonic()
                upstream = await self._open(tier, self._engine_body(request, tier), routed)
            except ServiceUnavailableError as exc:
                self._release(tier)
                self._cool_down(tier)
                failures.append(exc.message)
                if last:
                    self._count(routed, "tier_unavailable")
                    raise ServiceUnavailableError(
                        "; ".join(failures), param=exc.param, code="tier_unavailable"
                    ) from exc
                continue
            except BaseException:
                self._release(tier)
                raise
            if upstream.status_code == 200:
                return upstream, queue_s, sent_at
            if upstream.status_code >= 500 and not last:
                await upstream.aclose()
                self._release(tier)
                self._cool_down(tier)
                self._metrics.tier_failures.labels(tier.route.value, "server_error").inc()
                continue
            try:
                return await self._upstream_failure(upstream, routed)
            finally:
                self._release(tier)
        self._count(routed, "tier_unavailable")  # both tiers are cooling down and unfit
        raise ServiceUnavailableError("no tier can serve this request now", code="tier_unavailable")

    def _release(self, tier: Tier) -> None:
        tier.release()
        self._metrics.in_flight.labels(tier.route.value).set(tier.in_flight)

    async def complete(self, request: ChatCompletionRequest, routed: Routed) -> Response:
        started = await self._start(request, routed)
        if isinstance(started, Response):
            return started
        upstream, queue_s, sent_at = started
        tier = routed.tier
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                self._release(tier)

        backhaul_s = _float_or_zero(upstream.headers.get(h.BACKHAUL_DELAY_S))
        tracker = GenerationTracker(sent_at=sent_at)
        headers = self._response_headers(routed)
        want_usage = bool(request.stream_options and request.stream_options.include_usage)

        async def events() -> AsyncIterator[bytes]:
            status = "client_disconnected"
            try:
                async for event in iter_events(upstream.aiter_bytes()):
                    usage_only = tracker.observe(event, time.monotonic(), not request.stream)
                    if usage_only and not want_usage:
                        continue
                    yield event.raw
                status = "upstream_error" if tracker.error else "ok"
            except httpx.HTTPError as exc:
                status = "upstream_error"
                logger.warning("%s tier failed mid-stream: %r", tier.route.value, exc)
                yield _sse_error(f"the {tier.route.value} tier failed mid-stream", tier.route)
            finally:
                await upstream.aclose()
                release()
                self._record(routed, tracker, queue_s, backhaul_s, status)

        if request.stream:
            stream = events()
            # Start the relay now: asyncio closes a started generator (releasing the tier's slot
            # in its finally) even if the client is gone before the response begins.
            first = await anext(stream, None)

            async def body() -> AsyncIterator[bytes]:
                if first is not None:
                    yield first
                async for chunk in stream:
                    yield chunk

            return StreamingResponse(body(), media_type="text/event-stream", headers=headers)
        async for _ in events():
            pass
        if tracker.error is not None or not tracker.response_id:
            raise BadGatewayError(
                f"the {tier.route.value} tier failed while generating",
                param=tier.route.value,
                code="upstream_error",
            )
        return JSONResponse(tracker.completion(), headers=headers)

    async def _open(self, tier: Tier, body: dict[str, Any], routed: Routed) -> httpx.Response:
        request = tier.client.build_request(
            "POST", "/v1/chat/completions", json=body, headers={h.REQUEST_ID: routed.request_id}
        )
        try:
            return await tier.client.send(request, stream=True)
        except httpx.TransportError as exc:
            self._metrics.tier_failures.labels(tier.route.value, "unavailable").inc()
            raise ServiceUnavailableError(
                f"the {tier.route.value} tier is unavailable ({exc.__class__.__name__})",
                param=tier.route.value,
                code="tier_unavailable",
            ) from exc

    async def _upstream_failure(self, upstream: httpx.Response, routed: Routed) -> Response:
        tier = routed.tier.route.value
        try:
            body = await upstream.aread()
        finally:
            await upstream.aclose()
        headers = self._response_headers(routed)
        if 400 <= upstream.status_code < 500:
            self._count(routed, "upstream_rejected")
            try:
                payload = json.loads(body)
            except ValueError:
                payload = None
            if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
                return JSONResponse(payload, status_code=upstream.status_code, headers=headers)
            return error_response(
                upstream.status_code,
                f"the {tier} tier rejected the request",
                "invalid_request_error",
                param=tier,
                headers=headers,
            )
        self._count(routed, "upstream_error")
        return error_response(
            502,
            f"the {tier} tier failed with HTTP {upstream.status_code}",
            "upstream_error",
            param=tier,
            code="upstream_error",
            headers=headers,
        )

    def _record(
        self,
        routed: Routed,
        tracker: GenerationTracker,
        queue_s: float,
        backhaul_s: float,
        status: str,
    ) -> None:
        finished = time.monotonic()
        self._count(routed, status)
        ttft_s = max(0.0, tracker.ttft_s(finished) - backhaul_s)
        decode_s = tracker.decode_s()
        if status == "ok" and tracker.first_token_at is not None:
            routed.tier.observe(ttft_s, tracker.tpot_s())
        self._metrics.completion_tokens.labels(routed.decision.route.value).inc(tracker.tokens)
        part = OrchestratorPart(
            request_id=routed.request_id,
            ue_id=routed.radio.ue_id,
            via_radio=routed.radio.via_radio,
            policy=routed.decision.policy,
            route=routed.decision.route.value,
            task_type=routed.task_type,
            quality_required=routed.quality_required,
            quality=routed.quality,
            quality_violated=routed.quality < routed.quality_required,
            expected_output_tokens=routed.expected_output_tokens,
            state=routed.state,
            estimates_s={r.value: v for r, v in routed.decision.estimates_s.items()},
            status=status,
            decision_s=routed.decision_s,
            queue_s=queue_s,
            backhaul_s=backhaul_s,
            ttft_s=ttft_s,
            decode_s=decode_s,
            orchestrator_s=finished - routed.started,
            prompt_tokens=tracker.prompt_tokens,
            completion_tokens=tracker.tokens,
            started_at=routed.started_wall,
            finished_at=routed.started_wall + (finished - routed.started),
        )
        self._background.spawn(self._history.submit(part))


def _float_or_zero(value: str | None) -> float:
    try:
        return float(value) if value is not None else 0.0
    except ValueError:
        return 0.0


def _sse_error(message: str, route: Route) -> bytes:
    payload = {
        "error": {
            "message": message,
            "type": "upstream_error",
            "param": route.value,
            "code": "upstream_error",
        }
    }
    return f"data: {json.dumps(payload)}\n\n".encode()
