"""Faults on the local stack (`make up`), through its supervisord.

A kill is SIGKILL to the service's whole process group (supervisord makes each program a group
leader, so a vLLM server's engine processes die with it); supervisord then restarts it as after any
crash. Stop and start go through supervisorctl; pause and resume are SIGSTOP and SIGCONT to the
group. A network cut needs a network namespace per service, which the local stack does not have.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from edgecloud.stack import StackSettings

from .actions import Action, FaultError

SIGNALS = {Action.KILL: signal.SIGKILL, Action.PAUSE: signal.SIGSTOP, Action.RESUME: signal.SIGCONT}


class LocalBackend:
    def __init__(self, settings: StackSettings) -> None:
        self._config = settings.state_dir / "supervisord.conf"
        self._ctl = Path(sys.executable).with_name("supervisorctl")
        if not self._config.is_file():
            raise FaultError(f"no local stack: {self._config} is missing (run `make up`)")

    def _run(self, *args: str) -> str:
        result = subprocess.run(
            [str(self._ctl), "-c", str(self._config), *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        if result.returncode not in (0, 3):  # 3: some program is not running (status)
            raise FaultError(f"supervisorctl {' '.join(args)}: {result.stdout}{result.stderr}")
        return result.stdout

    def services(self) -> list[str]:
        return [line.split()[0] for line in self._run("status").splitlines() if line.strip()]

    def apply(self, action: Action, service: str) -> None:
        if service not in self.services():
            raise FaultError(f"no service {service!r} on the local stack: {self.services()}")
        if action in (Action.STOP, Action.START):
            self._run(action.value, service)
        elif action in SIGNALS:
            os.killpg(self._pid(service), SIGNALS[action])
        else:
            raise FaultError(f"{action} is not possible on the local stack (one network namespace)")

    def _pid(self, service: str) -> int:
        pid = self._run("pid", service).strip()
        if not pid.isdigit() or pid == "0":
            raise FaultError(f"{service} is not running")
        return int(pid)
