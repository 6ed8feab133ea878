"""``edgecloud experiment ...``: the simulator's sweep, and the policies compared live."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

experiment_app = typer.Typer(
    help="Experiments: every policy on identical workloads, in the simulator or live.",
    no_args_is_help=True,
)

LIVE_POLICIES = ["edge-only", "cloud-only", "random", "round-robin", "greedy", "knn"]


@experiment_app.command("live")
def live(
    scenario: Annotated[str, typer.Option(help="a bundled scenario (paper, small) or a file")],
    policy: Annotated[
        list[str] | None, typer.Option(help="orchestrator policies, in order (repeat the flag)")
    ] = None,
    seeds: Annotated[list[int] | None, typer.Option(help="schedule seeds (repeat)")] = None,
    radio_url: Annotated[str | None, typer.Option(help="default: the local stack's")] = None,
    orchestrator_url: Annotated[str | None, typer.Option(help="default: the local stack's")] = None,
    admin_token: Annotated[
        str | None,
        typer.Option(envvar="EDGECLOUD_ADMIN_TOKEN", help="default: the local stack's"),
    ] = None,
    prompts: Annotated[Path | None, typer.Option(help="default: the scenario's prompt set")] = None,
    out: Annotated[Path | None, typer.Option(help="results folder")] = None,
) -> None:
    """Replay a scenario's schedule through the running testbed for every policy, from the same
    starting state; CSV, figures and a RESULT line."""
    from edgecloud.load.live import LiveRun, run_live_sync
    from edgecloud.load.outcomes import result_line
    from edgecloud.load.prompts import PromptSet
    from edgecloud.load.testbed import StackAccess, TestbedError
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
    run = LiveRun(
        scenario=chosen,
        policies=policy or LIVE_POLICIES,
        seeds=seeds or [0],
        access=access,
        out_dir=out or Path(".work/experiments") / f"live-{chosen.name}-{stamp}",
        prompts=PromptSet.load(prompts or chosen.path(chosen.prompts)),
    )
    try:
        rows = run_live_sync(run, typer.echo)
    except TestbedError as exc:
        typer.secho(str(exc), fg="red", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"results: {run.out_dir / 'results.csv'}, requests: {run.out_dir / 'requests.csv'}")
    typer.echo(result_line(rows))
