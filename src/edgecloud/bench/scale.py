"""``make bench-scale``: how many UEs the stack on emulated engines serves, and what limits it.

Against the stack `EDGECLOUD_STACK_ENGINE=emulated make up` started: open-loop Locust UEs (Poisson
arrivals, ``--arrival-rate`` requests/s each) through radio emulator and orchestrator at increasing
counts, each for ``--run-time-s``. While each level runs, the CPU of every process of the path
(radio emulator, orchestrator, each engine, Locust) is sampled. A level passes with zero failed
requests and an e2e p95 under ``--p95-limit-s``. The last line is the RESULT line: the largest count
that passed and the busiest process at the first level that did not.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

# A process of the path, told by its command line.
ROLES = {
    "radio-emulator": "edgecloud.radio_emulator",
    "orchestrator": "edgecloud.orchestrator",
    "emulated-engine": "edgecloud.llm.emulated",
    "locust": "locust",
}
_RESULT = re.compile(
    r"RESULT load requests=(\d+) failures=(\d+) e2e_p50_s=([\d.]+) e2e_p95_s=([\d.]+)"
)


def role_of(process: psutil.Process) -> str | None:
    try:
        command = " ".join(process.cmdline())
    except psutil.Error:
        return None
    return next((role for role, marker in ROLES.items() if marker in command), None)


class CpuSampler(threading.Thread):
    """Mean CPU (percent of one core) per role over the sampler's life, summed over processes."""

    def __init__(self, interval_s: float = 1.0) -> None:
        super().__init__(daemon=True)
        self._interval_s = interval_s
        self._stopping = threading.Event()
        self.samples: dict[str, list[float]] = {role: [] for role in ROLES}

    def run(self) -> None:
        known: dict[int, psutil.Process] = {}
        while not self._stopping.wait(self._interval_s):
            totals = dict.fromkeys(ROLES, 0.0)
            for process in psutil.process_iter():
                role = role_of(process)
                if role is None:
                    continue
                tracked = known.setdefault(process.pid, process)
                try:
                    totals[role] += tracked.cpu_percent()
                except psutil.Error:
                    known.pop(process.pid, None)
            for role, total in totals.items():
                self.samples[role].append(total)

    def stop(self) -> dict[str, float]:
        self._stopping.set()
        self.join()
        # The first sample of each process is 0 (cpu_percent needs two readings): skip it.
        return {r: sum(s[1:]) / max(1, len(s) - 1) for r, s in self.samples.items()}


def run_level(users: int, args: argparse.Namespace) -> tuple[int, int, float, dict[str, float]]:
    sampler = CpuSampler()
    sampler.start()
    command = [
        sys.executable, "-m", "edgecloud", "load",
        "--users", str(users),
        "--spawn-rate", str(max(8, users // 4)),
        "--run-time-s", str(args.run_time_s),
        "--arrival-rate", str(args.arrival_rate),
        "--host", args.host,
        "--out-dir", str(args.out_dir / str(users)),
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=False).stdout
    cpu = sampler.stop()
    found = _RESULT.search(output)
    if found is None:
        raise RuntimeError(f"no RESULT line from the load run:\n{output[-2000:]}")
    return int(found[1]), int(found[2]), float(found[4]), cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", default="16,32,64,128,192,256")
    parser.add_argument("--arrival-rate", type=float, default=0.2, help="requests/s per UE")
    parser.add_argument("--run-time-s", type=int, default=45)
    parser.add_argument("--p95-limit-s", type=float, default=10.0)
    parser.add_argument("--host", default="http://127.0.0.1:8000")
    parser.add_argument("--out-dir", type=Path, default=Path(".work/bench-scale"))
    args = parser.parse_args()
    roles = list(ROLES)
    print(f"{'UEs':>5} {'requests':>8} {'failed':>6} {'e2e p95 s':>9}  CPU % of a core: "
          + " ".join(f"{r:>15}" for r in roles))  # fmt: skip
    passed, limit = 0, "none reached"
    for users in (int(level) for level in args.levels.split(",")):
        started = time.monotonic()
        requests, failures, p95_s, cpu = run_level(users, args)
        print(
            f"{users:>5} {requests:>8} {failures:>6} {p95_s:>9.2f}  {'':16}"
            + " ".join(f"{cpu[r]:>15.0f}" for r in roles)
            + f"   ({time.monotonic() - started:.0f} s)",
            flush=True,
        )
        if failures or p95_s > args.p95_limit_s:
            busiest = max(roles, key=lambda r: cpu[r])
            limit = f"{busiest}@{cpu[busiest]:.0f}%"
            break
        passed = users
    print(f"RESULT scale max_ues={passed} limit={limit}")


if __name__ == "__main__":
    main()
