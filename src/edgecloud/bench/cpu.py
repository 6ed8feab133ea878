"""How much of one core a benchmarked server used while a measurement ran."""

from __future__ import annotations

import time

import psutil

from edgecloud.stack import Processes


class CpuMeter:
    """``start`` before a measurement, ``percent`` after: the share of one core (100 = a core)."""

    def __init__(self, procs: Processes, name: str) -> None:
        started = procs.executors[name].process
        if started is None:
            raise RuntimeError(f"{name} is not running")
        self._process = psutil.Process(started.pid)
        self.start()

    def _busy_s(self) -> float:
        times = self._process.cpu_times()
        return float(times.user + times.system)

    def start(self) -> None:
        self._busy_at_start, self._started = self._busy_s(), time.monotonic()

    def percent(self) -> float:
        return 100 * (self._busy_s() - self._busy_at_start) / (time.monotonic() - self._started)
