"""Forwarding: open the engine's stream on the chosen tier, or fail over before the first byte.

Failures become typed errors the installed handlers render: a tier that cannot be reached is
``TierUnavailableError`` (503, the engine never saw the request); an engine's 4xx is
``UpstreamRejectedError`` in the engine's own body; an engine's 5xx is ``BadGatewayError`` (502).
Each is counted once, with the tier that last tried.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import httpx

from edgecloud.api import headers as h
from edgecloud.api.errors import (
    BadGatewayError,
    ErrorInfo,
    TierBusyError,
    TierUnavailableError,
    UpstreamRejectedError,
    engine_error_info,
)
from edgecloud.api.openai import ChatCompletionRequest
from edgecloud.model.tasks import Route

from .endpoints import TierEndpoint
from .records import RequestStatus
from .routing import Deployment, Routed, max_tokens


@dataclass(frozen=True, slots=True)
class Opened:
    """An engine stream that answered 200; its endpoint's slot is held until ``release``."""

    upstream: httpx.Response
    routed: Routed  # after any failover
    queue_s: float  # waiting for the endpoint's admission slot
    sent_monotonic_s: float  # when the request went to the engine


class Forwarder:
    def __init__(self, deployment: Deployment) -> None:
        self._settings = deployment.settings
        self._endpoints = deployment.endpoints
        self._metrics = deployment.metrics
        self._quality = deployment.quality

    def engine_body(self, request: ChatCompletionRequest, endpoint: TierEndpoint) -> dict[str, Any]:
        body = request.model_dump(exclude_unset=True, exclude={"metadata", "max_completion_tokens"})
        body["model"] = endpoint.model
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
        body["max_tokens"] = max_tokens(request, self._settings)
        # A tier's own stop sequences end a base model's answer at its template's next turn; a
        # request with ignore_eos asks for exactly max_tokens tokens (experiments), so they go.
        exact_length = (request.model_extra or {}).get("ignore_eos") is True
        if endpoint.config.stop and not exact_length:
            stop = body.get("stop") or []
            stop = [stop] if isinstance(stop, str) else list(stop)
            body["stop"] = stop + [s for s in endpoint.config.stop if s not in stop]
        return body

    def _candidates(self, routed: Routed) -> list[TierEndpoint]:
        """The chosen tier, then the other one if it may take over (available, good enough)."""
        chosen = routed.endpoint
        other = self._endpoints[Route.CLOUD if chosen.route is Route.EDGE else Route.EDGE]
        other_ok = other.available and (
            self._quality.of(other.route, routed.task_type) >= routed.quality_required
        )
        candidates = [chosen] if chosen.available or not other_ok else []
        return candidates + ([other] if other_ok else [])

    def _fail_over(self, routed: Routed, to: TierEndpoint) -> Routed:
        self._metrics.failovers.labels(routed.route.value, to.route.value).inc()
        return routed.moved_to(to, self._quality.of(to.route, routed.task_type))

    def _cool_down(self, endpoint: TierEndpoint) -> None:
        endpoint.cool_down(self._settings.cooldown_s)
        self._metrics.cooldowns.labels(endpoint.route.value).inc()

    def release(self, endpoint: TierEndpoint) -> None:
        endpoint.release()
        self._metrics.set_in_flight(endpoint.route, endpoint.in_flight)

    def _count(self, routed: Routed, status: RequestStatus) -> None:
        self._metrics.count_request(routed.route, routed.decision.policy, status)

    async def open(self, request: ChatCompletionRequest, routed: Routed) -> Opened:
        candidates = self._candidates(routed)
        failures: list[str] = []
        for attempt, endpoint in enumerate(candidates):
            if endpoint is not routed.endpoint:
                routed = self._fail_over(routed, endpoint)
            queue_s = await self._admit(endpoint, routed)
            self._metrics.set_in_flight(endpoint.route, endpoint.in_flight)
            last = attempt == len(candidates) - 1
            try:
                sent_at = time.monotonic()
                upstream = await self._send(endpoint, self.engine_body(request, endpoint), routed)
            except TierUnavailableError as exc:
                self.release(endpoint)
                self._cool_down(endpoint)
                failures.append(exc.message)
                if last:
                    self._count(routed, RequestStatus.TIER_UNAVAILABLE)
                    raise TierUnavailableError("; ".join(failures), param=exc.param) from exc
                continue
            except BaseException:
                self.release(endpoint)
                raise
            if upstream.status_code == 200:
                return Opened(upstream, routed, queue_s, sent_at)
            if upstream.status_code >= 500 and not last:
                await upstream.aclose()
                self.release(endpoint)
                self._cool_down(endpoint)
                self._metrics.tier_failures.labels(endpoint.route.value, "server_error").inc()
                continue
            try:
                await self._raise_failure(upstream, routed)
            finally:
                self.release(endpoint)
        self._count(routed, RequestStatus.TIER_UNAVAILABLE)  # both cooling down, the other unfit
        raise TierUnavailableError("no tier can serve this request now")

    async def _admit(self, endpoint: TierEndpoint, routed: Routed) -> float:
        """Wait for an admission slot, at most the admission timeout; the wait in seconds."""
        timeout_s = self._settings.admission_timeout_s
        try:
            return await endpoint.admit(timeout_s)
        except TimeoutError as exc:
            self._count(routed, RequestStatus.TIER_BUSY)
            raise TierBusyError(
                f"the {endpoint.route.value} tier had no free slot within {timeout_s:g} s",
                param=endpoint.route.value,
            ) from exc

    async def _send(
        self, endpoint: TierEndpoint, body: dict[str, Any], routed: Routed
    ) -> httpx.Response:
        # Identity coding: the relay passes the stream's own bytes on, undecoded.
        headers = {h.REQUEST_ID: routed.request_id, "Accept-Encoding": "identity"}
        try:
            return await endpoint.open_stream(body, headers)
        except httpx.TransportError as exc:
            self._metrics.tier_failures.labels(endpoint.route.value, "unavailable").inc()
            raise TierUnavailableError(
                f"the {endpoint.route.value} tier is unavailable ({exc.__class__.__name__})",
                param=endpoint.route.value,
            ) from exc

    async def _raise_failure(self, upstream: httpx.Response, routed: Routed) -> None:
        tier = routed.route.value
        try:
            body = await upstream.aread()
        finally:
            await upstream.aclose()
        headers = routed.response_headers()
        if 400 <= upstream.status_code < 500:
            self._count(routed, RequestStatus.UPSTREAM_REJECTED)
            raise UpstreamRejectedError(
                upstream.status_code,
                f"the {tier} tier rejected the request",
                engine_error=_engine_error(body),
                param=tier,
                headers=headers,
            )
        self._count(routed, RequestStatus.UPSTREAM_ERROR)
        raise BadGatewayError(
            f"the {tier} tier failed with HTTP {upstream.status_code}",
            param=tier,
            code="upstream_error",
            headers=headers,
        )


def _engine_error(body: bytes) -> ErrorInfo | None:
    """What the engine said, in our error shape, if its body is the error shape."""
    try:
        return engine_error_info(json.loads(body))
    except ValueError:
        return None
