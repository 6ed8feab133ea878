"""``make bench-engine``: the emulated engine against the real vLLM CPU engine it stands in for.

1. The real engine: vLLM's CPU build serving the bundled SmolLM2 on one core, as the stack runs it.
2. ``edgecloud llm fit`` against it, in this run, gives a profile.
3. The emulated engine serves that profile; its start-up time (process start to a healthy /health)
   and resident memory are measured.
4. The same workload against both, rounds interleaved (real then emulated, every cell, then again):
   concurrency 1, 4 and 8, a short and a long prompt, 64-token answers (``ignore_eos``). Per cell:
   median time to first token, time per output token and end-to-end latency, and the relative error
   of the emulated engine. The last line is the RESULT line (the worst cell of each).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

from edgecloud.common.app_services import EMULATED_ENGINE_FACTORY
from edgecloud.llm.catalog import SMOLLM2
from edgecloud.llm.fit.calibrate import engine_limits, measure_with_progress, profile_from_fit
from edgecloud.llm.fit.measure import Measurement, run_cell
from edgecloud.llm.fit.solve import fit_profile
from edgecloud.llm.fit.workload import Cell, FitWorkload
from edgecloud.stack import Processes, free_port, uvicorn_command

CONCURRENCY = (1, 4, 8)
PROMPT_TOKENS = (32, 1024)
OUTPUT_TOKENS = 64
METRICS = ("ttft", "tpot", "e2e")


@dataclass(frozen=True, slots=True)
class Comparison:
    cell: Cell
    real: dict[str, float]
    emulated: dict[str, float]

    def error(self, metric: str) -> float:
        return abs(self.emulated[metric] - self.real[metric]) / self.real[metric]


def medians(measurements: list[Measurement]) -> dict[str, float]:
    return {
        "ttft": statistics.median(m.ttft_s for m in measurements),
        "tpot": statistics.median(m.tpot_s for m in measurements),
        "e2e": statistics.median(m.e2e_s for m in measurements),
    }


async def compare(real_url: str, emulated_url: str, rounds: int) -> list[Comparison]:
    cells = [Cell(c, p) for c, p in itertools.product(CONCURRENCY, PROMPT_TOKENS)]
    seen: dict[tuple[str, Cell], list[Measurement]] = {}
    async with (
        httpx.AsyncClient(base_url=real_url, timeout=300) as real,
        httpx.AsyncClient(base_url=emulated_url, timeout=300) as emulated,
    ):
        for _ in range(rounds):
            for cell in cells:
                for name, client in (("real", real), ("emulated", emulated)):
                    batch = await run_cell(client, SMOLLM2.name, cell, OUTPUT_TOKENS)
                    seen.setdefault((name, cell), []).extend(batch)
    return [
        Comparison(cell, medians(seen[("real", cell)]), medians(seen[("emulated", cell)]))
        for cell in cells
    ]


def start_emulated(procs: Processes, profile: Path) -> tuple[str, float, float]:
    """The emulated engine on a free port: URL, seconds to healthy, resident MB."""
    port = free_port()
    env = {"EDGECLOUD_EMULATOR_PROFILE": str(profile)}
    started = time.monotonic()
    executor = procs.http(
        "emulated-engine",
        uvicorn_command(EMULATED_ENGINE_FACTORY, "127.0.0.1", port, log_level="warning"),
        port,
        env,
        health="/health",
    )
    start_s = time.monotonic() - started
    pid = executor.process.pid if executor.process else 0
    rss_mb = psutil.Process(pid).memory_info().rss / 2**20
    return f"http://127.0.0.1:{port}", start_s, rss_mb


def report(comparisons: list[Comparison]) -> dict[str, float]:
    print(f"{'conc':>4} {'prompt':>6} | " + " | ".join(f"{m:>22}" for m in METRICS))
    print(f"{'':>11} | " + " | ".join(f"{'real  emul   err':>22}" for _ in METRICS))
    for c in comparisons:
        parts = [
            f"{c.real[m] * 1000:7.1f} {c.emulated[m] * 1000:7.1f} {c.error(m):6.3f}"
            for m in METRICS
        ]
        print(f"{c.cell.concurrency:>4} {c.cell.prompt_tokens:>6} | " + " | ".join(parts))
    return {m: max(c.error(m) for c in comparisons) for m in METRICS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=4, help="rounds of the comparison")
    parser.add_argument("--fit-rounds", type=int, default=3, help="rounds of the fit")
    parser.add_argument("--work-dir", type=Path, default=Path(".work/bench-engine"))
    args = parser.parse_args()
    with Processes(args.work_dir / "logs") as procs:
        real_url = procs.bundled_llm()
        print(f"real engine: vLLM CPU, {SMOLLM2.name}, one core, at {real_url}")
        limits = engine_limits(real_url, SMOLLM2.name, 128, 2048)
        workload = FitWorkload(rounds=args.fit_rounds)
        fit = fit_profile(measure_with_progress(real_url, SMOLLM2.name, workload), limits)
        profile = profile_from_fit(fit, "bench-smollm2-cpu", SMOLLM2.name, limits, real_url)
        profile_path = args.work_dir / "profile.toml"
        profile_path.write_text(profile.to_toml())
        print(f"fitted profile: {profile_path} ({profile.source})")
        emulated_url, start_s, rss_mb = start_emulated(procs, profile_path)
        print(f"emulated engine: healthy in {start_s:.2f} s, {rss_mb:.0f} MB resident")
        worst = report(asyncio.run(compare(real_url, emulated_url, args.rounds)))
    print(
        f"RESULT engine ttft_err_max={worst['ttft']:.3f} tpot_err_max={worst['tpot']:.3f} "
        f"e2e_err_max={worst['e2e']:.3f} start_s={start_s:.2f} rss_mb={rss_mb:.0f}"
    )


if __name__ == "__main__":
    main()
