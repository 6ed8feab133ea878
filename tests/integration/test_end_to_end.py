"""A prompt travels UE -> radio emulator -> orchestrator -> real vLLM (edge or cloud) and back."""

from __future__ import annotations

import json
from typing import Any

import httpx
import openai
import pytest
import redis

from edgecloud.orchestrator.history import RECORD_FIELD
from tests.eventually import eventually

from .conftest import ADMIN, Stack

pytestmark = [pytest.mark.integration, pytest.mark.llm]

QUESTION = [{"role": "user", "content": "What is the capital of France?"}]


def ask(stack: Stack, policy: str, ue: str, **body: Any) -> httpx.Response:
    payload = {"model": "auto", "messages": QUESTION, "max_tokens": 24, **body}
    headers = {"X-UE-Id": ue, "X-Policy": policy}
    return httpx.post(
        f"{stack.radio_url}/v1/chat/completions", json=payload, headers=headers, timeout=120
    )


def history_record(stack: Stack, request_id: str, timeout_s: float = 15.0) -> dict[str, Any]:
    with redis.Redis.from_url(stack.redis_url) as client:

        def find() -> dict[str, Any] | None:
            entries: Any = client.xrevrange("edgecloud:history", count=200)
            for _, fields in entries:
                record: dict[str, Any] = json.loads(fields[RECORD_FIELD.encode()])
                if record["request_id"] == request_id:
                    return record
            return None

        return eventually(find, timeout_s, what=f"a history record for {request_id}")


@pytest.mark.parametrize(
    ("policy", "route", "model"),
    [("edge-only", "edge", "smollm2-135m-instruct"), ("cloud-only", "cloud", "gemma-3-270m")],
)
def test_a_prompt_gets_a_real_completion_from_each_tier(
    stack: Stack, policy: str, route: str, model: str
) -> None:
    response = ask(stack, policy, ue=f"ue-{route}")
    assert response.status_code == 200, response.text
    assert response.headers["x-route"] == route
    assert response.headers["x-radio-ue-id"] == f"ue-{route}"
    body = response.json()
    assert body["model"] == model
    assert body["choices"][0]["message"]["content"].strip()
    assert 0 < body["usage"]["completion_tokens"] <= 24


def test_the_openai_client_streams_through_the_radio(stack: Stack) -> None:
    client = openai.OpenAI(
        base_url=f"{stack.radio_url}/v1",
        api_key="unused",
        default_headers={"X-UE-Id": "ue-sdk", "X-Policy": "edge-only"},
    )
    stream = client.chat.completions.create(
        model="auto",
        messages=[{"role": "user", "content": "What is the capital of France?"}],
        max_tokens=24,
        stream=True,
        stream_options={"include_usage": True},
    )
    pieces: list[str] = []
    usage = None
    for chunk in stream:
        pieces += [c.delta.content for c in chunk.choices if c.delta.content]
        usage = chunk.usage or usage
    assert len(pieces) >= 2
    assert "".join(pieces).strip()
    assert usage is not None
    assert usage.completion_tokens >= len(pieces)


@pytest.mark.parametrize("policy", ["edge-only", "cloud-only"])
def test_each_request_leaves_a_history_record_with_every_delay_part(
    stack: Stack, policy: str
) -> None:
    response = httpx.post(
        f"{stack.radio_url}/v1/chat/completions",
        json={
            "messages": QUESTION,
            "max_tokens": 16,
            "stream": True,
            "metadata": {"task_type": "extraction"},
        },
        headers={"X-UE-Id": "ue-history", "X-Policy": policy, "X-Request-Id": "client-1"},
        timeout=120,
    )
    assert response.status_code == 200
    assert response.headers["x-client-request-id"] == "client-1"
    record = history_record(stack, response.headers["x-request-id"])
    parts = record["parts"]
    assert set(parts) == {
        "other_s",
        "uplink_s",
        "decision_s",
        "queue_s",
        "backhaul_s",
        "ttft_s",
        "decode_s",
        "downlink_s",
    }
    assert record["status"] == "ok"
    assert record["task_type"] == "extraction"
    assert not record["report_missing"]
    assert record["radio"]["completed"]
    assert record["radio"]["dl_bytes"] == len(response.content)
    assert parts["uplink_s"] > 0
    assert parts["ttft_s"] > 0
    assert parts["decode_s"] > 0
    if policy == "cloud-only":
        assert parts["backhaul_s"] >= 0.039  # 20 ms each way by default
    else:
        assert parts["backhaul_s"] == 0
    # The measured parts explain the end-to-end delay; `other` (HTTP hops and processing between
    # them) is a few milliseconds on an idle machine, more when the CPU is shared with the engines.
    assert sum(parts.values()) == pytest.approx(record["total_s"])
    assert parts["other_s"] < 0.1 + 0.1 * record["total_s"]
    assert record["reward"] == pytest.approx(-record["total_s"])


