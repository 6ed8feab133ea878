"""Several orchestrator replicas: taken in turn, a failed one skipped before the first byte."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager

import anyio
import httpx
import pytest
from pydantic import AnyHttpUrl

from edgecloud.radio_emulator.app import Upstream
from tests.unit.radio_emulator.fakes import radio_client
from tests.unit.radio_emulator.test_air import CHAT, FakeOrchestrator

A, B = "http://orch-a:8001", "http://orch-b:8001"


class Replicas:
    """Two replicas behind one mock transport; ``down`` ones refuse connections."""

    def __init__(self) -> None:
        self.down: set[str] = set()
        self.served: list[str] = []
        self._answer = FakeOrchestrator()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        host = f"http://{request.url.host}:{request.url.port}"
        if host in self.down:
            raise httpx.ConnectError("refused", request=request)
        if request.url.path == "/healthz":
            return httpx.Response(200, json={"status": "ok"})
        self.served.append(host)
        return self._answer(request)


def client(replicas: Replicas) -> AbstractAsyncContextManager[httpx.AsyncClient]:
    transports: dict[Upstream, httpx.AsyncBaseTransport] = {
        "orchestrator": httpx.MockTransport(replicas)
    }
    return radio_client(
        transports,
        orchestrator_url=AnyHttpUrl(A),
        orchestrator_replicas=B,
        orchestrator_check_s=0.05,
    )


async def ask(radio: httpx.AsyncClient, ue: str) -> int:
    reply = await radio.post("/v1/chat/completions", json=CHAT, headers={"X-UE-Id": ue})
    return reply.status_code


@pytest.mark.anyio
async def test_healthy_replicas_take_requests_in_turn() -> None:
    replicas = Replicas()
    async with client(replicas) as radio:
        statuses = [await ask(radio, f"ue-{i}") for i in range(4)]
    assert statuses == [200] * 4
    assert sorted(replicas.served) == [A, A, B, B]


@pytest.mark.anyio
async def test_a_failed_replica_is_skipped_counted_and_taken_again_once_healthy() -> None:
    replicas = Replicas()
    replicas.down.add(A)
    async with client(replicas) as radio:
        statuses = [await ask(radio, f"ue-{i}") for i in range(4)]
        metrics = (await radio.get("/metrics/")).text
        assert replicas.served == [B] * 4
        assert f'edgecloud_radio_orchestrator_up{{url="{A}"}} 0.0' in metrics
        assert f'edgecloud_radio_orchestrator_failovers_total{{url="{A}"}} 1.0' in metrics
        replicas.down.clear()
        for _ in range(100):  # the health check brings it back
            if f'orchestrator_up{{url="{A}"}} 1.0' in (await radio.get("/metrics/")).text:
                break
            await anyio.sleep(0.02)
        replicas.served.clear()
        again = [await ask(radio, f"ue-{i}") for i in range(4)]
    assert statuses == [200] * 4
    assert again == [200] * 4
    assert sorted(replicas.served) == [A, A, B, B]


@pytest.mark.anyio
async def test_with_every_replica_down_a_request_is_a_503_in_the_common_shape() -> None:
    replicas = Replicas()
    replicas.down.update({A, B})
    async with client(replicas) as radio:
        reply = await radio.post("/v1/chat/completions", json=CHAT, headers={"X-UE-Id": "ue-1"})
    assert reply.status_code == 503
    assert reply.json()["error"]["code"] == "orchestrator_unavailable"
