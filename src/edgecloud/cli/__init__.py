"""One command line for the testbed: models, up/down, ask, load, experiments, and serving a tier
or a service."""

from __future__ import annotations

import typer

from .client import ask, load
from .experiment import experiment_app
from .fault import fault_app
from .icl import icl_app
from .llm import llm_app, models_app
from .stack import down, serve, status, up

app = typer.Typer(help=__doc__, no_args_is_help=True, add_completion=False)
app.add_typer(models_app, name="models")
app.add_typer(llm_app, name="llm")
app.add_typer(experiment_app, name="experiment")
app.add_typer(fault_app, name="fault")
for command in (up, down, status, ask, load, serve):
    app.command()(command)


def _register_simulator() -> None:
    # The simulator needs the `sim` extra (gymnasium, numpy); the CLI works without it.
    try:
        from edgecloud.sim.cli import experiment, sim_app
    except ImportError:
        return
    app.add_typer(sim_app, name="sim")
    app.add_typer(icl_app, name="icl")
    experiment_app.command("sweep")(experiment)


_register_simulator()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
