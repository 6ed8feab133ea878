"""The stack on emulated engines (``EDGECLOUD_STACK_ENGINE=emulated``): the orchestrator routes to
them, its load poller reads their vLLM metrics, every LLM dashboard panel has data, and a cut
stream really cuts the connection. The real-engine stack stays the default of the other tests."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from edgecloud.common.app_services import EMULATED_ENGINE_FACTORY
from edgecloud.dashboards import DEFAULT_DIRECTORY, panel_queries
from edgecloud.llm.emulated import load_profile
from edgecloud.stack import Processes, StackSettings, free_port, uvicorn_command
from tests.eventually import eventually

from .conftest import ADMIN, ROOT, Stack, make_settings, start_stack, stop_stack
from .test_observability import finite_points

pytestmark = pytest.mark.integration

EDGE = load_profile(StackSettings().edge_profile)
CLOUD = load_profile("cloud-h100x4-llama-3.1-70b")


@pytest.fixture(scope="module")
def emulated() -> Iterator[Stack]:
    settings = make_settings(engine="emulated", state_dir_name="test-emulated-stack")
    started = time.monotonic()
    stack = start_stack(settings)
    stack.started_in_s = time.monotonic() - started  # type: ignore[attr-defined]
    try:
        yield stack
    finally:
        stop_stack(stack)


def ask(stack: Stack, ue: str, policy: str, max_tokens: int = 24) -> httpx.Response:
    body = {
        "model": "auto",
        "messages": [{"role": "user", "content": "Name three rivers of Europe."}],
        "max_tokens": max_tokens,
        "ignore_eos": True,
    }
    return httpx.post(
        f"{stack.radio_url}/v1/chat/completions",
        json=body,
        headers={"X-UE-Id": ue, "X-Policy": policy},
        timeout=60,
    )


def test_the_emulated_stack_has_no_vllm_and_no_decision_llm(emulated: Stack) -> None:
    assert set(emulated.specs) >= {"edge-llm", "cloud-llm", "orchestrator", "radio-emulator"}
    assert "decision-llm" not in emulated.specs
    for tier in ("edge-llm", "cloud-llm"):
        assert emulated.specs[tier].argv[-1] != "vllm"
        assert EMULATED_ENGINE_FACTORY in emulated.specs[tier].argv
    models = httpx.get(f"{emulated.url('edge-llm')}/v1/models").json()["data"]
    assert [m["id"] for m in models] == [EDGE.served_model_name]


@pytest.mark.parametrize(
    ("policy", "route", "profile"),
    [("edge-only", "edge", EDGE), ("cloud-only", "cloud", CLOUD)],
)
def test_requests_through_the_radio_are_served_by_the_emulated_tiers(
    emulated: Stack, policy: str, route: str, profile: Any
) -> None:
    reply = ask(emulated, f"ue-{route}", policy)
    assert reply.status_code == 200, reply.text
    assert reply.headers["x-route"] == route
    body = reply.json()
    assert body["model"] == profile.served_model_name
    assert body["usage"]["completion_tokens"] == 24
    assert len(body["choices"][0]["message"]["content"].split()) == 24


def test_icl_is_not_offered_without_a_decision_llm(emulated: Stack) -> None:
    reply = ask(emulated, "ue-icl", "icl")
    # The radio refuses a policy its UEs may not ask for, before the orchestrator is reached.
    assert reply.status_code == 403
    assert "policy" in reply.json()["error"]["message"].lower()


def test_the_load_poller_reads_the_emulated_engines_queue(emulated: Stack) -> None:
    async def streams(count: int) -> None:
        async with httpx.AsyncClient(timeout=120) as client:
            body = {
                "model": EDGE.served_model_name,
                "messages": [{"role": "user", "content": "Tell a long story. " * 50}],
                "max_tokens": 400,
                "ignore_eos": True,
            }
            await asyncio.gather(
                *(
                    client.post(f"{emulated.url('edge-llm')}/v1/chat/completions", json=body)
                    for _ in range(count)
                )
            )

    def seen_running() -> float:
        text = httpx.get(f"{emulated.orchestrator_url}/metrics").text
        for line in text.splitlines():
            if line.startswith('edgecloud_tier_engine_requests{route="edge",state="running"}'):
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    async def load_and_watch() -> float:
        task = asyncio.create_task(streams(6))
        best = 0.0
        while not task.done():
            best = max(best, await asyncio.to_thread(seen_running))
            await asyncio.sleep(0.2)
        await task
        return best

    assert asyncio.run(load_and_watch()) == 6


def test_every_llm_dashboard_panel_returns_data_with_emulated_engines(emulated: Stack) -> None:
    assert "prometheus" in emulated.executors, "no prometheus binary: `make test` installs it"
    started = time.time()
    for i in range(6):
        for policy in ("edge-only", "cloud-only"):
            assert ask(emulated, f"ue-dash-{i}", policy, max_tokens=8).status_code == 200
    dashboard = json.loads((ROOT / DEFAULT_DIRECTORY / "edgecloud-llm.json").read_text())
    queries = panel_queries(dashboard)
    assert queries
    prometheus = emulated.url("prometheus")

    def empty_panels() -> list[str]:
        now = time.time()
        return [f"{t}: {e}" for t, e in queries if not finite_points(prometheus, e, started, now)]

    eventually(lambda: not empty_panels(), timeout_s=30, what="every LLM panel has data")


def test_a_cut_stream_ends_the_connection_before_the_last_chunk(tmp_path: Any) -> None:
    with Processes(tmp_path) as procs:
        port = free_port()
        procs.http(
            "cutting-engine",
            uvicorn_command(EMULATED_ENGINE_FACTORY, "127.0.0.1", port, log_level="warning"),
            port,
            {"EDGECLOUD_EMULATOR_ERROR_RATES": '{"stream_abort": 1.0}'},
            health="/health",
        )
        body = {
            "model": EDGE.served_model_name,
            "messages": [{"role": "user", "content": "hello"}],
            "max_tokens": 10,
            "ignore_eos": True,
            "stream": True,
        }
        lines: list[str] = []
        with (
            pytest.raises(httpx.RemoteProtocolError),
            httpx.stream(
                "POST", f"http://127.0.0.1:{port}/v1/chat/completions", json=body, timeout=30
            ) as reply,
        ):
            lines.extend(line for line in reply.iter_lines() if line)
        assert "data: [DONE]" not in lines
        assert 1 <= sum('"content"' in line for line in lines) <= 6


def test_the_admin_api_is_unchanged_with_emulated_engines(emulated: Stack) -> None:
    assert httpx.get(f"{emulated.radio_url}/cells", headers=ADMIN).status_code == 200
