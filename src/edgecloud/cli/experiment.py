"""``edgecloud experiment ...``: the simulator's sweep, and the policies compared live."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:  # the commands import their heavy parts lazily, to keep the CLI fast
    from collections.abc import Callable

    from edgecloud.load.live import LiveRun
    from edgecloud.policies import Policy
    from edgecloud.policies.drl import Algorithm
    from edgecloud.sim.calibrated import CalibratedConfig

experiment_app = typer.Typer(
    help="Experiments: every policy on identical workloads, in the simulator or live.",
    no_args_is_help=True,
)

LIVE_POLICIES = ["edge-only", "cloud-only", "random", "round-robin", "greedy", "knn"]

ScenarioOption = Annotated[str, typer.Option(help="a bundled scenario (paper, small) or a file")]
SeedsOption = Annotated[list[int] | None, typer.Option(help="schedule seeds (repeat the flag)")]
RadioOption = Annotated[str | None, typer.Option(help="default: the local stack's")]
OrchestratorOption = Annotated[str | None, typer.Option(help="default: the local stack's")]
TokenOption = Annotated[
    str | None, typer.Option(envvar="EDGECLOUD_ADMIN_TOKEN", help="default: the local stack's")
]
OutOption = Annotated[Path | None, typer.Option(help="results folder")]


def _live_run(
    scenario: str,
    policies: list[str],
    seeds: list[int] | None,
    radio_url: str | None,
    orchestrator_url: str | None,
    admin_token: str | None,
    out: Path | None,
    kind: str,
) -> LiveRun:
    from edgecloud.load.live import LiveRun
    from edgecloud.load.prompts import PromptSet
    from edgecloud.load.testbed import StackAccess
    from edgecloud.sim.scenario import ScenarioError, load_scenario
    from edgecloud.stack import StackSettings, ensure_secrets

    try:
        chosen = load_scenario(scenario)
    except ScenarioError as exc:
        raise typer.BadParameter(str(exc), param_hint="--scenario") from exc
    stack = ensure_secrets(StackSettings()) if admin_token is None else StackSettings()
    token = admin_token or (stack.admin_token.get_secret_value() if stack.admin_token else "")
    access = StackAccess(
        radio_url or f"http://{stack.host}:{stack.radio_port}",
        orchestrator_url or f"http://{stack.host}:{stack.orchestrator_port}",
        token,
    )
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return LiveRun(
        scenario=chosen,
        policies=policies,
        seeds=seeds or [0],
        access=access,
        out_dir=out or Path(".work/experiments") / f"{kind}-{chosen.name}-{stamp}",
        prompts=PromptSet.load(chosen.path(chosen.prompts)),
    )


def _run_or_exit(run: LiveRun) -> list[dict[str, object]]:
    from edgecloud.load.live import run_live_sync
    from edgecloud.load.testbed import TestbedError

    try:
        return run_live_sync(run, typer.echo)
    except TestbedError as exc:
        typer.secho(str(exc), fg="red", err=True)
        raise typer.Exit(1) from exc


@experiment_app.command("live")
def live(
    scenario: ScenarioOption,
    policy: Annotated[
        list[str] | None, typer.Option(help="orchestrator policies, in order (repeat the flag)")
    ] = None,
    seeds: SeedsOption = None,
    radio_url: RadioOption = None,
    orchestrator_url: OrchestratorOption = None,
    admin_token: TokenOption = None,
    out: OutOption = None,
) -> None:
    """Replay a scenario's schedule through the running testbed for every policy, from the same
    starting state; CSV, figures and a RESULT line."""
    from edgecloud.load.outcomes import result_line

    run = _live_run(
        scenario, policy or LIVE_POLICIES, seeds, radio_url, orchestrator_url, admin_token, out,
        "live",
    )  # fmt: skip
    rows = _run_or_exit(run)
    typer.echo(f"results: {run.out_dir / 'results.csv'}, requests: {run.out_dir / 'requests.csv'}")
    typer.echo(result_line(rows))


def calibrated_config(run: LiveRun) -> CalibratedConfig:
    """The simulator set up as the local stack runs: the orchestrator's and radio emulator's own
    settings, the stack's seed."""
    from edgecloud.orchestrator import OrchestratorSettings
    from edgecloud.radio_emulator import RadioSettings
    from edgecloud.sim.calibrated import TierPriors, config_for
    from edgecloud.stack import StackSettings

    orchestrator, radio = OrchestratorSettings(), RadioSettings()
    return config_for(
        run.scenario,
        radio_seed=StackSettings().seed,
        backhaul_one_way_s=radio.backhaul_delay_s,
        assumed_backhaul_s=orchestrator.backhaul_delay_s,
        bytes_per_token=orchestrator.sse_bytes_per_token,
        ewma_weight=orchestrator.ewma_weight,
        edge_priors=TierPriors(orchestrator.edge_ttft_prior_s, orchestrator.edge_tpot_prior_s),
        cloud_priors=TierPriors(orchestrator.cloud_ttft_prior_s, orchestrator.cloud_tpot_prior_s),
        violation_penalty_s=orchestrator.violation_penalty_s,
    )


def _drl_factories(policies: list[str]) -> dict[str, Callable[[], Policy]]:
    """The DQN and PPO models the local stack serves, for the simulator's side."""
    from edgecloud.common.drl_model import load_drl_policy
    from edgecloud.stack import StackSettings

    stack = StackSettings()
    paths: dict[Algorithm, Path | None] = {"dqn": stack.dqn_model_path, "ppo": stack.ppo_model_path}
    return {
        name: (lambda path=path, name=name: load_drl_policy(path, name))  # type: ignore[misc]
        for name, path in paths.items()
        if name in policies and path is not None and path.is_file()
    }


@experiment_app.command("compare")
def compare(
    scenario: ScenarioOption,
    policy: Annotated[
        list[str] | None,
        typer.Option(help="live policies (default: those of the RESULT line); repeat the flag"),
    ] = None,
    seeds: SeedsOption = None,
    radio_url: RadioOption = None,
    orchestrator_url: OrchestratorOption = None,
    admin_token: TokenOption = None,
    out: OutOption = None,
) -> None:
    """The calibrated simulator and the live testbed on the same scenario and seeds: mean and p95
    delay per policy from both; the last line is the RESULT line."""
    from edgecloud.load.compare import COMPARED, agreements, registry_factories, report, simulate

    policies = policy or COMPARED
    run = _live_run(
        scenario, policies, seeds, radio_url, orchestrator_url, admin_token, out, "compare"
    )
    live_rows = _run_or_exit(run)
    factories = registry_factories(policies) | _drl_factories(policies)
    simulated = simulate(calibrated_config(run), factories, run.seeds)
    import dataclasses

    from edgecloud.load.outcomes import write_csv

    sim_rows = [dataclasses.asdict(stats) for stats in simulated.values()]
    if sim_rows:
        write_csv(run.out_dir / "sim_results.csv", sim_rows, list(sim_rows[0]))
    typer.echo(report(agreements(live_rows, simulated), typer.echo))
