"""Hardware profiles of the emulated engine: files that say what a tier's timing is and whence.

A profile is a TOML file (the bundled ones live in ``edgecloud/llm/profiles/``): the step-time
coefficients and scheduler limits of the pure engine model, how the API turns text into tokens, the
answer lengths per task type when a request does not fix them, and ``source``, where the numbers
come from (a fit on this machine, or published measurements).
"""

from __future__ import annotations

import math
import tomllib
from importlib import resources
from pathlib import Path
from random import Random

import tomli_w
from pydantic import BaseModel, ConfigDict, Field

from edgecloud.model.engine import EngineLimits, StepTimeModel
from edgecloud.model.tasks import TaskType

PROFILE_SUFFIX = ".toml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StepCoefficients(_Strict):
    """``step_s = base_s + per_prefill_token_s * prefill_tokens + per_decode_seq_s * decode_seqs
    + per_context_token_s * context_tokens + per_prefill_pair_s * prefill_pairs`` (see
    edgecloud.model.engine.StepTimeModel for what each term stands for)."""

    base_s: float = Field(ge=0)
    per_prefill_token_s: float = Field(ge=0)
    per_decode_seq_s: float = Field(ge=0)
    per_context_token_s: float = Field(ge=0)
    per_prefill_pair_s: float = Field(default=0.0, ge=0)
    per_prefill_seq_s: float = Field(default=0.0, ge=0)


class SchedulerLimits(_Strict):
    max_num_seqs: int = Field(ge=1)
    max_num_batched_tokens: int = Field(ge=1)
    kv_blocks: int = Field(ge=1)
    block_size: int = Field(default=16, ge=1)
    max_model_len: int = Field(default=2048, ge=16)

    def engine_limits(self) -> EngineLimits:
        return EngineLimits(**self.model_dump())


class ApiTiming(_Strict):
    """What the server does outside the engine loop."""

    # HTTP, chat template, tokenisation and the first detokenisation: added to every TTFT.
    request_overhead_s: float = Field(default=0.0, ge=0)
    # Tokens of a prompt: the chat template's own plus the text's characters over this ratio.
    template_tokens: int = Field(default=0, ge=0)
    chars_per_token: float = Field(default=4.0, gt=0)

    def prompt_tokens(self, text_chars: int) -> int:
        return self.template_tokens + max(1, math.ceil(text_chars / self.chars_per_token))


class AnswerLength(_Strict):
    """Log-normal answer length in tokens: ``median * exp(sigma * N(0, 1))``, at least 1."""

    median_tokens: float = Field(gt=0)
    sigma: float = Field(default=0.5, ge=0)

    def draw(self, rng: Random) -> int:
        return max(1, round(self.median_tokens * math.exp(self.sigma * rng.gauss(0.0, 1.0))))


# Chat: the Azure LLM inference trace 2023, conversation part (median 129 generated tokens, log-sd
# 0.86; CC-BY 4.0). The other task types: our assumptions (short extractions, long code).
DEFAULT_ANSWER_LENGTHS = {
    TaskType.CHAT: AnswerLength(median_tokens=129, sigma=0.86),
    TaskType.EXTRACTION: AnswerLength(median_tokens=60, sigma=0.6),
    TaskType.CODING: AnswerLength(median_tokens=250, sigma=0.7),
    TaskType.SCIENCE: AnswerLength(median_tokens=200, sigma=0.7),
}


def _default_lengths() -> dict[TaskType, AnswerLength]:
    return dict(DEFAULT_ANSWER_LENGTHS)


class EngineProfile(_Strict):
    name: str = Field(min_length=1)
    description: str
    source: str = Field(min_length=1, description="where the numbers come from")
    served_model_name: str = Field(min_length=1)
    step: StepCoefficients
    limits: SchedulerLimits
    api: ApiTiming = ApiTiming()
    answer_lengths: dict[TaskType, AnswerLength] = Field(default_factory=_default_lengths)

    def step_time(self) -> StepTimeModel:
        return StepTimeModel(**self.step.model_dump())

    def engine_limits(self) -> EngineLimits:
        return self.limits.engine_limits()

    def answer_length(self, task_type: TaskType) -> AnswerLength:
        return self.answer_lengths.get(task_type) or DEFAULT_ANSWER_LENGTHS[task_type]

    def to_toml(self) -> str:
        """The profile as a file ``load_profile`` reads back (the fit command writes it)."""
        return tomli_w.dumps(self.model_dump(mode="json", exclude_none=True))


class ProfileError(ValueError):
    """A profile that cannot be found or read."""


def bundled_profiles() -> list[str]:
    folder = resources.files("edgecloud.llm") / "profiles"
    return sorted(
        entry.name.removesuffix(PROFILE_SUFFIX)
        for entry in folder.iterdir()
        if entry.name.endswith(PROFILE_SUFFIX)
    )


def load_profile(name_or_path: str | Path) -> EngineProfile:
    """A bundled profile by name, or a profile file by path."""
    path = Path(name_or_path)
    if path.suffix == PROFILE_SUFFIX or path.exists():
        try:
            text = path.read_text()
        except OSError as exc:
            raise ProfileError(f"cannot read profile {path}: {exc}") from exc
    else:
        bundled = resources.files("edgecloud.llm") / "profiles" / f"{name_or_path}{PROFILE_SUFFIX}"
        if not bundled.is_file():
            known = ", ".join(bundled_profiles())
            raise ProfileError(f"no bundled profile {name_or_path!r} (known: {known})")
        text = bundled.read_text()
    try:
        return EngineProfile.model_validate(tomllib.loads(text))
    except (tomllib.TOMLDecodeError, ValueError) as exc:
        raise ProfileError(f"profile {name_or_path} is not valid: {exc}") from exc
