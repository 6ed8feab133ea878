"""The backhaul on the path from the orchestrator to the cloud LLM.

Requests to ``/backhaul/<path>`` cross the uplink direction of the backhaul, are forwarded to the
cloud server, and every chunk of the response arrives one propagation delay (plus serialisation and
jitter) after the cloud sent it. The response carries ``X-Backhaul-Delay-s``: the time the backhaul
held the request plus the delay of the response's first byte, which is what the backhaul adds
before the first token.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Coroutine
from typing import Any

import httpx
from fastapi.responses import StreamingResponse

from edgecloud.api import headers as h
from edgecloud.api.errors import (
    BadRequestError,
    ForbiddenError,
    ServiceUnavailableError,
    UnauthorizedError,
)
from edgecloud.common.radio_trust import token_matches

from .links import Backhaul
from .metrics import RadioMetrics
from .pacing import PacedRelay
from .relay_headers import as_sent, end_to_end

_TOKEN_KEY = h.BACKHAUL_TOKEN.lower()


class BackhaulProxy:
    """Serves only the orchestrator: a request must carry the shared secret as its token."""

    def __init__(
        self,
        backhaul: Backhaul,
        client: httpx.AsyncClient,
        cloud_url: str,
        metrics: RadioMetrics,
        shared_secret: str | None = None,
    ) -> None:
        self._shared_secret = shared_secret
        self.backhaul = backhaul
        self._client = client
        self._cloud_url = cloud_url.rstrip("/")
        self._metrics = metrics

    def check_token(self, token: str | None) -> None:
        if self._shared_secret is None:
            raise ForbiddenError(
                "the backhaul is disabled: set EDGECLOUD_RADIO_SHARED_SECRET",
                code="backhaul_disabled",
            )
        if not token_matches(self._shared_secret, token):
            raise UnauthorizedError(
                f"the backhaul serves the orchestrator only ({h.BACKHAUL_TOKEN})",
                param=h.BACKHAUL_TOKEN,
                code="invalid_token",
            )

    async def forward(
        self, method: str, path: str, query: str, body: bytes, request_headers: dict[str, str]
    ) -> StreamingResponse:
        self.check_token(request_headers.get(h.BACKHAUL_TOKEN.lower()))
        started = time.monotonic()
        await _sleep_until(self.backhaul.uplink.arrival_time(len(body), started))
        self._metrics.backhaul_bytes.labels("uplink").inc(len(body))
        url = f"{self._cloud_url}/{path}" + (f"?{query}" if query else "")
        forward = {k: v for k, v in end_to_end(request_headers).items() if k.lower() != _TOKEN_KEY}
        uplink_held_s = time.monotonic() - started
        try:
            request = self._client.build_request(
                method, url, content=body, headers=as_sent(forward)
            )
        except httpx.InvalidURL as exc:  # control characters in the path, found by the fuzzer
            raise BadRequestError(
                "the backhaul path is not a valid URL path", param="path", code="invalid_path"
            ) from exc
        try:
            upstream = await self._client.send(request, stream=True)
        except httpx.TransportError as exc:
            raise ServiceUnavailableError(
                f"the cloud tier is unreachable over the backhaul: {exc.__class__.__name__}",
                param="cloud",
                code="tier_unavailable",
            ) from exc
        answered_at = time.monotonic()
        await _sleep_until(self.backhaul.downlink.arrival_time(0, answered_at))
        held_s = uplink_held_s + time.monotonic() - answered_at

        def carry(chunk: bytes, received_at: float) -> Coroutine[Any, Any, None]:
            self._metrics.backhaul_bytes.labels("downlink").inc(len(chunk))
            return _sleep_until(self.backhaul.downlink.arrival_time(len(chunk), received_at))

        relay = PacedRelay(upstream, carry)

        async def body_stream() -> AsyncIterator[bytes]:
            async for chunk in relay.stream():
                yield chunk

        response_headers = end_to_end(upstream.headers) | {h.BACKHAUL_DELAY_S: f"{held_s:.6f}"}
        return StreamingResponse(
            body_stream(), status_code=upstream.status_code, headers=response_headers
        )


async def _sleep_until(deadline: float) -> None:
    delay = deadline - time.monotonic()
    if delay > 0:
        await asyncio.sleep(delay)
