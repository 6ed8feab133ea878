"""The bare relay (the benchmark's floor) passes the engine's stream on, over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from edgecloud.bench import fast_engine
from edgecloud.bench.bare_relay import ENGINE_URL_VARIABLE
from edgecloud.stack import Processes

BODY = {"model": "m", "stream": True, "max_tokens": 5, "messages": []}


@pytest.fixture(scope="module")
def urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The stand-in engine and the bare relay in front of it, as the benchmark runs them."""
    with Processes(tmp_path_factory.mktemp("bare-relay")) as procs:
        engine_url = fast_engine.start(procs, 0.005)
        relay_url = procs.app(
            "bare-relay",
            "edgecloud.bench.bare_relay:create_app_from_env",
            {ENGINE_URL_VARIABLE: engine_url},
        )
        yield engine_url, relay_url


def _stream(url: str) -> tuple[httpx.Response, bytes]:
    with (
        httpx.Client(base_url=url) as client,
        client.stream("POST", "/v1/chat/completions", json=BODY) as reply,
    ):
        return reply, reply.read()


def test_a_stream_comes_through_as_the_engine_sent_it(urls: tuple[str, str]) -> None:
    engine_url, relay_url = urls
    direct, direct_body = _stream(engine_url)
    relayed, relayed_body = _stream(relay_url)
    assert relayed.status_code == direct.status_code == 200
    assert relayed.headers["content-type"] == "text/event-stream"
    # The stream is the same but for the time stamp each event carries.
    assert relayed_body.count(b"data: ") == direct_body.count(b"data: ") == 9
    assert [line for line in relayed_body.split(b"\n") if b'"content": " w' in line] != []
    assert relayed_body.endswith(b"data: [DONE]\n\n")


def test_it_answers_its_health_check_and_relays_nothing_else(urls: tuple[str, str]) -> None:
    _, relay_url = urls
    assert httpx.get(f"{relay_url}/healthz").text == "ok"
    assert httpx.get(f"{relay_url}/v1/models").status_code == 404
    assert httpx.post(f"{relay_url}/v1/completions", json=BODY).status_code == 404
