"""The orchestrator's HTTP behaviour against fake engines (tests/unit/orchestrator/fakes.py)."""

from __future__ import annotations

import pytest

from tests.eventually import eventually_async
from tests.unit.orchestrator.fakes import (
    SETTINGS,
    FakeEngine,
    chat,
    orchestrator,
)


@pytest.mark.anyio
async def test_plain_reply_is_aggregated_from_the_engine_stream() -> None:
    edge = FakeEngine(SETTINGS.edge_model)
    async with orchestrator(edge, FakeEngine(SETTINGS.cloud_model)) as client:
        response = await client.post(
            "/v1/chat/completions",
            json=chat(metadata={"task_type": "chat"}),
            headers={"X-Policy": "edge-only"},
        )
    assert response.status_code == 200
    assert response.headers["x-route"] == "edge"
    assert response.headers["x-policy"] == "edge-only"
    body = response.json()
    assert body["choices"][0]["message"]["content"] == "Hello!"
    assert body["usage"]["completion_tokens"] == 3
    sent = edge.requests[0]
    assert sent["model"] == SETTINGS.edge_model
    assert sent["stream"] is True
    assert sent["stream_options"] == {"include_usage": True}
    assert sent["max_tokens"] == SETTINGS.default_max_tokens
    assert "metadata" not in sent


@pytest.mark.anyio
async def test_stream_passes_events_through_and_strips_unrequested_usage() -> None:
    cloud = FakeEngine(SETTINGS.cloud_model)
    async with orchestrator(FakeEngine(SETTINGS.edge_model), cloud) as client:
        plain = await client.post(
            "/v1/chat/completions", json=chat(stream=True), headers={"X-Policy": "cloud-only"}
        )
        with_usage = await client.post(
            "/v1/chat/completions",
            json=chat(stream=True, stream_options={"include_usage": True}, stop=["###"]),
            headers={"X-Policy": "cloud-only"},
        )
    assert plain.headers["content-type"].startswith("text/event-stream")
    assert plain.headers["x-route"] == "cloud"
    assert plain.text.count("data: ") == 5  # 3 tokens, finish, [DONE]; no usage event
    assert '"usage"' not in plain.text
    assert with_usage.text.count("data: ") == 6
    assert '"completion_tokens": 3' in with_usage.text
    # The cloud tier's stop strings are added to the client's.
    assert cloud.requests[1]["stop"] == ["###", *SETTINGS.cloud_stop]


@pytest.mark.anyio
async def test_an_exact_length_request_gets_no_tier_stop_sequences() -> None:
    cloud = FakeEngine(SETTINGS.cloud_model)
    async with orchestrator(FakeEngine(SETTINGS.edge_model), cloud) as client:
        reply = await client.post(
            "/v1/chat/completions",
            json=chat(max_tokens=40, ignore_eos=True),
            headers={"X-Policy": "cloud-only"},
        )
    assert reply.status_code == 200
    assert SETTINGS.cloud_stop, "the cloud tier has stop sequences to leave out"
    assert "stop" not in cloud.requests[0]
    assert cloud.requests[0]["ignore_eos"] is True
    assert cloud.requests[0]["max_tokens"] == 40


@pytest.mark.anyio
async def test_a_pinned_model_overrides_the_policy() -> None:
    async with orchestrator(FakeEngine(SETTINGS.edge_model), FakeEngine(SETTINGS.cloud_model)) as c:
        response = await c.post(
            "/v1/chat/completions",
            json=chat(model=SETTINGS.cloud_model),
            headers={"X-Policy": "edge-only"},
        )
        models = (await c.get("/v1/models")).json()
    assert response.headers["x-route"] == "cloud"
    assert response.headers["x-policy"] == "pinned"
    assert [m["id"] for m in models["data"]] == ["auto", SETTINGS.edge_model, SETTINGS.cloud_model]


@pytest.mark.parametrize(
    ("body", "status", "param"),
    [
        (b"{not json", 400, None),
        (b'{"messages": "hello"}', 400, "messages"),
        (b'{"messages": []}', 400, "messages"),
        (b'{"messages": [{"role": "user", "content": "  "}]}', 400, "messages"),
        (b'{"messages": [{"role": "user", "content": "x"}], "max_tokens": 0}', 400, "max_tokens"),
        (
            b'{"messages": [{"role": "user", "content": "x"}], "max_tokens": 100000}',
            400,
            "max_tokens",
        ),
        (b'{"messages": [{"role": "wizard", "content": "x"}]}', 400, "messages.0.role"),
        (
            b'{"messages": [{"role": "user", "content": "x"}], "temperature": "hot"}',
            400,
            "temperature",
        ),
        (b'{"model": "gpt-9", "messages": [{"role": "user", "content": "x"}]}', 404, "model"),
        (
            b'{"messages": [{"role": "user", "content": "x"}], "metadata": {"task_type": "poem"}}',
            400,
            "metadata.task_type",
        ),
    ],
)
@pytest.mark.anyio
async def test_bad_input_gets_a_4xx_json_error(body: bytes, status: int, param: str | None) -> None:
    async with orchestrator(FakeEngine("e"), FakeEngine("c")) as client:
        response = await client.post(
            "/v1/chat/completions", content=body, headers={"content-type": "application/json"}
        )
    assert response.status_code == status
    error = response.json()["error"]
    assert error["message"]
    assert error["type"] in {"invalid_request_error", "not_found_error"}
    assert error["param"] == param


@pytest.mark.anyio
async def test_unknown_policy_header_is_a_400() -> None:
    async with orchestrator(FakeEngine("e"), FakeEngine("c")) as client:
        response = await client.post(
            "/v1/chat/completions", json=chat(), headers={"X-Policy": "coin-toss"}
        )
        not_found = await client.get("/v2/nothing")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unknown_policy"
    assert not_found.status_code == 404
    assert not_found.json()["error"]["type"] == "not_found_error"


@pytest.mark.anyio
async def test_a_redis_outage_keeps_serving_and_spools_the_history() -> None:
    async with orchestrator(FakeEngine(SETTINGS.edge_model), FakeEngine("c")) as client:
        for _ in range(2):
            ok = await client.post(
                "/v1/chat/completions", json=chat(), headers={"X-Policy": "edge-only"}
            )
            assert ok.status_code == 200

        # History writes run in the background; they fail against the closed port and wait in
        # the spool for Redis to come back.
        async def both_spooled() -> str | None:
            metrics = (await client.get("/metrics/")).text
            return metrics if "edgecloud_history_spool_items 2.0" in metrics else None

        metrics = await eventually_async(both_spooled, timeout_s=10.0, what="two spooled records")
    assert 'history_records_total{outcome="dropped"} 0.0' in metrics
    labels = 'policy="edge-only",route="edge",task_type="chat"'
    assert f"edgecloud_request_delay_seconds_count{{{labels}}} 2.0" in metrics
    assert 'edgecloud_request_delay_part_seconds_count{part="ttft",policy="edge-only"' in metrics
    assert 'edgecloud_decisions_total{policy="edge-only",route="edge"} 2.0' in metrics
