"""The local stack: up, down, status, and serving one service in its container."""

from __future__ import annotations

import os
import time
from typing import Annotated

import typer

from edgecloud.common.app_services import AppService
from edgecloud.model.tasks import Route

from .llm import prepare_all


def up(
    prepare_models: Annotated[bool, typer.Option(help="prepare the models first")] = True,
) -> None:
    """Start the whole testbed as local processes and wait until every service answers."""
    from edgecloud.stack import (
        StackSettings,
        Supervisor,
        ensure_secrets,
        prometheus_config,
        stack_services,
        wait_ready,
    )

    settings = ensure_secrets(StackSettings())
    # Emulated engines need no model; a decision LLM of the stack's own is the edge's SmolLM2.
    tiers = [Route.EDGE] if settings.starts_decision_llm() else []
    if prepare_models:
        prepare_all(
            settings.engine_python,
            settings.work_dir / "models",
            tiers if settings.emulated else list(Route),
        )
    services = stack_services(settings)
    supervisor = Supervisor(settings)
    started = time.monotonic()
    if supervisor.running_pid() is None:
        settings.state_dir.mkdir(parents=True, exist_ok=True)
        (settings.state_dir / "prometheus.yml").write_text(prometheus_config(settings))
        supervisor.start(services)
    else:
        typer.echo("the stack is already running; waiting until it answers")
    for spec in services:
        try:
            waited = wait_ready(spec, settings.host)
        except TimeoutError as exc:
            log = settings.state_dir / "logs" / f"{spec.name}.log"
            typer.secho(f"{exc}; see {log}", fg="red", err=True)
            raise typer.Exit(1) from exc
        typer.echo(f"  {spec.name:15} ready on port {spec.port} (+{waited:.1f} s)")
    engines = (
        f"emulated engines ({settings.edge_profile}, {settings.cloud_profile})"
        if settings.emulated
        else "vLLM CPU engines with the bundled models"
    )
    typer.echo(f"testbed up in {time.monotonic() - started:.1f} s on {engines}. Try:\n")
    typer.echo(
        f"  curl -s http://{settings.host}:{settings.radio_port}/v1/chat/completions \\\n"
        "    -H 'Content-Type: application/json' -H 'X-UE-Id: ue-1' \\\n"
        '    -d \'{"model": "auto", "messages": [{"role": "user", '
        '"content": "What is the capital of France?"}], "max_tokens": 32}\'\n'
    )
    typer.echo(
        f"Radio admin API: Authorization: Bearer $(cat {settings.state_dir / 'admin-token'})"
    )
    typer.echo(f"Logs: {settings.state_dir / 'logs'}.  Stop with: make down")


def down() -> None:
    """Stop everything `up` started."""
    from edgecloud.stack import StackSettings, Supervisor

    stopped = Supervisor(StackSettings()).stop()
    typer.echo("testbed stopped" if stopped else "the testbed was not running")


def status() -> None:
    """Show the local stack's processes."""
    from edgecloud.stack import StackSettings, Supervisor

    supervisor = Supervisor(StackSettings())
    if supervisor.running_pid() is None:
        typer.echo("the testbed is not running")
        raise typer.Exit(1)
    typer.echo(supervisor.status())


def serve(
    service: Annotated[
        AppService, typer.Option(envvar="EDGECLOUD_SERVICE", help="which service to serve")
    ],
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
) -> None:
    """Serve the orchestrator or the radio emulator (replaces this process; its container's
    command, with the same uvicorn options as `edgecloud up`; settings from the environment)."""
    from edgecloud.stack import uvicorn_command

    argv = uvicorn_command(service.factory, host, port)
    os.execv(argv[0], argv)
