"""The air interface against an in-process fake orchestrator: what is forwarded, what comes back.

Redis points at a closed port, so every delivery report is dropped, and counted.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from edgecloud.radio_emulator.app import Upstream
from edgecloud.radio_emulator.relay_headers import towards_orchestrator, towards_ue
from tests.eventually import eventually_async
from tests.unit.radio_emulator.fakes import radio_client

ANSWER = b'data: {"choices": [{"delta": {"content": "hi"}}]}\n\ndata: [DONE]\n\n'
CHAT = {"model": "auto", "messages": [{"role": "user", "content": "hello"}]}
Handler = Callable[[httpx.Request], httpx.Response]


class FakeOrchestrator:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(
            200,
            content=ANSWER,
            headers={"content-type": "text/event-stream", "x-route": "edge", "keep-alive": "5"},
        )


@asynccontextmanager
async def radio(orchestrator: Handler, **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
    transports: dict[Upstream, httpx.AsyncBaseTransport] = {
        "orchestrator": httpx.MockTransport(orchestrator)
    }
    async with radio_client(transports, **overrides) as client:
        yield client


def test_forged_radio_headers_hop_headers_and_a_second_request_id_are_not_forwarded() -> None:
    forwarded = towards_orchestrator(
        {
            "X-Radio-SINR-dB": "99",
            "x-radio-ue-id": "someone-else",
            "x-request-id": "ue-chosen",
            "Proxy-Authorization": "Basic c2VjcmV0",
            "X-Trace": "t-1",
        },
        {"X-Radio-SINR-dB": "3.10", "X-Radio-UE-Id": "ue-1"},
        "settled-id",
    )
    assert forwarded == {
        "X-Trace": "t-1",
        "X-Radio-SINR-dB": "3.10",
        "X-Radio-UE-Id": "ue-1",
        "X-Request-Id": "settled-id",
    }


def test_the_ue_gets_its_ids_and_no_hop_by_hop_header() -> None:
    back = towards_ue({"x-route": "cloud", "transfer-encoding": "chunked"}, "rid", "ue-7")
    assert back == {"x-route": "cloud", "X-Request-Id": "rid", "X-Radio-UE-Id": "ue-7"}


@pytest.mark.anyio
async def test_the_orchestrator_gets_the_emulators_radio_state_not_the_ues() -> None:
    orchestrator = FakeOrchestrator()
    async with radio(orchestrator) as client:
        reply = await client.post(
            "/v1/chat/completions",
            json=CHAT,
            headers={"X-UE-Id": "ue-1", "X-Radio-SINR-dB": "99", "X-Radio-DL-Rate-bps": "1e12"},
        )
        view = (await client.get("/ues/ue-1")).json()
    assert reply.status_code == 200
    assert reply.content == ANSWER
    sent = orchestrator.requests[0].headers
    assert sent["x-radio-ue-id"] == "ue-1"
    assert float(sent["x-radio-sinr-db"]) == pytest.approx(view["dl_sinr_db"], abs=0.01)
    assert float(sent["x-radio-dl-rate-bps"]) < 1e12
    assert float(sent["x-radio-uplink-s"]) > 0
    assert "keep-alive" not in reply.headers
    assert reply.headers["x-route"] == "edge"


@pytest.mark.anyio
async def test_a_request_id_is_kept_or_made_and_is_the_same_on_both_sides() -> None:
    orchestrator = FakeOrchestrator()
    async with radio(orchestrator) as client:
        given = await client.post(
            "/v1/chat/completions", json=CHAT, headers={"X-UE-Id": "ue-1", "X-Request-Id": "r-42"}
        )
        made = await client.post("/v1/chat/completions", json=CHAT, headers={"X-UE-Id": "ue-1"})
    first, second = (r.headers for r in orchestrator.requests)
    assert first.get_list("x-request-id") == ["r-42"]
    assert given.headers["x-request-id"] == "r-42"
    assert len(second["x-request-id"]) == 32
    assert made.headers["x-request-id"] == second["x-request-id"]
    assert made.headers["x-radio-ue-id"] == "ue-1"


@pytest.mark.anyio
async def test_an_unreachable_orchestrator_is_a_503_and_counted() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async with radio(refuse) as client:
        reply = await client.post("/v1/chat/completions", json=CHAT, headers={"X-UE-Id": "ue-1"})
        metrics = (await client.get("/metrics/")).text
    assert reply.status_code == 503
    assert reply.json()["error"]["code"] == "orchestrator_unavailable"
    assert 'edgecloud_radio_requests_total{status="503"} 1.0' in metrics


@pytest.mark.anyio
async def test_a_report_that_cannot_be_published_is_counted_as_dropped() -> None:
    async with radio(FakeOrchestrator()) as client:
        await client.post("/v1/chat/completions", json=CHAT, headers={"X-UE-Id": "ue-1"})

        async def dropped() -> bool:
            text = (await client.get("/metrics/")).text
            return 'edgecloud_radio_delivery_reports_total{outcome="dropped"} 1.0' in text

        assert await eventually_async(dropped, timeout_s=10.0, what="a dropped report")
