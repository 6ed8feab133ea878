"""Bad input and failing backends against the real services: a clear 4xx/503 JSON error, fast."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from pydantic import AnyHttpUrl

from edgecloud.common.settings_env import settings_environment
from edgecloud.orchestrator import OrchestratorSettings

from .conftest import ADMIN, Stack, extra_orchestrator

# Nothing listens on the discard port (only root could), so connections are refused at once.
DEAD_URL = "http://127.0.0.1:9"

pytestmark = pytest.mark.integration

GOOD = {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 4}


def post(url: str, body: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.post(
        f"{url}/v1/chat/completions",
        content=body,
        timeout=30,
        headers={"content-type": "application/json", **(headers or {})},
    )


def assert_error(response: httpx.Response, status: int, code: str | None = None) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["message"]
    assert error["type"]
    if code is not None:
        assert error["code"] == code


def test_a_missing_ue_id_is_a_400(stack: Stack) -> None:
    assert_error(
        post(stack.radio_url, b'{"messages": [{"role": "user", "content": "hi"}]}'),
        400,
        "missing_ue_id",
    )


def test_the_body_user_field_identifies_the_ue_once_a_request_is_served(stack: Stack) -> None:
    message = b'"messages": [{"role": "user", "content": "x"}]'
    refused = b'{"user": "ue-body", "model": "nope", ' + message + b"}"
    # Passed by the radio, refused by the orchestrator for the model: the UE is not kept.
    assert_error(post(stack.radio_url, refused), 404, "model_not_found")
    assert httpx.get(f"{stack.radio_url}/ues/ue-body", headers=ADMIN).status_code == 404
    served = b'{"user": "ue-body", "max_tokens": 4, ' + message + b"}"
    assert post(stack.radio_url, served, {"X-Policy": "edge-only"}).status_code == 200
    assert httpx.get(f"{stack.radio_url}/ues/ue-body", headers=ADMIN).status_code == 200


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b'{"messages": "hello"}', 400),
        (b'{"messages": []}', 400),
        (b'{"messages": [{"role": "user", "content": ""}]}', 400),
        (b'{"messages": [{"role": "user", "content": "x"}], "max_tokens": 0}', 400),
        (b'{"messages": [{"role": "user", "content": "x"}], "max_tokens": 9000000}', 400),
        (b'{"messages": [{"role": "user", "content": "x"}], "stream": "yes please"}', 400),
        (b'{"model": "gpt-9", "messages": [{"role": "user", "content": "x"}]}', 404),
    ],
)
def test_both_services_reject_bad_bodies(stack: Stack, body: bytes, status: int) -> None:
    assert_error(post(stack.radio_url, body, {"X-UE-Id": "ue-bad"}), status)
    assert_error(post(stack.orchestrator_url, body, {"X-UE-Id": "ue-bad"}), status)


def test_an_invalid_ue_id_and_an_unknown_policy(stack: Stack) -> None:
    body = b'{"messages": [{"role": "user", "content": "x"}]}'
    assert_error(post(stack.radio_url, body, {"X-UE-Id": "ue with spaces"}), 400, "invalid_ue_id")
    # The local stack lets its UEs ask for any policy: the orchestrator names the unknown one.
    assert_error(
        post(stack.radio_url, body, {"X-UE-Id": "ue-1", "X-Policy": "dice"}), 400, "unknown_policy"
    )
    assert_error(post(stack.orchestrator_url, body, {"X-Policy": "dice"}), 400, "unknown_policy")


@pytest.fixture(scope="module")
def orchestrator_without_tiers(stack: Stack) -> Iterator[str]:
    """A second orchestrator whose tiers both point at ports where nothing listens."""
    env = settings_environment(
        OrchestratorSettings(edge_url=AnyHttpUrl(DEAD_URL), cloud_url=AnyHttpUrl(DEAD_URL))
    )
    with extra_orchestrator(stack, "orchestrator-no-tiers", env) as url:
        yield url


def test_tiers_that_are_down_fail_fast_with_a_503_naming_them(
    orchestrator_without_tiers: str,
) -> None:
    started = time.monotonic()
    response = post(
        orchestrator_without_tiers,
        b'{"messages": [{"role": "user", "content": "x"}]}',
        {"X-Policy": "edge-only"},
    )
    assert time.monotonic() - started < 3.0
    assert_error(response, 503, "tier_unavailable")
    message = response.json()["error"]["message"]
    # The edge failed, the failover to the cloud failed too: both are named.
    assert "edge tier is unavailable" in message
    assert "cloud tier is unavailable" in message
    ready = httpx.get(f"{orchestrator_without_tiers}/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["edge"] is False
    metrics = httpx.get(f"{orchestrator_without_tiers}/metrics/").text
    assert 'status="tier_unavailable"' in metrics
