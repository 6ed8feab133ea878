"""The air interface: a UE's request crosses the uplink, its response crosses the downlink.

The request is held for its uplink air time, forwarded to the orchestrator with the UE's radio state
in ``X-Radio-*`` headers, and the response is relayed back at the UE's downlink rate. When the last
byte is delivered a delivery report is published.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
from fastapi.responses import Response, StreamingResponse

from edgecloud.api import headers as h
from edgecloud.api.errors import BadRequestError, ServiceUnavailableError
from edgecloud.common.radio_trust import signed
from edgecloud.common.reports import DeliveryReport
from edgecloud.common.tasks import BackgroundTasks
from edgecloud.model.cells import UE_ID_PATTERN, RadioEnvironment, Ue

from .metrics import RadioMetrics
from .orchestrators import NoOrchestratorError, OrchestratorPool
from .pacing import PacedRelay
from .publisher import ReportPublisher
from .registry import UeRegistry
from .relay_headers import as_sent, towards_orchestrator, towards_ue
from .scheduler import AirScheduler

logger = logging.getLogger(__name__)


def client_request_id(value: str | None) -> str | None:
    """A client's own request id, if it is one we can echo safely (like a UE id), else a 400."""
    if value is None:
        return None
    if not UE_ID_PATTERN.match(value):
        raise BadRequestError(
            f"{h.REQUEST_ID} is 1-128 characters from letters, digits and . _ : @ -",
            param=h.REQUEST_ID,
            code="invalid_request_id",
        )
    return value


def resolve_ue_id(header_value: str | None, body_user: str | None) -> str:
    ue_id = header_value or body_user
    if not ue_id:
        raise BadRequestError(
            f"a UE id is required: send the {h.UE_ID} header or the body's 'user' field",
            param=h.UE_ID,
            code="missing_ue_id",
        )
    if not UE_ID_PATTERN.match(ue_id):
        raise BadRequestError(
            "a UE id is 1-128 characters from letters, digits and . _ : @ -",
            param=h.UE_ID,
            code="invalid_ue_id",
        )
    return ue_id


@dataclass(frozen=True, slots=True)
class UplinkPass:
    """A request that has crossed the UE's uplink."""

    request_id: str
    ue: Ue
    body_bytes: int
    uplink_s: float
    received_monotonic_s: float  # time.monotonic() when the request arrived from the UE
    received_wall_s: float  # time.time() at the same moment, for the report's timestamps


