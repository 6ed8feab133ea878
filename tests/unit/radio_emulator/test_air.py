"""The air interface against an in-process fake orchestrator: what is forwarded, what comes back.

Redis points at a closed port, so every delivery report is dropped, and counted.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from edgecloud.common.radio_trust import is_signed
from edgecloud.radio_emulator.app import Upstream
from edgecloud.radio_emulator.relay_headers import towards_orchestrator, towards_ue
from tests.eventually import eventually_async
from tests.unit.radio_emulator.fakes import radio_client

SECRET = "k3y-for-the-radio-and-orchestrator"
TOKEN = "admin-t0ken-for-these-tests"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}
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
    async with radio_client(transports, **({"admin_token": TOKEN} | overrides)) as client:
        yield client


def test_forged_radio_headers_hop_headers_and_client_ids_are_not_forwarded() -> None:
    forwarded = towards_orchestrator(
        {
            "X-Radio-SINR-dB": "99",
            "x-radio-ue-id": "someone-else",
            "x-radio-signature": "forged",
            "x-request-id": "ue-chosen",
            "x-client-request-id": "also-chosen",
            "x-backhaul-token": "guess",
            "Proxy-Authorization": "Basic c2VjcmV0",
            "X-Trace": "t-1",
        },
        {"X-Radio-SINR-dB": "3.10", "X-Radio-UE-Id": "ue-1", "X-Request-Id": "ours"},
        "ue-chosen",
    )
    assert forwarded == {
        "X-Trace": "t-1",
        "X-Radio-SINR-dB": "3.10",
        "X-Radio-UE-Id": "ue-1",
        "X-Request-Id": "ours",
        "X-Client-Request-Id": "ue-chosen",
    }


def test_the_ue_gets_one_request_id_and_no_hop_by_hop_header() -> None:
    back = towards_ue(
        {"x-route": "cloud", "transfer-encoding": "chunked", "x-request-id": "orch"},
        "rid",
        "ue-7",
        "mine",
    )
    assert back == {
        "x-route": "cloud",
        "X-Request-Id": "rid",
        "X-Radio-UE-Id": "ue-7",
        "X-Client-Request-Id": "mine",
    }


@pytest.mark.anyio
async def test_the_orchestrator_gets_the_emulators_radio_state_not_the_ues() -> None:
    orchestrator = FakeOrchestrator()
    async with radio(orchestrator) as client:
        reply = await client.post(
            "/v1/chat/completions",
            json=CHAT,
            headers={"X-UE-Id": "ue-1", "X-Radio-SINR-dB": "99", "X-Radio-DL-Rate-bps": "1e12"},
        )
        view = (await client.get("/ues/ue-1", headers=ADMIN)).json()
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
async def test_every_request_gets_an_id_of_ours_and_a_clients_id_is_only_echoed() -> None:
    orchestrator = FakeOrchestrator()
    async with radio(orchestrator) as client:
        replies = [
            await client.post(
                "/v1/chat/completions",
                json=CHAT,
                headers={"X-UE-Id": "ue-1", "X-Request-Id": reused},
            )
            for reused in ("P", "P", "P:done", "pending")
        ]
        made = await client.post("/v1/chat/completions", json=CHAT, headers={"X-UE-Id": "ue-1"})
        bad = await client.post(
            "/v1/chat/completions", json=CHAT, headers={"X-UE-Id": "ue-1", "X-Request-Id": "a b"}
        )
    sent = [r.headers for r in orchestrator.requests]
    ids = [s.get_list("x-request-id") for s in sent]
    assert all(len(i) == 1 and len(i[0]) == 32 for i in ids)
    assert len({i[0] for i in ids}) == 5  # a reused client id never makes two requests one
    assert [s["x-client-request-id"] for s in sent[:4]] == ["P", "P", "P:done", "pending"]
    assert [r.headers.get_list("x-request-id") for r in replies] == ids[:4]
    assert replies[2].headers["x-client-request-id"] == "P:done"
    assert made.headers["x-request-id"] == ids[4][0]
    assert "x-client-request-id" not in made.headers
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "invalid_request_id"


@pytest.mark.anyio
async def test_the_radio_state_is_signed_for_the_orchestrator() -> None:
    orchestrator = FakeOrchestrator()
    async with radio(orchestrator, shared_secret=SECRET) as client:
        await client.post("/v1/chat/completions", json=CHAT, headers={"X-UE-Id": "ue-1"})
    async with radio(orchestrator) as client:
        await client.post("/v1/chat/completions", json=CHAT, headers={"X-UE-Id": "ue-1"})
    with_secret, without = (dict(r.headers) for r in orchestrator.requests)
    assert is_signed(SECRET, with_secret)
    assert not is_signed(SECRET, with_secret | {"x-radio-sinr-db": "99"})
    assert "x-radio-signature" not in without


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
async def test_a_report_that_cannot_be_published_waits_in_the_spool() -> None:
    async with radio(FakeOrchestrator()) as client:
        await client.post("/v1/chat/completions", json=CHAT, headers={"X-UE-Id": "ue-1"})

        async def spooled() -> bool:
            text = (await client.get("/metrics/")).text
            return "edgecloud_radio_report_spool_items 1.0" in text

        assert await eventually_async(spooled, timeout_s=10.0, what="a spooled report")
        text = (await client.get("/metrics/")).text
        assert 'edgecloud_radio_delivery_reports_total{outcome="dropped"} 0.0' in text


@pytest.mark.anyio
async def test_a_non_ascii_header_is_relayed_as_sent() -> None:
    orchestrator = FakeOrchestrator()
    async with radio(orchestrator) as client:
        reply = await client.post(
            "/v1/chat/completions",
            json=CHAT,
            headers=[(b"X-UE-Id", b"ue-1"), (b"User-Agent", "café".encode())],
        )
    assert reply.status_code == 200
    assert (b"user-agent", "café".encode()) in [
        (k.lower(), v) for k, v in orchestrator.requests[0].headers.raw
    ]


@pytest.mark.anyio
async def test_the_radios_own_refusals_are_4xx_and_counted() -> None:
    async with radio(FakeOrchestrator()) as client:
        anonymous = await client.post("/v1/chat/completions", json=CHAT)
        huge = await client.post(
            "/v1/chat/completions",
            json={"messages": [{"role": "user", "content": "x" * 2_000_000}]},
            headers={"X-UE-Id": "ue-1"},
        )
        metrics = (await client.get("/metrics/")).text
    assert (anonymous.status_code, huge.status_code) == (400, 413)
    assert 'edgecloud_radio_error_responses_total{code="missing_ue_id",status="400"} 1.0' in metrics
    assert (
        'edgecloud_radio_error_responses_total{code="body_too_large",status="413"} 1.0' in metrics
    )


@pytest.mark.anyio
async def test_a_ue_may_ask_only_for_the_allowed_policies() -> None:
    orchestrator = FakeOrchestrator()
    async with radio(orchestrator) as client:
        icl = await client.post(
            "/v1/chat/completions", json=CHAT, headers={"X-UE-Id": "ue-1", "X-Policy": "icl"}
        )
        greedy = await client.post(
            "/v1/chat/completions", json=CHAT, headers={"X-UE-Id": "ue-1", "X-Policy": "greedy"}
        )
    assert icl.status_code == 403
    assert icl.json()["error"]["code"] == "policy_not_allowed"
    assert greedy.status_code == 200
    assert len(orchestrator.requests) == 1
    async with radio(orchestrator, ue_any_policy=True) as client:
        operator = await client.post(
            "/v1/chat/completions", json=CHAT, headers={"X-UE-Id": "ue-1", "X-Policy": "icl"}
        )
    assert operator.status_code == 200
