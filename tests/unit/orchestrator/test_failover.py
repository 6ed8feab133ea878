"""Failover and the translation of engine failures, against fake engines."""

from __future__ import annotations

import pytest

from edgecloud.api.errors import ErrorResponse
from tests.unit.orchestrator.fakes import (
    SETTINGS,
    FakeEngine,
    chat,
    orchestrator,
    refuse,
)


@pytest.mark.anyio
async def test_an_unreachable_tier_fails_over_to_the_other_when_its_quality_suffices() -> None:
    cloud = FakeEngine(SETTINGS.cloud_model)
    async with orchestrator(refuse, cloud) as client:
        moved = await client.post(
            "/v1/chat/completions", json=chat(), headers={"X-Policy": "edge-only"}
        )
        # The edge is now cooling down: the next request goes straight to the cloud.
        again = await client.post(
            "/v1/chat/completions", json=chat(), headers={"X-Policy": "edge-only"}
        )
        metrics = (await client.get("/metrics/")).text
    assert moved.status_code == again.status_code == 200
    assert moved.headers["x-route"] == again.headers["x-route"] == "cloud"
    assert len(cloud.requests) == 2
    assert 'edgecloud_failovers_total{from_route="edge",to_route="cloud"} 2.0' in metrics
    assert 'edgecloud_tier_cooldowns_total{route="edge"} 1.0' in metrics
    assert 'edgecloud_tier_failures_total{reason="unavailable",route="edge"} 1.0' in metrics
    # Served: each request counts once, with its final outcome.
    assert 'edgecloud_requests_total{policy="edge-only",route="cloud",status="ok"} 2.0' in metrics
    assert 'status="tier_unavailable"' not in metrics


@pytest.mark.anyio
async def test_no_failover_below_the_quality_requirement_gives_a_503_naming_the_tier() -> None:
    async with orchestrator(FakeEngine(SETTINGS.edge_model), refuse) as client:
        response = await client.post(
            "/v1/chat/completions",
            json=chat(metadata={"task_type": "coding"}),  # the edge gives coding 4.5 < 7
            headers={"X-Policy": "cloud-only"},
        )
        metrics = (await client.get("/metrics/")).text
    assert response.status_code == 503
    assert (
        'edgecloud_requests_total{policy="cloud-only",route="cloud",status="tier_unavailable"} 1.0'
        in metrics
    )
    assert 'edgecloud_tier_failures_total{reason="unavailable",route="cloud"} 1.0' in metrics
    error = response.json()["error"]
    assert error["param"] == "cloud"
    assert error["code"] == "tier_unavailable"
    assert "cloud tier is unavailable" in error["message"]


@pytest.mark.anyio
async def test_both_tiers_down_is_a_503_that_names_both() -> None:
    async with orchestrator(refuse, refuse) as client:
        response = await client.post(
            "/v1/chat/completions", json=chat(), headers={"X-Policy": "edge-only"}
        )
    assert response.status_code == 503
    message = response.json()["error"]["message"]
    assert "edge tier is unavailable" in message
    assert "cloud tier is unavailable" in message


@pytest.mark.anyio
async def test_engine_errors_are_translated() -> None:
    async with orchestrator(FakeEngine("e", status=400), FakeEngine("c", status=500)) as client:
        rejected = await client.post(
            "/v1/chat/completions", json=chat(), headers={"X-Policy": "edge-only"}
        )
        # The cloud's 500 moves a chat request to the edge (which rejects it: a 400 then).
        failed_over = await client.post(
            "/v1/chat/completions", json=chat(), headers={"X-Policy": "cloud-only"}
        )
        failed = await client.post(
            "/v1/chat/completions",
            json=chat(metadata={"task_type": "science"}),
            headers={"X-Policy": "cloud-only"},
        )
    assert rejected.status_code == 400
    # What vLLM said (its code is a number), in the documented shape (ours is text).
    error = ErrorResponse.model_validate_json(rejected.content, strict=True).error
    assert (error.message, error.type, error.code) == ("engine says no", "BadRequestError", "400")
    assert failed_over.status_code == 400
    assert failed_over.headers["x-route"] == "edge"
    assert failed.status_code == 502  # science needs the cloud: no failover to the edge
    assert failed.json()["error"]["param"] == "cloud"
