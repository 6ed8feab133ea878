"""The orchestrator's HTTP behaviour against fake engines (httpx MockTransport).

Redis points at a closed port here, which also exercises the outage path: requests still succeed
and each lost history write is counted.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
import pytest

from edgecloud.model import Route
from edgecloud.orchestrator import OrchestratorSettings, create_app
from tests.eventually import eventually_async

Handler = Callable[[httpx.Request], httpx.Response]


def sse(*payloads: object) -> bytes:
    return b"".join(f"data: {json.dumps(p)}\n\n".encode() for p in payloads) + b"data: [DONE]\n\n"


def engine_stream(model: str, words: list[str]) -> bytes:
    chunks: list[object] = [
        {
            "id": "cmpl-1",
            "model": model,
            "created": 1,
            "choices": [{"index": 0, "delta": {"content": w}, "finish_reason": None}],
        }
        for w in words
    ]
    chunks.append(
        {
            "id": "cmpl-1",
            "model": model,
            "created": 1,
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
        }
    )
    chunks.append(
        {
            "id": "cmpl-1",
            "model": model,
            "created": 1,
            "choices": [],
            "usage": {
                "prompt_tokens": 5,
                "completion_tokens": len(words),
                "total_tokens": 5 + len(words),
            },
        }
    )
    return sse(*chunks)


class FakeEngine:
    """Answers like vLLM's streaming chat endpoint and remembers what it was sent."""

    def __init__(self, model: str, status: int = 200) -> None:
        self.model = model
        self.status = status
        self.requests: list[dict[str, object]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(json.loads(request.content))
        if self.status != 200:
            body = {
                "error": {
                    "message": "engine says no",
                    "type": "BadRequestError",
                    "code": self.status,
                }
            }
            return httpx.Response(self.status, json=body)
        return httpx.Response(
            200,
            content=engine_stream(self.model, ["Hel", "lo", "!"]),
            headers={"content-type": "text/event-stream"},
        )


def refuse(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


SETTINGS = OrchestratorSettings(redis_url="redis://127.0.0.1:1/0", default_policy="greedy")


@asynccontextmanager
async def orchestrator(edge: Handler, cloud: Handler) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        SETTINGS,
        transports={Route.EDGE: httpx.MockTransport(edge), Route.CLOUD: httpx.MockTransport(cloud)},
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://orch") as client,
    ):
        yield client


def chat(**fields: object) -> dict[str, object]:
    return {"model": "auto", "messages": [{"role": "user", "content": "hi"}], **fields}


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
    assert rejected.json()["error"]["message"] == "engine says no"
    assert failed_over.status_code == 400
    assert failed_over.headers["x-route"] == "edge"
    assert failed.status_code == 502  # science needs the cloud: no failover to the edge
    assert failed.json()["error"]["param"] == "cloud"


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
async def test_a_redis_outage_keeps_serving_and_counts_dropped_history() -> None:
    async with orchestrator(FakeEngine(SETTINGS.edge_model), FakeEngine("c")) as client:
        for _ in range(2):
            ok = await client.post(
                "/v1/chat/completions", json=chat(), headers={"X-Policy": "edge-only"}
            )
            assert ok.status_code == 200

        # History writes run in the background; they fail against the closed port.
        async def both_dropped() -> str | None:
            metrics = (await client.get("/metrics/")).text
            return metrics if 'history_records_total{outcome="dropped"} 2.0' in metrics else None

        metrics = await eventually_async(both_dropped, timeout_s=10.0, what="two dropped records")
    labels = 'policy="edge-only",route="edge",task_type="chat"'
    assert f"edgecloud_request_delay_seconds_count{{{labels}}} 2.0" in metrics
    assert 'edgecloud_request_delay_part_seconds_count{part="ttft",policy="edge-only"' in metrics
    assert 'edgecloud_decisions_total{policy="edge-only",route="edge"} 2.0' in metrics
