"""``edgecloud sim ...`` and ``edgecloud experiment sweep``: training, evaluation and the sweep."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:  # the commands import their heavy parts lazily, to keep the CLI fast
    from edgecloud.policies import Policy

    from .env import SimConfig
    from .icl import SimulatedIcl

sim_app = typer.Typer(help="The offline simulator: evaluate policies, train the DRL baseline.")

POLICY_ORDER = ["oracle", "greedy", "icl", "dqn", "ppo", "knn", "edge", "cloud", "random"]


@sim_app.command("train")
def train_command(
    algo: Annotated[str, typer.Option(help="dqn or ppo")] = "dqn",
    steps: Annotated[int, typer.Option(min=100)] = 20_000,
    out: Annotated[Path, typer.Option(help="model path, .zip added")] = Path(".work/drl/dqn"),
    seed: int = 0,
    scenario: Annotated[
        str | None,
        typer.Option(help="train on the calibrated simulator of a scenario (paper, small, a file)"),
    ] = None,
) -> None:
    """Train the DRL baseline in the simulator, with a progress bar, and save it."""
    from .drl import train

    if algo not in ("dqn", "ppo"):
        raise typer.BadParameter("algo is dqn or ppo")
    started = time.monotonic()
    env = None
    if scenario is not None:
        from .calibrated import CalibratedEnv, config_for
        from .scenario import ScenarioError, load_scenario

        try:
            env = CalibratedEnv(config_for(load_scenario(scenario)))
        except ScenarioError as exc:
            raise typer.BadParameter(str(exc), param_hint="--scenario") from exc
    path = train(algo, steps, out, seed=seed, env=env)  # type: ignore[arg-type]
    typer.echo(f"{algo} trained for {steps} steps in {time.monotonic() - started:.1f} s -> {path}")


@sim_app.command("evaluate")
def evaluate_command(
    policy: Annotated[list[str], typer.Option(help="registry names, oracle, or a .zip model")],
    seeds: Annotated[int, typer.Option(min=1)] = 3,
    tasks: Annotated[int, typer.Option(min=1)] = 200,
    ues: int = 10,
) -> None:
    """Evaluate policies on identical seeds and print their service delay."""
    from edgecloud.common.drl_model import load_drl_policy
    from edgecloud.policies import create_policy

    from .env import SimConfig
    from .evaluate import Oracle, evaluate

    config = SimConfig(n_ues=ues, arrival_rate_hz=0.4 * ues, tasks_per_episode=tasks)
    for name in policy:
        chosen = (
            Oracle()
            if name == "oracle"
            else load_drl_policy(Path(name))
            if name.endswith(".zip")
            else create_policy(name, random.Random(0))
        )
        stats = evaluate(chosen, config, list(range(1, seeds + 1)))
        typer.echo(
            f"{name:12} cost {stats.mean_cost_s:7.3f} s  delay {stats.mean_delay_s:7.3f} s  "
            f"p95 {stats.p95_delay_s:7.3f} s  violations {stats.violation_rate:5.1%}  "
            f"cloud {stats.cloud_share:5.1%}"
        )


def _policy_factories(
    base: SimConfig, llm_url: str, models: dict[str, Path], icls: list[SimulatedIcl]
) -> dict[str, Callable[[], Policy]]:
    """Every policy of the sweep, made fresh for each run; the ICL ones are kept in ``icls``."""
    from edgecloud.common.drl_model import load_drl_policy
    from edgecloud.llm.catalog import SMOLLM2
    from edgecloud.policies import create_policy

    from .evaluate import Oracle
    from .icl import SimulatedIcl, SimulatedKnn

    def make_icl() -> Policy:
        icl = SimulatedIcl(llm_url, SMOLLM2.name)
        icl.warm_up(base, seed=1000)
        icls.append(icl)
        return icl

    def make_knn() -> Policy:
        knn = SimulatedKnn()
        knn.warm_up(base, seed=1000)
        return knn

    return {
        "oracle": Oracle,
        "greedy": lambda: create_policy("greedy", random.Random(0)),
        "icl": make_icl,
        "dqn": lambda: load_drl_policy(models["dqn"], "dqn"),
        "ppo": lambda: load_drl_policy(models["ppo"], "ppo"),
        "knn": make_knn,
        "edge": lambda: create_policy("edge-only", random.Random(0)),
        "cloud": lambda: create_policy("cloud-only", random.Random(0)),
        "random": lambda: create_policy("random", random.Random(0)),
    }


def experiment(
    seeds: Annotated[int, typer.Option(min=1)] = 2,
    tasks: Annotated[int, typer.Option(min=10)] = 50,
    drl_steps: Annotated[int, typer.Option(min=100)] = 20_000,
    llm_url: Annotated[str | None, typer.Option(help="decision LLM; default: start one")] = None,
    out: Annotated[Path | None, typer.Option(help="results folder")] = None,
) -> None:
    """The default sweep: every policy on the same seeds; CSV, plots and a RESULT line."""
    from edgecloud.stack import Processes

    from .drl import train
    from .experiments import base_config, run, summary, sweep

    started = time.monotonic()
    out = out or Path(".work/experiments") / datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    base = base_config(tasks)
    models = {algo: train(algo, drl_steps, out / algo, base) for algo in ("dqn", "ppo")}
    typer.echo(f"DRL trained ({drl_steps} steps each) in {time.monotonic() - started:.0f} s")
    with Processes(out / "logs") as procs:
        if llm_url is None:
            llm_url = procs.bundled_llm()
        icls: list[SimulatedIcl] = []
        policies = _policy_factories(base, llm_url, models, icls)
        points = sweep(
            base,
            ues=(5, 20, 50),
            rbs=(51, 12),
            backhaul_s=(0.02, 0.1),
            mixes=("balanced", "coding-heavy"),
        )
        rows = run(points, policies, list(range(1, seeds + 1)), out, typer.echo)
        fallback = sum(i.fallback_fraction() for i in icls) / max(1, len(icls))
        for icl in icls:
            icl.close()
    means = summary(rows)
    typer.echo(
        f"\nresults: {out / 'results.csv'}, plots: {out}/sweep_*.png "
        f"({time.monotonic() - started:.0f} s); ICL fell back on {fallback:.1%} "
        "of its decisions"
    )
    typer.echo("mean service delay (s) over the sweep, violations penalised as in the reward:")
    for name in POLICY_ORDER:
        typer.echo(f"  {name:7} {means[name]:.3f}")
    typer.echo("RESULT experiment " + " ".join(f"{n}={means[n]:.3f}" for n in POLICY_ORDER))
