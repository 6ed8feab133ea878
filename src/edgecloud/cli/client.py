"""Talking to a running testbed: one prompt, or Locust UEs."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import httpx
import typer

from edgecloud.load.shapes import Shape


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
