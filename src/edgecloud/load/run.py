"""A headless Locust run against the local testbed: the command line and where its reports go."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from .shapes import Shape


@dataclass(frozen=True, slots=True)
class LoadRun:
    host: str = "http://127.0.0.1:8000"
    users: int = 8
    spawn_rate: float = 2.0
    run_time_s: int = 60
    shape: Shape = Shape.STEADY
    arrival_rate: float = 0.0  # requests/s per UE, Poisson; 0: closed loop
    think_time_s: float = 1.0
    task_mix: str = "chat=1,extraction=1,coding=1,science=1"
    policy: str = ""
    seed: int = 0
    locustfile: Path = Path("loadtest/locustfile.py")
    out_dir: Path = Path(".work/load")

    @property
    def stats_json(self) -> Path:
        return self.out_dir / "stats.json"

    def command(self) -> list[str]:
        """Locust headless; reports: CSV ``load_*.csv``, JSON ``stats.json``, ``report.html``."""
        return [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(self.locustfile),
            "--headless",
            "--only-summary",
            "--host",
            self.host,
            "--users",
            str(self.users),
            "--spawn-rate",
            str(self.spawn_rate),
            "--run-time",
            f"{self.run_time_s}s",
            # Answers in flight at the end are waited for, so none is cut off and miscounted.
            "--stop-timeout",
            "300",
            "--csv",
            str(self.out_dir / "load"),
            "--html",
            str(self.out_dir / "report.html"),
            "--json-file",
            str(self.stats_json.with_suffix("")),
            "--load-shape",
            self.shape.value,
            "--arrival-rate",
            str(self.arrival_rate),
            "--think-time-s",
            str(self.think_time_s),
            "--task-mix",
            self.task_mix,
            "--policy",
            self.policy,
            "--seed",
            str(self.seed),
        ]
