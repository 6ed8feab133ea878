"""No record lost and nothing forgotten on the session's stack: its Redis stopped during requests,
its radio emulator restarted, one of two orchestrators killed."""

from __future__ import annotations

import httpx
import pytest
import redis as sync_redis

from .conftest import ADMIN, Stack, extra_service
from .test_end_to_end import QUESTION, ask, history_record

pytestmark = [pytest.mark.integration, pytest.mark.llm]


def test_redis_stopped_during_requests_through_the_radio_loses_no_record(stack: Stack) -> None:
    with sync_redis.Redis.from_url(stack.redis_url) as client:
        kept = client.xlen("edgecloud:history")
    executor = stack.executors["redis"]
    executor.stop()
    try:
        answers = [ask(stack, "edge-only", f"ue-outage-{i}", max_tokens=8) for i in range(3)]
    finally:
        executor.start()
    assert [a.status_code for a in answers] == [200, 200, 200]
    for answer in answers:
        record = history_record(stack, answer.headers["x-request-id"], timeout_s=30)
        assert not record["report_missing"], "joined with its delivery report after the outage"
        assert record["radio"]["dl_bytes"] == len(answer.content)
    # Redis' append-only file brought back what it held before it stopped.
    with sync_redis.Redis.from_url(stack.redis_url) as client:
        assert client.xlen("edgecloud:history") >= kept + 3


def test_a_restarted_radio_emulator_keeps_what_the_admin_api_changed(stack: Stack) -> None:
    with httpx.Client(base_url=stack.radio_url, headers=ADMIN, timeout=10) as admin:
        cell = admin.get("/cells").json()[2]
        placed = admin.put(
            "/admin/ues/ue-kept",
            json={"x_m": cell["x_m"] + 40.0, "y_m": cell["y_m"], "static_rbs": {"downlink": 6}},
        )
        assert placed.status_code == 200, placed.text
        assert admin.put("/admin/cells/2", json={"load": 0.35}).status_code == 200
    executor = stack.executors["radio-emulator"]
    executor.stop()
    executor.start()
    # A new client: the old one's kept-alive connections went with the old process.
    with httpx.Client(base_url=stack.radio_url, headers=ADMIN, timeout=10) as admin:
        try:
            after = admin.get("/ues/ue-kept").json()
            load_after = admin.get("/cells").json()[2]["load"]
        finally:
            admin.put("/admin/cells/2", json={"load": cell["load"]})
            admin.delete("/admin/ues/ue-kept")
    assert after["cell_id"] == placed.json()["cell_id"]
    assert after["x_m"] == pytest.approx(cell["x_m"] + 40.0)
    assert after["y_m"] == pytest.approx(cell["y_m"])
    assert after["static_rbs"]["downlink"] == 6
    assert load_after == pytest.approx(0.35)


def test_with_one_of_two_orchestrators_killed_requests_go_on_through_the_other(
    stack: Stack,
) -> None:
    with (
        extra_service(stack, "orchestrator", "orch-doomed", {
            "EDGECLOUD_ORCH_INSTANCE_ID": "orch-doomed"}) as (doomed, doomed_process),
        extra_service(stack, "radio-emulator", "radio-two-orchestrators", {
            "EDGECLOUD_RADIO_ORCHESTRATOR_URL": doomed,
            "EDGECLOUD_RADIO_ORCHESTRATOR_REPLICAS": stack.orchestrator_url,
            # Only a request finds the dead replica: a health check that came first (every 1 s
            # by default, during the request's uplink air time) would leave no failover to count.
            "EDGECLOUD_RADIO_ORCHESTRATOR_CHECK_S": "600",
        }) as (radio, _),
    ):  # fmt: skip

        def ask_radio(i: int) -> httpx.Response:
            return httpx.post(
                f"{radio}/v1/chat/completions",
                json={"model": "auto", "messages": QUESTION, "max_tokens": 4},
                headers={"X-UE-Id": f"ue-replicas-{i}", "X-Policy": "edge-only"},
                timeout=120,
            )

        assert [ask_radio(i).status_code for i in range(2)] == [200, 200]
        doomed_process.kill()
        after = [ask_radio(i) for i in range(2, 6)]
        metrics = httpx.get(f"{radio}/metrics/").text
    assert [a.status_code for a in after] == [200] * 4
    for answer in after:  # served by the live one, and recorded
        history_record(stack, answer.headers["x-request-id"], timeout_s=30)
    assert f'edgecloud_radio_orchestrator_failovers_total{{url="{doomed}"}} 1.0' in metrics
