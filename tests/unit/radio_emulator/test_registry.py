"""The UE registry stays bounded: idle UEs make room, failed requests register nobody, and the
list of UE ids is for operators only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from edgecloud.radio_emulator.air import AirInterface
from edgecloud.radio_emulator.app import Upstream
from tests.unit.radio_emulator.fakes import radio_app

TOKEN = "admin-t0ken-for-these-tests"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}
CHAT = {"model": "auto", "messages": [{"role": "user", "content": "hello"}]}
ANSWER = b"data: [DONE]\n\n"


def orchestrator(request: httpx.Request) -> httpx.Response:
    if b'"nope"' in request.content:
        return httpx.Response(404, json={"error": {"message": "no such model", "type": "x"}})
    return httpx.Response(200, content=ANSWER, headers={"content-type": "text/event-stream"})


@asynccontextmanager
async def radio(**settings: Any) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    transports: dict[Upstream, httpx.AsyncBaseTransport] = {
        "orchestrator": httpx.MockTransport(orchestrator)
    }
    async with radio_app(transports, admin_token=TOKEN, **settings) as running:
        yield running


def air_of(app: FastAPI) -> AirInterface:
    air: AirInterface = app.state.air
    return air


async def ask(client: httpx.AsyncClient, ue: str, **fields: object) -> httpx.Response:
    return await client.post("/v1/chat/completions", json=CHAT | fields, headers={"X-UE-Id": ue})


@pytest.mark.anyio
async def test_at_the_cap_the_idle_ue_used_longest_ago_makes_room() -> None:
    async with radio(max_ues=3) as (app, client):
        for ue in ("ue-a", "ue-b", "ue-c"):
            assert (await ask(client, ue)).status_code == 200
        assert (await ask(client, "ue-a")).status_code == 200  # ue-b is now the oldest
        assert (await ask(client, "ue-new")).status_code == 200
        metrics = (await client.get("/metrics/")).text
        ues = set(air_of(app).environment.ues)
    assert ues == {"ue-a", "ue-c", "ue-new"}
    assert "edgecloud_radio_evicted_ues_total 1.0" in metrics


@pytest.mark.anyio
async def test_placed_ues_are_never_evicted_and_a_full_registry_is_a_429() -> None:
    async with radio(max_ues=2) as (_, client):
        for ue in ("ue-p1", "ue-p2"):
            placed = await client.put(f"/admin/ues/{ue}", json={"x_m": 20, "y_m": 0}, headers=ADMIN)
            assert placed.status_code == 200
        refused = await ask(client, "ue-new")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "too_many_ues"


@pytest.mark.anyio
async def test_a_request_that_fails_registers_nobody() -> None:
    async with radio() as (app, client):
        failed = await ask(client, "ue-once", model="nope")
        served = await ask(client, "ue-twice")
        ues = set(air_of(app).environment.ues)
    assert (failed.status_code, served.status_code) == (404, 200)
    assert ues == {"ue-twice"}


@pytest.mark.anyio
async def test_forgetting_a_ue_forgets_its_scheduler_state() -> None:
    async with radio() as (app, client):
        await ask(client, "ue-gone")
        air = air_of(app)
        gone = air.environment.ues["ue-gone"]
        assert air.downlink.remembers(gone)
        deleted = await client.delete("/admin/ues/ue-gone", headers=ADMIN)
        remembered = air.downlink.remembers(gone) or air.uplink.remembers(gone)
    assert deleted.status_code == 204
    assert not remembered


@pytest.mark.anyio
async def test_ue_ids_are_listed_to_operators_only_a_page_at_a_time() -> None:
    async with radio() as (_, client):
        for n in range(5):
            await ask(client, f"ue-{n}")
        anonymous = await client.get("/ues")
        one = await client.get("/ues/ue-1")
        first = (await client.get("/ues", params={"limit": 2}, headers=ADMIN)).json()
        rest = await client.get(
            "/ues", params={"limit": 10, "after": first["next_after"]}, headers=ADMIN
        )
    assert (anonymous.status_code, one.status_code) == (401, 401)
    assert [u["ue_id"] for u in first["data"]] == ["ue-0", "ue-1"]
    assert [u["ue_id"] for u in rest.json()["data"]] == ["ue-2", "ue-3", "ue-4"]
    assert rest.json()["next_after"] is None


@pytest.mark.anyio
async def test_a_ue_placed_while_its_first_request_runs_is_kept_when_that_request_fails() -> None:
    async with radio() as (app, _):
        registry = air_of(app).registry
        registry.register("ue-both", pin=False)
        registry.request_started("ue-both")
        registry.register("ue-both", pin=True)  # the admin API places it meanwhile
        registry.request_ended("ue-both", served=False)
        assert "ue-both" in air_of(app).environment.ues
