"""The orchestrator's policies and resilience against real Redis and the real vLLM servers.

Two orchestrator replicas share their own Redis (which the last test stops); their tiers are the
session's real edge vLLM and the cloud vLLM behind the radio emulator's backhaul.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from mirakuru import TCPExecutor
from pydantic import AnyHttpUrl

from edgecloud.common.settings_env import settings_environment
from edgecloud.orchestrator import OrchestratorSettings
from edgecloud.stack import free_port, redis_command
from tests.eventually import eventually

from .conftest import Stack, extra_orchestrator

# Nothing listens on the discard port (only root could), so connections are refused at once.
DEAD_URL = "http://127.0.0.1:9"

pytestmark = [pytest.mark.integration, pytest.mark.llm]

TASKS = ("chat", "extraction", "coding", "science")


@dataclass
class Replicas:
    a: str
    b: str
    redis: TCPExecutor


def metric(url: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in httpx.get(f"{url}/metrics/", timeout=10).text.splitlines():
        if line.startswith(name) and all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


@pytest.fixture(scope="module")
def replicas(stack: Stack) -> Iterator[Replicas]:
    logs = stack.settings.state_dir / "logs"
    redis_port = free_port()
    redis_log = (logs / "replicas-redis.log").open("wb")
    redis = TCPExecutor(
        redis_command(redis_port),
        host="127.0.0.1",
        port=redis_port,
        timeout=20,
        stdout=redis_log,
        stderr=redis_log,
    )
    redis.start()
    try:
        with ExitStack() as started:
            urls = [
                started.enter_context(
                    extra_orchestrator(
                        stack,
                        f"replica-{name}",
                        settings_environment(
                            OrchestratorSettings(
                                redis_url=f"redis://127.0.0.1:{redis_port}/0",
                                instance_id=f"replica-{name}",
                                icl_timeout_s=10,
                                pool_refresh_s=0.5,
                            )
                        ),
                    )
                )
                for name in ("a", "b")
            ]
            yield Replicas(urls[0], urls[1], redis)
    finally:
        if redis.running():
            redis.stop()
        redis_log.close()


def ask(url: str, policy: str, task: str = "chat") -> httpx.Response:
    return httpx.post(
        f"{url}/v1/chat/completions",
        json={
            "messages": [{"role": "user", "content": "Name a primary colour."}],
            "max_tokens": 12,
            "metadata": {"task_type": task},
        },
        headers={"X-Policy": policy, "X-UE-Id": "ue-policies"},
        timeout=120,
    )


def test_icl_with_the_real_edge_llm_decides_for_every_task_type(replicas: Replicas) -> None:
    pool_before = metric(replicas.a, "edgecloud_experience_pool_size")
    for task in TASKS:  # some history first, so that ICL has examples to show
        assert ask(replicas.a, "greedy", task).status_code == 200
        assert ask(replicas.a, "cloud-only", task).status_code == 200
    eventually(
        lambda: (
            metric(replicas.a, "edgecloud_experience_pool_size") >= pool_before + 2 * len(TASKS)
        ),
        15,
        what="the new history in replica a's pool",
    )
    decided_before = metric(replicas.a, "edgecloud_icl_decisions_total")
    explored_before = metric(replicas.a, "edgecloud_icl_explorations_total")
    for task in TASKS:
        reply = ask(replicas.a, "icl-request", task)
        assert reply.status_code == 200, reply.text
        assert reply.headers["x-policy"] == "icl"
        assert reply.headers["x-route"] in {"edge", "cloud"}
    decided = metric(replicas.a, "edgecloud_icl_decisions_total") - decided_before
    explored = metric(replicas.a, "edgecloud_icl_explorations_total") - explored_before
    # Every ICL decision came from the LLM (a valid, strictly parsed answer) or from exploration.
    assert decided + explored == len(TASKS)
    for reason in ("invalid_answer", "llm_error", "timeout"):
        assert metric(replicas.a, "edgecloud_policy_fallbacks_total", reason=reason) == 0


def test_history_grows_and_a_second_replica_sees_the_same_pool(replicas: Replicas) -> None:
    before = len(httpx.get(f"{replicas.a}/history", params={"limit": 1000}).json()["data"])
    for _ in range(3):
        assert ask(replicas.a, "knn").status_code == 200

    def seen_by_b() -> tuple[list[Any], float] | None:
        history = httpx.get(f"{replicas.b}/history", params={"limit": 1000}).json()["data"]
        pool_b = metric(replicas.b, "edgecloud_experience_pool_size")
        return (history, pool_b) if len(history) >= before + 3 and pool_b >= before + 3 else None

    history, pool_b = eventually(seen_by_b, 10, what="replica b's history and pool")
    assert len(history) == before + 3
    assert pool_b == len(history)  # replica b learned from every request replica a served
    assert metric(replicas.a, "edgecloud_decisions_total", policy="knn") == 3


def test_requests_go_on_when_redis_stops(replicas: Replicas) -> None:
    replicas.redis.stop()
    for policy in ("greedy", "icl-request", "knn"):
        reply = ask(replicas.a, policy)
        assert reply.status_code == 200, reply.text
    # The records wait in the spool for Redis (none dropped).
    eventually(
        lambda: metric(replicas.a, "edgecloud_history_spool_items") >= 3,
        30,
        what="the history writes spooled",
    )
    assert metric(replicas.a, "edgecloud_history_records_total", outcome="dropped") == 0


def test_a_dead_edge_fails_over_to_the_cloud(stack: Stack) -> None:
    with extra_orchestrator(
        stack,
        "orchestrator-dead-edge",
        settings_environment(OrchestratorSettings(edge_url=AnyHttpUrl(DEAD_URL))),
    ) as url:
        reply = ask(url, "edge-only")
        assert reply.status_code == 200, reply.text
        assert reply.headers["x-route"] == "cloud"
        assert reply.json()["model"] == "gemma-3-270m"
        assert metric(url, "edgecloud_failovers_total", from_route="edge", to_route="cloud") == 1
