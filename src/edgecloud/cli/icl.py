"""``edgecloud icl eval``: the decision LLMs against the calibrated simulator's oracle."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from edgecloud.sim.icl_eval import IclScore

icl_app = typer.Typer(help="ICL, the paper's policy, as a decision maker.", no_args_is_help=True)


@icl_app.command("eval")
def icl_eval(
    scenario: Annotated[str, typer.Option(help="the scenario whose simulator draws states")] = (
        "paper"
    ),
    states: Annotated[int, typer.Option(min=1, help="labelled states to decide")] = 300,
    seeds: Annotated[list[int] | None, typer.Option(help="schedules to draw from")] = None,
    url: Annotated[list[str] | None, typer.Option(help="another OpenAI-compatible LLM")] = None,
    model: Annotated[list[str] | None, typer.Option(help="its model name (one per --url)")] = None,
    bundled: Annotated[bool, typer.Option(help="start and score SmolLM2 and Gemma")] = True,
    timeout_s: Annotated[float, typer.Option(min=0.1, help="per decision")] = 10.0,
    out: Annotated[Path, typer.Option(help="CSV of the scores")] = Path(".work/icl-eval.csv"),
) -> None:
    """Each decision LLM in choice and calibrated-score mode on the same labelled states:
    agreement with the oracle, cloud share, fallback rate, decision time; a RESULT line."""
    import dataclasses

    from tqdm import tqdm

    from edgecloud.icl.config import IclAnswer
    from edgecloud.llm.catalog import BUNDLED_MODELS
    from edgecloud.load.outcomes import write_csv
    from edgecloud.model import Route
    from edgecloud.sim.calibrated import config_for
    from edgecloud.sim.icl_eval import LlmConfig, draw_states, result_line, score
    from edgecloud.sim.scenario import load_scenario
    from edgecloud.stack import Processes

    extra_urls, extra_models = url or [], model or []
    if len(extra_urls) != len(extra_models):
        raise typer.BadParameter("give one --model per --url")
    labelled = draw_states(config_for(load_scenario(scenario)), states, seeds or [0, 1])
    typer.echo(f"{len(labelled)} labelled states from {scenario}")
    with Processes(out.parent / "icl-eval-logs") as procs:
        endpoints = list(zip(extra_urls, extra_models, extra_models, strict=True))
        if bundled:
            for tier, core in ((Route.EDGE, "0"), (Route.CLOUD, "1")):
                spec = BUNDLED_MODELS[tier]
                endpoints.append((procs.bundled_llm(tier, core), spec.name, spec.name))
        answers: tuple[IclAnswer, ...] = ("choice", "score")
        configs = [
            LlmConfig(f"{label}-{answer}", base, name, answer, calibrate=True)
            for base, name, label in endpoints
            for answer in answers
        ]
        scores = []
        with tqdm(total=len(configs) * len(labelled), unit="decision") as bar:

            def advance() -> None:
                bar.update(1)

            for config in configs:
                bar.set_postfix_str(config.label)
                scores.append(score(config, labelled, timeout_s, advance))
    write_csv(out, [dataclasses.asdict(s) for s in scores], list(dataclasses.asdict(scores[0])))
    _print(scores)
    typer.echo(f"-> {out}")
    typer.echo(result_line(scores))


def _print(scores: list[IclScore]) -> None:
    typer.echo("| configuration | agreement | cloud share | fallbacks | decision time |")
    typer.echo("| --- | --- | --- | --- | --- |")
    for s in scores:
        typer.echo(
            f"| {s.label} | {s.agreement:.3f} | {s.cloud_share:.0%} | {s.fallback_rate:.1%} "
            f"| {s.decision_s * 1000:.0f} ms |"
        )
    cloud = scores[0].oracle_cloud_share
    typer.echo(
        f"the oracle chose the cloud for {cloud:.0%} of the states: always choosing the edge "
        f"agrees {1 - cloud:.3f}, always the cloud {cloud:.3f}"
    )
