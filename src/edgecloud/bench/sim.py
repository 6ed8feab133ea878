"""``make bench-sim``: simulator decisions per second with the greedy policy."""

from __future__ import annotations

import random
import time

from edgecloud.policies import create_policy
from edgecloud.sim import SimConfig, evaluate


def main() -> None:
    config = SimConfig(tasks_per_episode=2000)
    policy = create_policy("greedy", random.Random(0))
    seeds = [1, 2, 3, 4, 5]
    started = time.perf_counter()
    stats = evaluate(policy, config, seeds)
    elapsed = time.perf_counter() - started
    decisions = config.tasks_per_episode * len(seeds)
    print(
        f"{decisions} decisions in {elapsed:.2f} s (environment step and policy together); "
        f"greedy's own decision time {stats.decision_time_s * 1e6:.1f} us"
    )
    print(f"RESULT sim greedy_decisions_per_s={decisions / elapsed:.0f}")


if __name__ == "__main__":
    main()
