"""The local fault backend against a real supervisord (the one `make up` runs) and real processes:
a kill takes the whole process group and the supervisor restarts it; stop, start, pause, resume."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from edgecloud.faults import Action, FaultError
from edgecloud.faults.local import LocalBackend
from edgecloud.stack import StackSettings
from edgecloud.stack.services import ServiceSpec
from edgecloud.stack.supervisor import Supervisor
from tests.eventually import eventually

pytestmark = [pytest.mark.integration]

# A parent with a child, like a vLLM server and its engine process.
FAMILY = (
    "import subprocess, sys, time; "
    "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)']); time.sleep(600)"
)


@pytest.fixture
def local(tmp_path: Path) -> Iterator[tuple[LocalBackend, Supervisor]]:
    settings = StackSettings(work_dir=tmp_path, with_prometheus=False)
    supervisor = Supervisor(settings)
    supervisor.start([ServiceSpec("family", [sys.executable, "-c", FAMILY], health_path=None)])
    try:
        backend = LocalBackend(settings)
        eventually(lambda: pid(backend) or None, 20, what="the program running")
        yield backend, supervisor
    finally:
        supervisor.stop()


def pid(backend: LocalBackend) -> int:
    try:
        return backend._pid("family")
    except FaultError:
        return 0


def test_a_kill_takes_the_process_group_and_the_supervisor_restarts_it(
    local: tuple[LocalBackend, Supervisor],
) -> None:
    backend, _ = local
    first = pid(backend)

    def first_child() -> psutil.Process | None:
        children = psutil.Process(first).children()
        return children[0] if children else None

    child = eventually(first_child, 10, what="the child")
    backend.apply(Action.KILL, "family")
    eventually(lambda: not child.is_running() or None, 10, what="the child killed too")
    second = eventually(lambda: ((p := pid(backend)) and p != first and p) or None, 30,
                        what="restarted")  # fmt: skip
    assert second != first


def test_pause_resume_stop_and_start(local: tuple[LocalBackend, Supervisor]) -> None:
    backend, _ = local
    backend.apply(Action.PAUSE, "family")
    process = psutil.Process(pid(backend))
    eventually(lambda: process.status() == psutil.STATUS_STOPPED or None, 10, what="paused")
    backend.apply(Action.RESUME, "family")
    eventually(lambda: process.status() != psutil.STATUS_STOPPED or None, 10, what="resumed")
    backend.apply(Action.STOP, "family")
    assert pid(backend) == 0
    backend.apply(Action.START, "family")
    assert pid(backend) > 0
    with pytest.raises(FaultError, match="not possible"):
        backend.apply(Action.CUT, "family")
    with pytest.raises(FaultError, match="no service"):
        backend.apply(Action.KILL, "nope")
