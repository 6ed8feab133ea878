"""Slow or stalled clients (slowloris) cannot hold a service's connections: a request must arrive in
full within the read timeout, whether nothing, half the headers or half the body was sent."""

from __future__ import annotations

import socket
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest

from edgecloud.common.read_timeout import READ_TIMEOUT_S

from .conftest import Stack

pytestmark = pytest.mark.integration

STALLS = {
    "nothing": b"",
    "half the headers": b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Ty",
    "half the body": (
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b'Content-Length: 100\r\n\r\n{"messages": '
    ),
}


def seconds_until_closed(url: str, sent: bytes, limit_s: float) -> float:
    """How long the server keeps a connection that sent ``sent`` and then stalled."""
    parts = urlsplit(url)
    started = time.monotonic()
    with socket.create_connection((parts.hostname, parts.port), timeout=limit_s) as sock:
        sock.sendall(sent)
        try:
            while sock.recv(4096):  # an answer (none is expected) or the close
                pass
        except TimeoutError:
            return float("inf")
    return time.monotonic() - started


def test_stalled_requests_are_closed_within_the_read_timeout(stack: Stack) -> None:
    limit_s = READ_TIMEOUT_S + 5
    cases = [(url, name) for url in (stack.radio_url, stack.orchestrator_url) for name in STALLS]
    with ThreadPoolExecutor(len(cases)) as pool:
        held = list(
            pool.map(lambda case: seconds_until_closed(case[0], STALLS[case[1]], limit_s), cases)
        )
    for (url, name), seconds in zip(cases, held, strict=True):
        assert READ_TIMEOUT_S - 1 <= seconds < limit_s, f"{url} held '{name}' for {seconds:.1f} s"