def metric_value(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in text.splitlines():
        series = line.startswith(name + "{") or line.startswith(name + " ")
        if series and all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_orchestrator_histograms_count_the_requests(stack: Stack) -> None:
    def count() -> float:
        text = httpx.get(f"{stack.orchestrator_url}/metrics/").text
        return metric_value(text, "edgecloud_request_delay_seconds_count", policy="edge-only")

    before = count()
    for _ in range(2):
        assert ask(stack, "edge-only", ue="ue-metrics").status_code == 200
    eventually(lambda: count() >= before + 2, 15, what="both requests in the histogram")
    assert count() == before + 2
    text = httpx.get(f"{stack.orchestrator_url}/metrics/").text
    for part in ("uplink", "decision", "queue", "backhaul", "ttft", "decode", "downlink", "other"):
        assert metric_value(text, "edgecloud_request_delay_part_seconds_count", part=part) > 0


def test_prometheus_scrapes_every_service(stack: Stack) -> None:
    assert "prometheus" in stack.executors, "no prometheus binary: `make test` installs it"

    assert ask(stack, "cloud-only", ue="ue-prom").status_code == 200
    url = stack.url("prometheus")

    def query(promql: str) -> list[dict[str, Any]]:
        reply = httpx.get(f"{url}/api/v1/query", params={"query": promql}, timeout=10).json()
        assert reply["status"] == "success"
        result: list[dict[str, Any]] = reply["data"]["result"]
        return result

    def scraped() -> tuple[dict[str, str], list[dict[str, Any]]] | None:
        up = {r["metric"]["job"]: r["value"][1] for r in query("up")}
        delays = query('sum(edgecloud_request_delay_seconds_count{route="cloud"})')
        if len(up) == 4 and set(up.values()) == {"1"} and delays and float(delays[0]["value"][1]):
            return up, delays
        return None

    up, delays = eventually(scraped, 30, interval_s=1.0, what="every target up, one cloud delay")
    assert up == {"radio-emulator": "1", "orchestrator": "1", "edge-llm": "1", "cloud-llm": "1"}
    assert float(delays[0]["value"][1]) >= 1
    # vLLM's own histograms are scraped too.
    assert query("vllm:time_to_first_token_seconds_count")


def test_the_radio_emulator_shows_each_ues_radio_state(stack: Stack) -> None:
    assert ask(stack, "edge-only", ue="ue-view").status_code == 200
    view = httpx.get(f"{stack.radio_url}/ues/ue-view", headers=ADMIN).json()
    assert view["ue_id"] == "ue-view"
    assert view["dl_rate_bps"] > 0
    assert 0 < view["dl_rbs"] <= 51
    missing = httpx.get(f"{stack.radio_url}/ues/nobody", headers=ADMIN)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "unknown_ue"


def test_radio_headers_sent_straight_to_the_orchestrator_are_not_believed(stack: Stack) -> None:
    def ignored() -> float:
        text = httpx.get(f"{stack.orchestrator_url}/metrics/").text
        return metric_value(text, "edgecloud_radio_headers_ignored_total", reason="unsigned")

    before = ignored()
    forged = [
        (b"X-Policy", b"edge-only"),
        (b"X-Radio-UE-Id", b"ue-forged"),
        (b"X-Radio-SINR-dB", b"nan"),
        (b"X-Radio-Cell-Id", "²".encode()),
        (b"X-Radio-DL-Rate-bps", b"1e12"),
        (b"X-Request-Id", b"P:done"),
    ]
    reply = httpx.post(
        f"{stack.orchestrator_url}/v1/chat/completions",
        json={"model": "auto", "messages": QUESTION, "max_tokens": 8},
        headers=forged,
        timeout=120,
    )
    assert reply.status_code == 200, reply.text
    assert reply.headers["x-request-id"] != "P:done"
    assert ignored() == before + 1
    record = history_record(stack, reply.headers["x-request-id"])
    assert record["radio"] is None
    assert not record["report_missing"]  # a direct request: no report was awaited
    history = httpx.get(f"{stack.orchestrator_url}/history", params={"limit": 5})
    assert history.status_code == 200


def test_a_report_that_cannot_be_joined_is_counted_and_the_rest_still_are(stack: Stack) -> None:
    def unjoinable() -> float:
        text = httpx.get(f"{stack.orchestrator_url}/metrics/").text
        return metric_value(text, "edgecloud_delivery_reports_unjoinable_total")

    before = unjoinable()
    client = redis.Redis.from_url(stack.redis_url)
    # A key of the wrong type where the join expects a hash (what "P" then "P:done" did).
    client.set("edgecloud:history:join:collides", "not a hash")
    report = {"request_id": "collides", "ue_id": "u", "cell_id": 0, "status_code": 200}
    report |= {"completed": True, "uplink_s": 0, "downlink_s": 0, "downlink_tail_s": 0}
    report |= {"total_s": 0, "ul_bytes": 0, "dl_bytes": 0, "received_at": 0, "delivered_at": 0}
    client.xadd("edgecloud:delivery", {"report": json.dumps(report)})
    client.xadd("edgecloud:delivery", {"report": "{not json"})
    eventually(lambda: unjoinable() >= before + 2, 15, what="both bad reports counted")
    reply = ask(stack, "edge-only", ue="ue-after-bad")
    assert reply.status_code == 200
    record = history_record(stack, reply.headers["x-request-id"])
    assert record["radio"] is not None  # the consumer went on joining
    ready = httpx.get(f"{stack.orchestrator_url}/readyz", timeout=10).json()
    assert ready["checks"]["loop:report_consumer"] is True


def test_an_aggregated_request_whose_client_left_stops_generating(stack: Stack) -> None:
    def counts() -> tuple[float, float]:
        text = httpx.get(f"{stack.orchestrator_url}/metrics/").text
        left = metric_value(
            text, "edgecloud_requests_total", policy="edge-only", status="client_disconnected"
        )
        return left, metric_value(text, "edgecloud_completion_tokens_total", route="edge")

    left_before, tokens_before = counts()
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(
            f"{stack.orchestrator_url}/v1/chat/completions",
            json={"messages": QUESTION, "max_tokens": 1500, "ignore_eos": True, "stream": False},
            headers={"X-Policy": "edge-only"},
            timeout=httpx.Timeout(30.0, read=1.0),
        )
    # 1,500 tokens take the CPU engine about half a minute; the orchestrator notices the client
    # is gone within a poll and closes the engine's stream.
    eventually(lambda: counts()[0] >= left_before + 1, 10, what="the request counted as left")
    assert counts()[1] - tokens_before < 500
