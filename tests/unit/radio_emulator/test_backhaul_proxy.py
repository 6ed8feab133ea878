"""The backhaul proxy against an in-process fake cloud engine: delay, headers, unreachable cloud."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
import pytest

from edgecloud.radio_emulator.app import Upstream
from tests.unit.radio_emulator.fakes import radio_client

Handler = Callable[[httpx.Request], httpx.Response]
DELAY_S = 0.03
SECRET = "k3y-for-the-radio-and-orchestrator"
TOKEN = {"X-Backhaul-Token": SECRET}


@asynccontextmanager
async def radio(cloud: Handler) -> AsyncIterator[httpx.AsyncClient]:
    transports: dict[Upstream, httpx.AsyncBaseTransport] = {"cloud": httpx.MockTransport(cloud)}
    async with radio_client(
        transports, backhaul_delay_s=DELAY_S, backhaul_jitter_s=0.0, shared_secret=SECRET
    ) as client:
        yield client


@pytest.mark.anyio
async def test_a_request_crosses_the_backhaul_both_ways_and_says_how_long_it_was_held() -> None:
    seen: list[httpx.Request] = []

    def cloud(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b"data: [DONE]\n\n", headers={"x-engine": "vllm"})

    async with radio(cloud) as client:
        reply = await client.post(
            "/backhaul/v1/chat/completions?trace=1",
            content=b'{"model": "gemma"}',
            headers={"X-Request-Id": "r-1", "Proxy-Authorization": "Basic c2VjcmV0"} | TOKEN,
        )
    assert reply.status_code == 200
    assert reply.content == b"data: [DONE]\n\n"
    assert reply.headers["x-engine"] == "vllm"
    # Held one way on the request and one way before the first byte of the answer.
    assert float(reply.headers["x-backhaul-delay-s"]) >= 2 * DELAY_S * 0.9
    request = seen[0]
    assert request.url == "http://127.0.0.1:8102/v1/chat/completions?trace=1"
    assert request.content == b'{"model": "gemma"}'
    assert request.headers["x-request-id"] == "r-1"
    assert "proxy-authorization" not in request.headers
    assert "x-backhaul-token" not in request.headers  # the secret stays on our side


@pytest.mark.anyio
async def test_an_unreachable_cloud_is_a_503_naming_the_tier() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async with radio(refuse) as client:
        reply = await client.post("/backhaul/v1/chat/completions", content=b"{}", headers=TOKEN)
    assert reply.status_code == 503
    error = reply.json()["error"]
    assert error["code"] == "tier_unavailable"
    assert error["param"] == "cloud"


@pytest.mark.anyio
async def test_only_the_orchestrator_may_use_the_backhaul() -> None:
    reached: list[httpx.Request] = []

    def cloud(request: httpx.Request) -> httpx.Response:
        reached.append(request)
        return httpx.Response(200)

    async with radio(cloud) as client:
        anonymous = await client.post("/backhaul/v1/chat/completions", content=b"{}")
        wrong = await client.post(
            "/backhaul/v1/chat/completions", content=b"{}", headers={"X-Backhaul-Token": "guess"}
        )
    transports: dict[Upstream, httpx.AsyncBaseTransport] = {"cloud": httpx.MockTransport(cloud)}
    async with radio_client(transports) as client:  # no shared secret configured
        disabled = await client.post("/backhaul/v1/chat/completions", content=b"{}", headers=TOKEN)
    assert [r.status_code for r in (anonymous, wrong, disabled)] == [401, 401, 403]
    assert anonymous.json()["error"]["code"] == "invalid_token"
    assert disabled.json()["error"]["code"] == "backhaul_disabled"
    assert reached == []


@pytest.mark.anyio
async def test_a_path_with_control_characters_is_a_400() -> None:
    def cloud(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200)

    async with radio(cloud) as client:
        reply = await client.get("/backhaul/Sl%C3%A6%F1%9F%B5%81%114", headers=TOKEN)
    assert reply.status_code == 400
    assert reply.json()["error"]["code"] == "invalid_path"
