"""Relaying an opened engine stream to the client, and recording the request when it ends.

Streaming requests get the engine's events as they come (usage only if asked for); the others get
one aggregated completion. An engine that fails in the middle of a stream ends it with an SSE error
event; the request is recorded in the history whatever its end (``RequestStatus``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
from fastapi.responses import JSONResponse, Response

from edgecloud.api import headers as h
from edgecloud.api.errors import BadGatewayError
from edgecloud.api.openai import ChatCompletionRequest
from edgecloud.api.sse import iter_event_batches
from edgecloud.common.event_stream import EventStreamResponse
from edgecloud.common.tasks import BackgroundTasks

from .endpoints import TierEndpoint
from .forwarding import Opened
from .generation import GenerationTracker
from .history import HistoryStore
from .metrics import OrchestratorMetrics
from .records import OrchestratorPart, RequestStatus
from .routing import Routed

logger = logging.getLogger(__name__)
DISCONNECT_POLL_S = 0.25  # how often an aggregated request checks that its client is still there


class Relay:
    def __init__(
        self,
        history: HistoryStore,
        metrics: OrchestratorMetrics,
        background: BackgroundTasks,
        release: Callable[[TierEndpoint], None],
    ) -> None:
        self._history = history
        self._metrics = metrics
        self._background = background
        self._release = release

    async def respond(
        self,
        request: ChatCompletionRequest,
        opened: Opened,
        is_disconnected: Callable[[], Awaitable[bool]],
    ) -> Response:
        routed, upstream = opened.routed, opened.upstream
        tracker = GenerationTracker(sent_at=opened.sent_monotonic_s)
        backhaul_s = _float_or_zero(upstream.headers.get(h.BACKHAUL_DELAY_S))
        want_usage = bool(request.stream_options and request.stream_options.include_usage)

        async def events() -> AsyncIterator[bytes]:
            """What each read of the engine's stream brings, as one chunk: one send for all the
            complete events it carried (the stream is asked for without content coding)."""
            status = RequestStatus.CLIENT_DISCONNECTED
            aggregate = not request.stream
            try:
                async for batch in iter_event_batches(upstream.stream):  # type: ignore[arg-type]
                    now = time.monotonic()
                    kept = [
                        event.raw
                        for event in batch
                        if not tracker.observe(event, now, aggregate) or want_usage
                    ]
                    if kept:
                        yield kept[0] if len(kept) == 1 else b"".join(kept)
                status = RequestStatus.UPSTREAM_ERROR if tracker.error else RequestStatus.OK
            except httpx.HTTPError as exc:
                status = RequestStatus.UPSTREAM_ERROR
                logger.warning("%s tier failed mid-stream: %r", routed.route.value, exc)
                yield _generation_error(routed, "failed mid-stream").sse_event()
            finally:
                await upstream.aclose()
                self._release(routed.endpoint)
                self._record(
                    routed, tracker, opened.queue_s, backhaul_s, status, single=request.n == 1
                )

        if request.stream:
            return await _streaming(events(), routed.response_headers())
        if not await _drained_unless_gone(events(), is_disconnected):
            return Response(status_code=CLIENT_CLOSED)  # nobody reads it; the engine stopped
        if tracker.error is not None or not tracker.response_id:
            raise _generation_error(routed, "failed while generating")
        return JSONResponse(tracker.completion(), headers=routed.response_headers())

    def _record(
        self,
        routed: Routed,
        tracker: GenerationTracker,
        queue_s: float,
        backhaul_s: float,
        status: RequestStatus,
        single: bool,
    ) -> None:
        finished = time.monotonic()
        self._metrics.count_request(routed.route, routed.decision.policy, status)
        ttft_s = max(0.0, tracker.ttft_s(finished) - backhaul_s)
        if status is RequestStatus.OK and tracker.first_token_at is not None and single:
            # Several choices interleave their tokens: their gaps are not the tier's TPOT.
            routed.endpoint.observe(ttft_s, tracker.tpot_s())
        self._metrics.completion_tokens.labels(routed.route.value).inc(tracker.tokens)
        elapsed_s = finished - routed.received_monotonic_s
        part = OrchestratorPart(
            request_id=routed.request_id,
            ue_id=routed.radio.ue_id,
            via_radio=routed.radio.via_radio,
            policy=routed.decision.policy,
            route=routed.route.value,
            task_type=routed.task_type.value,
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
            decode_s=tracker.decode_s(),
            orchestrator_s=elapsed_s,
            prompt_tokens=tracker.prompt_tokens,
            completion_tokens=tracker.tokens,
            started_at=routed.received_wall_s,
            finished_at=routed.received_wall_s + elapsed_s,
        )
        self._background.spawn(self._history.submit(part))


CLIENT_CLOSED = 499  # nginx's convention: the client closed the request before the answer


async def _drained_unless_gone(
    stream: AsyncIterator[bytes], is_disconnected: Callable[[], Awaitable[bool]]
) -> bool:
    """Consume the engine's stream for an aggregated answer; if the client goes away first, stop
    it (the engine aborts a closed stream) and return False."""

    async def drain() -> None:
        async for _ in stream:
            pass

    task = asyncio.create_task(drain())
    while True:
        done, _ = await asyncio.wait({task}, timeout=DISCONNECT_POLL_S)
        if done:
            task.result()
            return True
        if await is_disconnected():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            return False


async def _streaming(stream: AsyncIterator[bytes], headers: dict[str, str]) -> Response:
    # Start the relay now: asyncio closes a started generator (releasing the tier's slot in its
    # finally) even if the client is gone before the response begins.
    first = await anext(stream, None)
    return EventStreamResponse(first, stream, headers)


def _generation_error(routed: Routed, what: str) -> BadGatewayError:
    tier = routed.route.value
    return BadGatewayError(
        f"the {tier} tier {what}",
        param=tier,
        code="upstream_error",
        headers=routed.response_headers(),
    )


def _float_or_zero(value: str | None) -> float:
    try:
        return float(value) if value is not None else 0.0
    except ValueError:
        return 0.0