class AirInterface:
    def __init__(
        self,
        environment: RadioEnvironment,
        uplink: AirScheduler,
        downlink: AirScheduler,
        client: httpx.AsyncClient,
        orchestrators: OrchestratorPool,
        publisher: ReportPublisher,
        metrics: RadioMetrics,
        background: BackgroundTasks,
        buffer_chunks: int = 256,
        shared_secret: str | None = None,
    ) -> None:
        self._buffer_chunks = buffer_chunks
        self._shared_secret = shared_secret
        self.environment = environment
        self.uplink = uplink
        self.downlink = downlink
        self._client = client
        self.orchestrators = orchestrators
        self._publisher = publisher
        self._metrics = metrics
        self._background = background
        self.registry = UeRegistry(environment, (uplink, downlink), metrics)

    def attach(self, ue_id: str, check_coverage: bool = True, pin: bool = False) -> Ue:
        """The UE, registered if new (``pin``: placed by the admin API, never evicted)."""
        ue = self.registry.register(ue_id, pin)
        # An admin placement may put a UE anywhere; only a UE's own request needs coverage.
        covered = self.downlink.rate_bps(ue) > 0 and self.uplink.rate_bps(ue) > 0
        if check_coverage and not covered:
            raise ServiceUnavailableError(
                f"UE {ue_id} is out of coverage", param=h.UE_ID, code="out_of_coverage"
            )
        return ue

    def radio_headers(self, ue: Ue, uplink_s: float) -> dict[str, str]:
        return {
            h.RADIO_UE_ID: ue.ue_id,
            h.RADIO_CELL_ID: str(ue.cell_id),
            h.RADIO_SINR_DB: f"{ue.dl_sinr_db:.2f}",
            h.RADIO_DL_RBS: f"{self.downlink.rbs_for(ue):.2f}",
            h.RADIO_UL_RBS: f"{self.uplink.rbs_for(ue):.2f}",
            h.RADIO_DL_RATE_BPS: f"{self.downlink.rate_bps(ue):.0f}",
            h.RADIO_UL_RATE_BPS: f"{self.uplink.rate_bps(ue):.0f}",
            h.RADIO_UPLINK_S: f"{uplink_s:.6f}",
        }

    async def relay_get(self, path: str) -> Response:
        try:
            upstream = await self.orchestrators.first_answer(
                lambda url: self._client.get(f"{url}{path}")
            )
        except NoOrchestratorError as exc:
            raise ServiceUnavailableError(
                "no orchestrator is available", code="orchestrator_unavailable"
            ) from exc
        return Response(
            upstream.content,
            status_code=upstream.status_code,
            media_type=upstream.headers.get("content-type"),
        )

    def signed_radio_headers(self, ue: Ue, request_id: str, uplink_s: float) -> dict[str, str]:
        """The radio state and the request id, signed when a shared secret is configured."""
        headers = self.radio_headers(ue, uplink_s) | {h.REQUEST_ID: request_id}
        if self._shared_secret is None:
            return headers
        return signed(self._shared_secret, headers)

    async def _cross_uplink(self, ue: Ue, body: bytes) -> UplinkPass:
        received_wall_s, received_monotonic_s = time.time(), time.monotonic()
        await self.uplink.transmit(ue, len(body))
        uplink_s = time.monotonic() - received_monotonic_s
        self._metrics.air_bytes.labels("uplink").inc(len(body))
        self._metrics.uplink_delay.observe(uplink_s)
        return UplinkPass(
            uuid.uuid4().hex,  # ours, whatever the client sent: it keys the history join
            ue,
            len(body),
            uplink_s,
            received_monotonic_s,
            received_wall_s,
        )

    async def chat(
        self,
        path: str,
        body: bytes,
        request_headers: dict[str, str],
        ue: Ue,
        client_request_id: str | None,
    ) -> StreamingResponse:
        """Carry a request over the uplink, forward it, relay the answer at the downlink's pace.

        The request gets an id of ours; a client's own id travels beside it, only to be echoed."""
        self.registry.request_started(ue.ue_id)
        try:
            sent = await self._cross_uplink(ue, body)
            return await self._forward(path, body, request_headers, sent, client_request_id)
        except BaseException:
            self.registry.request_ended(ue.ue_id, served=False)
            raise

    async def _forward(
        self,
        path: str,
        body: bytes,
        request_headers: dict[str, str],
        sent: UplinkPass,
        client_request_id: str | None,
    ) -> StreamingResponse:
        ue = sent.ue
        forward = towards_orchestrator(
            request_headers,
            self.signed_radio_headers(ue, sent.request_id, sent.uplink_s),
            client_request_id,
        )
        upstream = await self._open(path, body, as_sent(forward))

        def carry(chunk: bytes, received_at: float) -> asyncio.Future[None]:
            return self.downlink.enqueue(ue, len(chunk))

        relay = PacedRelay(upstream, carry, max_chunks=self._buffer_chunks)

        async def body_stream() -> AsyncIterator[bytes]:
            try:
                async for chunk in relay.stream():
                    yield chunk
            finally:
                self._finish(relay, sent, upstream.status_code)
                self.registry.request_ended(ue.ue_id, served=200 <= upstream.status_code < 300)

        return StreamingResponse(
            body_stream(),
            status_code=upstream.status_code,
            headers=towards_ue(upstream.headers, sent.request_id, ue.ue_id, client_request_id),
        )

    async def _open(
        self, path: str, body: bytes, headers: list[tuple[bytes, bytes]]
    ) -> httpx.Response:
        """The first replica's answer (its head) that comes; one that fails before is skipped."""

        async def send(url: str) -> httpx.Response:
            request = self._client.build_request(
                "POST", f"{url}{path}", content=body, headers=headers
            )
            return await self._client.send(request, stream=True)

        try:
            return await self.orchestrators.first_answer(send)
        except NoOrchestratorError as exc:
            self._metrics.requests.labels("503").inc()
            raise ServiceUnavailableError(
                f"no orchestrator is available: {exc}", code="orchestrator_unavailable"
            ) from exc

    def _finish(self, relay: PacedRelay, sent: UplinkPass, status_code: int) -> None:
        times = relay.times
        started = sent.received_monotonic_s
        now = time.monotonic()
        delivered = times.delivered_at if times.delivered_at is not None else now
        first_sent = times.first_sent_at if times.first_sent_at is not None else delivered
        upstream_done = times.upstream_done_at if times.upstream_done_at is not None else delivered
        report = DeliveryReport(
            request_id=sent.request_id,
            ue_id=sent.ue.ue_id,
            cell_id=sent.ue.cell_id,
            status_code=status_code,
            completed=times.completed,
            uplink_s=sent.uplink_s,
            downlink_s=max(0.0, delivered - first_sent),
            downlink_tail_s=max(0.0, delivered - upstream_done),
            total_s=delivered - started,
            ul_bytes=sent.body_bytes,
            dl_bytes=times.bytes_delivered,
            received_at=sent.received_wall_s,
            delivered_at=sent.received_wall_s + (delivered - started),
        )
        self._metrics.requests.labels(str(status_code) if times.completed else "aborted").inc()
        self._metrics.air_bytes.labels("downlink").inc(times.bytes_delivered)
        self._metrics.downlink_delay.observe(report.downlink_s)
        self._metrics.delivery_delay.observe(report.total_s)
        self._background.spawn(self._publisher.publish(report))
