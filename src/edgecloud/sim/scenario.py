"""Scenarios as data: what one experiment runs, read from a validated TOML file.

A scenario fixes everything the policies do not choose: the cells and where the UEs stand, how they
move, when they send (Poisson per UE or a replayed trace), what they ask (task mix, prompts, answer
lengths), what quality each task requires, the engines of both tiers and the SLOs a request must
meet to count towards goodput. The same file drives the live runner and the simulator; a seed turns
it into one request schedule (``sim.schedule``).

The bundled scenarios live in ``loadtest/scenarios/``; paths inside a scenario (prompts, trace) are
relative to its file.
"""

from __future__ import annotations

import tomllib
from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from edgecloud.llm.emulated.profile import DEFAULT_ANSWER_LENGTHS, AnswerLength
from edgecloud.model.mobility import MobilityKind
from edgecloud.model.tasks import DEFAULT_QUALITY, TaskType

SCENARIO_SUFFIX = ".toml"
BUNDLED_DIR = Path(__file__).resolve().parents[3] / "loadtest" / "scenarios"


class ScenarioError(ValueError):
    """A scenario that cannot be found or is not valid."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Cells(_Strict):
    """The radio emulator's layout (it must run with the same) and the UEs of each cell."""

    n_cells: int = Field(default=3, ge=1, le=19)
    cell_radius_m: float = Field(default=100.0, gt=0)
    ues_per_cell: list[int] = Field(min_length=1)
    placement_seed: int = 0

    @model_validator(mode="after")
    def _one_count_per_cell(self) -> Cells:
        if len(self.ues_per_cell) != self.n_cells:
            raise ValueError(f"ues_per_cell needs {self.n_cells} counts, one per cell")
        if any(n < 0 for n in self.ues_per_cell) or sum(self.ues_per_cell) == 0:
            raise ValueError("ues_per_cell: counts >= 0 and at least one UE")
        return self

    @property
    def n_ues(self) -> int:
        return sum(self.ues_per_cell)


class MobilitySpec(_Strict):
    kind: MobilityKind = MobilityKind.STATIC
    speed_mps: float = Field(default=0.0, ge=0, le=50)


class ArrivalKind(StrEnum):
    POISSON = "poisson"
    TRACE = "trace"


class Arrivals(_Strict):
    """Poisson arrivals per UE, or a trace's arrivals spread over the UEs.

    A trace (Azure LLM inference trace 2023 format: ``TIMESTAMP,ContextTokens,GeneratedTokens``)
    is replayed from its first request: its times multiplied by ``time_scale`` (2 halves the rate),
    its prompt and answer lengths by ``token_scale``; each request goes to a UE drawn uniformly.
    """

    kind: ArrivalKind = ArrivalKind.POISSON
    rate_per_ue_hz: float = Field(default=0.05, gt=0, le=100)
    trace: str | None = None
    time_scale: float = Field(default=1.0, gt=0)
    token_scale: float = Field(default=1.0, gt=0)

    @model_validator(mode="after")
    def _trace_when_replaying(self) -> Arrivals:
        if self.kind is ArrivalKind.TRACE and not self.trace:
            raise ValueError("arrivals of kind 'trace' need a trace file")
        return self


class Slo(_Strict):
    """A request counts towards goodput when it succeeded and met both limits."""

    ttft_s: float = Field(gt=0, description="time to first token as the UE sees it")
    e2e_s: float = Field(gt=0, description="end-to-end delay: prompt sent to last byte received")


class Engines(_Strict):
    """Which engines the stack runs for this scenario; the simulator uses the same profiles."""

    kind: Literal["real", "emulated"] = "emulated"
    edge_profile: str = "edge-l4-llama-3.2-1b"
    cloud_profile: str = "cloud-h100x4-llama-3.1-70b"


class Warmup(_Strict):
    """Requests run once before the policies, whose records every policy starts from (its
    experience pool); the same for every policy of a run."""

    requests: int = Field(default=0, ge=0, le=5000)
    policy: str = "random"


def _default_mix() -> dict[TaskType, float]:
    return dict.fromkeys(TaskType, 1.0)


def _default_requirements() -> dict[TaskType, float]:
    return dict(DEFAULT_QUALITY.requirement)


class Scenario(_Strict):
    name: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9-]*$")
    description: str = ""
    duration_s: float = Field(gt=0, le=86_400, description="arrivals happen in [0, duration_s)")
    engines: Engines = Engines()
    cells: Cells
    mobility: MobilitySpec = MobilitySpec()
    arrivals: Arrivals = Arrivals()
    task_mix: dict[TaskType, float] = Field(default_factory=_default_mix)
    prompts: str = "../prompts.json"
    answer_lengths: dict[TaskType, AnswerLength] = Field(
        default_factory=lambda: dict(DEFAULT_ANSWER_LENGTHS)
    )
    max_answer_tokens: int = Field(default=1024, ge=1, le=8192)
    quality_required: dict[TaskType, float] = Field(default_factory=_default_requirements)
    slo: Slo
    warmup: Warmup = Warmup()
    # Where the file was read from: relative paths inside it resolve against this folder.
    folder: Path = Field(default=Path("."), exclude=True)

    @model_validator(mode="after")
    def _sane_mix(self) -> Scenario:
        weights = self.task_mix.values()
        if any(w < 0 for w in weights) or sum(weights) <= 0:
            raise ValueError("task_mix needs weights >= 0 with a positive sum")
        if any(not 1 <= q <= 10 for q in self.quality_required.values()):
            raise ValueError("quality_required is on the 1-10 scale")
        return self

    def answer_length(self, task_type: TaskType) -> AnswerLength:
        return self.answer_lengths.get(task_type) or DEFAULT_ANSWER_LENGTHS[task_type]

    def requirement(self, task_type: TaskType) -> float:
        return self.quality_required.get(task_type, DEFAULT_QUALITY.requirement[task_type])

    def path(self, relative: str) -> Path:
        candidate = Path(relative)
        return candidate if candidate.is_absolute() else (self.folder / candidate).resolve()


def bundled_scenarios() -> list[str]:
    return sorted(p.stem for p in BUNDLED_DIR.glob(f"*{SCENARIO_SUFFIX}"))


def load_scenario(name_or_path: str | Path) -> Scenario:
    """A bundled scenario by name (``paper``, ``small``), or a scenario file by path."""
    path = Path(name_or_path)
    if path.suffix != SCENARIO_SUFFIX and not path.exists():
        path = BUNDLED_DIR / f"{name_or_path}{SCENARIO_SUFFIX}"
        if not path.is_file():
            known = ", ".join(bundled_scenarios())
            raise ScenarioError(f"no bundled scenario {name_or_path!r} (known: {known})")
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ScenarioError(f"cannot read scenario {path}: {exc}") from exc
    try:
        return Scenario.model_validate({**data, "folder": path.resolve().parent})
    except ValidationError as exc:
        raise ScenarioError(f"scenario {path} is not valid: {exc}") from exc
