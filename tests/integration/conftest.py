"""The real testbed, started once per test session: Redis, both vLLM CPU servers with the bundled
models, the orchestrator, the radio emulator and (where installed) Prometheus, on free ports.

The services are the same command lines ``edgecloud up`` runs (``edgecloud.stack``), supervised
here by mirakuru, which waits for each health check and kills each process group at the end.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pytest
from mirakuru import HTTPExecutor, SimpleExecutor, TCPExecutor
from pydantic import SecretStr

from edgecloud.llm.catalog import BUNDLED_MODELS
from edgecloud.llm.models import model_dir, verify
from edgecloud.stack import ServiceSpec, StackSettings, free_port, prometheus_config, stack_services

ROOT = Path(__file__).resolve().parents[2]
WORK_DIR = ROOT / ".work"
ADMIN_TOKEN = "test-stack-admin-token-0001"
SHARED_SECRET = "test-stack-shared-secret-0002"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@dataclass
class Stack:
    settings: StackSettings
    specs: dict[str, ServiceSpec]
    executors: dict[str, SimpleExecutor] = field(default_factory=dict)
    logs: list[IO[bytes]] = field(default_factory=list)

    def url(self, service: str) -> str:
        return f"http://{self.settings.host}:{self.specs[service].port}"

    @property
    def radio_url(self) -> str:
        return self.url("radio-emulator")

    @property
    def orchestrator_url(self) -> str:
        return self.url("orchestrator")

    @property
    def redis_url(self) -> str:
        return f"redis://{self.settings.host}:{self.settings.redis_port}/0"

    def log_path(self, service: str) -> Path:
        return self.settings.state_dir / "logs" / f"{service}.log"


def executor_for(spec: ServiceSpec, host: str, log: IO[bytes]) -> SimpleExecutor:
    common: dict[str, Any] = dict(
        envvars=spec.env, timeout=spec.startup_timeout_s, stdout=log, stderr=log, cwd=str(ROOT)
    )
    url = spec.health_url(host)
    if url is None:
        return TCPExecutor(spec.argv, host=host, port=spec.port, **common)
    return HTTPExecutor(spec.argv, url=url, method="GET", status=200, **common)


def start_stack(settings: StackSettings) -> Stack:
    specs = {spec.name: spec for spec in stack_services(settings)}
    stack = Stack(settings, specs)
    (settings.state_dir / "logs").mkdir(parents=True, exist_ok=True)
    # A fresh TSDB: series of an earlier session would answer the dashboard queries for this one.
    shutil.rmtree(settings.state_dir / "prometheus-data", ignore_errors=True)
    # And a fresh history: the stack's Redis keeps its append-only file between sessions.
    shutil.rmtree(settings.redis_data_dir, ignore_errors=True)
    settings.redis_data_dir.mkdir(parents=True)
    (settings.state_dir / "prometheus.yml").write_text(prometheus_config(settings))
    for name, spec in specs.items():
        log = stack.log_path(name).open("wb")
        stack.logs.append(log)
        stack.executors[name] = executor_for(spec, settings.host, log)

    def start(names: list[str]) -> None:
        # The two engines take 20-90 s each: start them side by side.
        with ThreadPoolExecutor(len(names)) as pool:
            list(pool.map(lambda n: stack.executors[n].start(), names))

    try:
        start(["redis"])
        start(["edge-llm", "cloud-llm"])
        start(["orchestrator", "radio-emulator"])
        if "prometheus" in stack.executors:
            start(["prometheus"])
    except Exception:
        stop_stack(stack)
        raise
    return stack


def stop_stack(stack: Stack) -> None:
    for executor in reversed(list(stack.executors.values())):
        if executor.running():
            executor.stop()
    for log in stack.logs:
        log.close()


def make_settings(**overrides: object) -> StackSettings:
    values: dict[str, object] = dict(
        work_dir=WORK_DIR,
        engine_python=WORK_DIR / "vllm-venv" / "bin" / "python",
        state_dir_name="test-stack",
        radio_port=free_port(),
        orchestrator_port=free_port(),
        edge_port=free_port(),
        cloud_port=free_port(),
        redis_port=free_port(),
        prometheus_port=free_port(),
        prometheus_scrape_interval_s=1,
        admin_token=SecretStr(ADMIN_TOKEN),
        shared_secret=SecretStr(SHARED_SECRET),
    )
    values.update(overrides)
    return StackSettings.model_validate(values)


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    settings = make_settings()
    for spec in BUNDLED_MODELS.values():
        path = model_dir(settings.work_dir / "models", spec)
        assert verify(path), f"{spec.name} is not prepared at {path}: run `make models`"
    running = start_stack(settings)
    try:
        yield running
    finally:
        stop_stack(running)


@contextmanager
def extra_orchestrator(stack: Stack, name: str, env: dict[str, str]) -> Iterator[str]:
    """Another orchestrator process, like the stack's but with ``env`` on top; yields its URL."""
    with extra_service(stack, "orchestrator", name, {"EDGECLOUD_ORCH_INSTANCE_ID": name} | env) as (
        url,
        _,
    ):
        yield url


@contextmanager
def extra_service(
    stack: Stack, like: str, name: str, env: dict[str, str]
) -> Iterator[tuple[str, HTTPExecutor]]:
    """Another process of the stack's service ``like`` with ``env`` on top: its URL and executor
    (to kill it)."""
    base = stack.specs[like]
    port = free_port()
    argv = [a if a != str(base.port) else str(port) for a in base.argv]
    with (stack.settings.state_dir / "logs" / f"{name}.log").open("wb") as log:
        executor = HTTPExecutor(
            argv,
            url=f"http://127.0.0.1:{port}/healthz",
            method="GET",
            status=200,
            envvars=base.env | env,
            timeout=30,
            stdout=log,
            stderr=log,
            cwd=str(ROOT),
        )
        executor.start()
        try:
            yield f"http://127.0.0.1:{port}", executor
        finally:
            if executor.running():
                executor.stop()
