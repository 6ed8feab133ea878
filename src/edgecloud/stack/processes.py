"""Process groups for benchmarks and tests: started on free ports, stopped together (mirakuru waits
for their health checks)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from mirakuru import HTTPExecutor, SimpleExecutor, TCPExecutor

from edgecloud.model.tasks import Route

from .binaries import redis_command
from .services import uvicorn_command


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def running(executor: SimpleExecutor) -> Iterator[SimpleExecutor]:
    executor.start()
    try:
        yield executor
    finally:
        executor.stop()


class Processes:
    """A group of processes, stopped together; logs go to ``log_dir``."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        log_dir.mkdir(parents=True, exist_ok=True)
        self._stack = ExitStack()
        self.executors: dict[str, SimpleExecutor] = {}

    def __enter__(self) -> Processes:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def _log(self, name: str) -> object:
        return self._stack.enter_context((self.log_dir / f"{name}.log").open("wb"))

    def redis(self) -> str:
        port = free_port()
        log = self._log("redis")
        executor = TCPExecutor(
            redis_command(port), host="127.0.0.1", port=port, timeout=20, stdout=log, stderr=log
        )
        self._stack.enter_context(running(executor))
        return f"redis://127.0.0.1:{port}/0"

    def http(
        self,
        name: str,
        argv: list[str],
        port: int,
        env: dict[str, str],
        health: str = "/healthz",
        timeout_s: float = 60,
    ) -> SimpleExecutor:
        log = self._log(name)
        executor = HTTPExecutor(
            argv,
            url=f"http://127.0.0.1:{port}{health}",
            method="GET",
            status=200,
            envvars=env,
            timeout=timeout_s,
            stdout=log,
            stderr=log,
        )
        self._stack.enter_context(running(executor))
        self.executors[name] = executor
        return executor

    def app(self, name: str, factory: str, env: dict[str, str], health: str = "/healthz") -> str:
        """Serve an app factory with uvicorn on a free port; returns its URL once healthy."""
        port = free_port()
        command = uvicorn_command(factory, "127.0.0.1", port, log_level="warning")
        self.http(name, command, port, env, health=health)
        return f"http://127.0.0.1:{port}"

    def bundled_llm(self, tier: Route = Route.EDGE, core: str = "0") -> str:
        """Start a tier's bundled model on vLLM (one core; the edge's SmolLM2 by default), served
        under its own name; returns its URL."""
        from edgecloud.llm.catalog import BUNDLED_MODELS
        from edgecloud.llm.launcher import vllm_command, vllm_environment
        from edgecloud.llm.models import model_dir
        from edgecloud.llm.settings import EngineSettings

        spec = BUNDLED_MODELS[tier]
        engine = EngineSettings(port=free_port(), omp_threads_bind=core)
        path = model_dir(engine.models_dir, spec).resolve()
        command = vllm_command(engine, path, spec.name)
        self.http(
            f"llm-{spec.name}",
            command,
            engine.port,
            vllm_environment(engine),
            health="/health",
            timeout_s=300,
        )
        return f"http://127.0.0.1:{engine.port}"
