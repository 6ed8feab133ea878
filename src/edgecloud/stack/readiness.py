"""Waiting until services answer: HTTP health endpoints or a TCP port."""

from __future__ import annotations

import socket
import time

import httpx

from .services import ServiceSpec


def is_ready(spec: ServiceSpec, host: str) -> bool:
    url = spec.health_url(host)
    if url is None:
        try:
            with socket.create_connection((host, spec.port), timeout=1.0):
                return True
        except OSError:
            return False
    try:
        return httpx.get(url, timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


def wait_ready(spec: ServiceSpec, host: str, timeout_s: float | None = None) -> float:
    """Seconds until the service answered; raises TimeoutError."""
    started = time.monotonic()
    deadline = started + (timeout_s or spec.startup_timeout_s)
    while time.monotonic() < deadline:
        if is_ready(spec, host):
            return time.monotonic() - started
        time.sleep(0.5)
    raise TimeoutError(f"{spec.name} did not become ready on port {spec.port}")
