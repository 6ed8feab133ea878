"""``edgecloud fault``: faults on demand in a running testbed (the local stack or compose)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from edgecloud.faults import Action, FaultError
from edgecloud.faults.actions import UNDO

if TYPE_CHECKING:
    from edgecloud.faults import Backend

fault_app = typer.Typer(help="Faults on demand: kill, stop, pause or cut a service; campaigns.")


class Where(StrEnum):
    LOCAL = "local"
    DOCKER = "docker"


WhereOption = Annotated[
    Where, typer.Option("--backend", help="the local stack (make up) or a compose deployment")
]
ProjectOption = Annotated[
    str | None, typer.Option(help="compose project (docker; default: every project)")
]


def backend(where: Where, project: str | None) -> Backend:
    if where is Where.DOCKER:
        from edgecloud.faults.docker_backend import DockerBackend

        return DockerBackend.from_env(project)
    from edgecloud.faults.local import LocalBackend
    from edgecloud.stack import StackSettings

    return LocalBackend(StackSettings())


@contextlib.contextmanager
def _exit_on_fault_error() -> Iterator[None]:
    """A fault that cannot be applied: its reason on stderr and exit status 1."""
    try:
        yield
    except FaultError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc


def _apply(
    action: Action, service: str, where: Where, project: str | None, for_s: float | None
) -> None:
    with _exit_on_fault_error():
        target = backend(where, project)
        target.apply(action, service)
        typer.echo(f"{action} {service}")
        if for_s is not None:
            time.sleep(for_s)
            target.apply(UNDO[action], service)
            typer.echo(f"{UNDO[action]} {service} after {for_s:g} s")


def _command(action: Action, lasting: bool) -> None:
    help_text = f"{action.value.capitalize()} a service" + (
        " (--for: then undo it)" if lasting else ""
    )

    def run(
        service: Annotated[str, typer.Argument(help="e.g. edge-llm, redis, orchestrator")],
        where: WhereOption = Where.LOCAL,
        project: ProjectOption = None,
        # A default, not an annotation: the annotations are strings and `lasting` is local.
        for_s: float | None = typer.Option(
            None, "--for", min=0.1, help="seconds, then undone", hidden=not lasting
        ),
    ) -> None:
        if for_s is not None and not lasting:
            raise typer.BadParameter(f"{action} takes no --for")
        if action is Action.CUT and for_s is None:
            # The reconnect needs the networks the cut left, which only this process knows.
            raise typer.BadParameter("cut needs --for (then it reconnects)")
        _apply(action, service, where, project, for_s)

    fault_app.command(action.value, help=help_text)(run)


for _action in Action:
    _command(_action, lasting=_action in (Action.STOP, Action.PAUSE, Action.CUT))


@fault_app.command("list")
def list_services(where: WhereOption = Where.LOCAL, project: ProjectOption = None) -> None:
    """The services faults can target."""
    with _exit_on_fault_error():
        for name in backend(where, project).services():
            typer.echo(name)


@fault_app.command("campaign")
def campaign(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="a TOML campaign")],
    where: WhereOption = Where.LOCAL,
    project: ProjectOption = None,
) -> None:
    """Run a scripted campaign (at t=30 s kill edge-llm, at t=60 s stop redis for 60 s, ...)."""
    from pydantic import ValidationError

    from edgecloud.faults import load_campaign, run_campaign

    try:
        steps = load_campaign(file)
    except ValidationError as exc:
        raise typer.BadParameter(str(exc)) from exc
    with _exit_on_fault_error():
        run_campaign(
            backend(where, project),
            steps,
            lambda event, begun_s, _: typer.echo(
                f"t={begun_s:7.2f} s  {event.action} {event.service}"
            ),
        )
