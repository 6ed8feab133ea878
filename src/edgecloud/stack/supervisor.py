"""Run the local stack under supervisord: one config file, one daemon, one command to stop it."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

from .services import SHUTDOWN_WAIT_S, ServiceSpec
from .settings import StackSettings


def _escape(value: str) -> str:
    return value.replace("%", "%%")


_UNSAFE_IN_ENVIRONMENT = ('"', "\n", ",")


def _environment(env: dict[str, str]) -> str:
    for key, value in env.items():
        if any(c in value for c in _UNSAFE_IN_ENVIRONMENT):
            raise ValueError(f"{key}: supervisord cannot carry quotes, commas or newlines")
    return ",".join(f'{k}="{_escape(v)}"' for k, v in env.items())


def supervisord_config(settings: StackSettings, services: list[ServiceSpec]) -> str:
    state = settings.state_dir.resolve()
    logs = state / "logs"
    lines = [
        "[unix_http_server]",
        f"file={state}/supervisor.sock",
        "",
        "[supervisord]",
        f"logfile={logs}/supervisord.log",
        f"pidfile={state}/supervisord.pid",
        f"childlogdir={logs}",
        f"directory={Path.cwd()}",
        "",
        "[rpcinterface:supervisor]",
        "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
        "",
        "[supervisorctl]",
        f"serverurl=unix://{state}/supervisor.sock",
    ]
    for priority, spec in enumerate(services, start=1):
        lines += [
            "",
            f"[program:{spec.name}]",
            f"command={_escape(shlex.join(spec.argv))}",
            f"priority={priority * 10}",
            "autostart=true",
            "autorestart=unexpected",
            "startsecs=2",
            "stopasgroup=true",
            "killasgroup=true",
            f"stopwaitsecs={SHUTDOWN_WAIT_S}",
            "redirect_stderr=true",
            f"stdout_logfile={logs}/{spec.name}.log",
            "stdout_logfile_maxbytes=20MB",
        ]
        if spec.env:
            lines.append(f"environment={_environment(spec.env)}")
    return "\n".join(lines) + "\n"


class Supervisor:
    def __init__(self, settings: StackSettings) -> None:
        self.settings = settings
        self.config = settings.state_dir / "supervisord.conf"
        self.pidfile = settings.state_dir / "supervisord.pid"
        self._bin = Path(sys.executable).parent

    def running_pid(self) -> int | None:
        try:
            pid = int(self.pidfile.read_text().strip())
            os.kill(pid, 0)
        except (FileNotFoundError, ValueError, ProcessLookupError, PermissionError):
            return None
        return pid

    def start(self, services: list[ServiceSpec]) -> None:
        (self.settings.state_dir / "logs").mkdir(parents=True, exist_ok=True)
        self.settings.redis_data_dir.mkdir(parents=True, exist_ok=True)
        self.config.write_text(supervisord_config(self.settings, services))
        subprocess.run([str(self._bin / "supervisord"), "-c", str(self.config)], check=True)

    def status(self) -> str:
        result = subprocess.run(
            [str(self._bin / "supervisorctl"), "-c", str(self.config), "status"],
            capture_output=True,
            text=True,
            check=False,
        )
        return result.stdout

    def stop(self, timeout_s: float = 120.0) -> bool:
        """Stop every service and the daemon; True when something was running."""
        pid = self.running_pid()
        if pid is None:
            return False
        os.kill(pid, signal.SIGTERM)  # supervisord stops its programs, then exits
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and self.running_pid() is not None:
            time.sleep(0.2)
        if self.running_pid() is not None:
            os.kill(pid, signal.SIGKILL)
        return True
