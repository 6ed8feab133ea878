"""``edgecloud experiment compare``: the calibrated simulator against the live testbed.

Both run the same scenario on the same seeds (so the same schedules) with the same policies; per
policy, the mean and p95 end-to-end delay from each and their relative difference, the simulator
taken as the estimate of the live value. The simulator is given the deployment's numbers the live
stack runs with (the orchestrator's priors and EWMA weight, the radio's backhaul and layout seed).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from edgecloud.policies import Policy, create_policy, has_policy
from edgecloud.sim.calibrated import CalibratedConfig, CalibratedEnv
from edgecloud.sim.evaluate import EpisodeStats, evaluate_env

# The RESULT line's policies: they learn nothing, so both sides decide from the same inputs.
COMPARED = ["edge-only", "cloud-only", "random", "greedy"]


def simulable(policy: str) -> bool:
    """Whether the calibrated simulator runs this registry policy (the pool learners: not yet)."""
    return has_policy(policy) and not create_policy(policy, random.Random(0)).uses_pool


@dataclass(frozen=True, slots=True)
class Agreement:
    policy: str
    live_mean_s: float
    sim_mean_s: float
    live_p95_s: float
    sim_p95_s: float

    @property
    def mean_rel_err(self) -> float:
        return abs(self.sim_mean_s - self.live_mean_s) / self.live_mean_s

    @property
    def p95_rel_err(self) -> float:
        return abs(self.sim_p95_s - self.live_p95_s) / self.live_p95_s


def registry_factories(
    policies: Sequence[str], policy_seed: int = 0
) -> dict[str, Callable[[], Policy]]:
    """The simulable registry policies, their random draws seeded as the orchestrator's are."""
    return {
        name: (lambda name=name: create_policy(name, random.Random(policy_seed)))  # type: ignore[misc]
        for name in policies
        if simulable(name)
    }


def simulate(
    config: CalibratedConfig, factories: Mapping[str, Callable[[], Policy]], seeds: Sequence[int]
) -> dict[str, EpisodeStats]:
    """Each policy, made fresh, on the calibrated simulator."""
    env = CalibratedEnv(config)
    return {name: evaluate_env(make(), env, list(seeds)) for name, make in factories.items()}


def agreements(
    live_rows: Sequence[Mapping[str, object]], simulated: Mapping[str, EpisodeStats]
) -> list[Agreement]:
    out = []
    for row in live_rows:
        policy = str(row["policy"])
        if policy not in simulated:
            continue
        sim = simulated[policy]
        out.append(
            Agreement(
                policy,
                float(str(row["mean_delay_s"])),
                sim.mean_delay_s,
                float(str(row["p95_delay_s"])),
                sim.p95_delay_s,
            )
        )
    return out


def report(rows: Sequence[Agreement], echo: Callable[[str], None] = print) -> str:
    """The table, and the RESULT line (returned) over the ``COMPARED`` policies among them."""
    echo(
        "| policy | live mean (s) | sim mean (s) | rel. diff "
        "| live p95 (s) | sim p95 (s) | rel. diff |"
    )
    echo("| --- | --- | --- | --- | --- | --- | --- |")
    for a in rows:
        echo(
            f"| {a.policy} | {a.live_mean_s:.3f} | {a.sim_mean_s:.3f} | {a.mean_rel_err:.3f} | "
            f"{a.live_p95_s:.3f} | {a.sim_p95_s:.3f} | {a.p95_rel_err:.3f} |"
        )
    judged = [a for a in rows if a.policy in COMPARED]
    mean_max = max((a.mean_rel_err for a in judged), default=float("nan"))
    p95_max = max((a.p95_rel_err for a in judged), default=float("nan"))
    return f"RESULT compare mean_rel_err_max={mean_max:.3f} p95_rel_err_max={p95_max:.3f}"
