"""Settings of the emulated engine (environment prefix ``EDGECLOUD_EMULATOR_``)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class FaultKind(StrEnum):
    """Faults the engine injects on demand, each with its own rate."""

    SERVER_ERROR = "server_error"  # a 500 before any token
    OVERLOADED = "overloaded"  # a 503, as an engine that sheds load
    STREAM_ABORT = "stream_abort"  # the connection cut halfway through the answer


class EmulatorSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EDGECLOUD_EMULATOR_", extra="forbid")

    profile: str = Field(
        default="edge-l4-llama-3.2-1b", description="a bundled profile's name or a profile file"
    )
    served_model_name: str | None = Field(
        default=None, description="model name in the API (default: the profile's)"
    )
    seed: int = Field(default=0, description="answer lengths, texts and fault draws")
    error_rates: dict[FaultKind, float] = Field(
        default_factory=dict, description='per fault kind, e.g. {"server_error": 0.01}'
    )
    startup_delay_s: float = Field(
        default=0.0, ge=0.0, le=3600.0, description="/health answers 503 this long after start"
    )
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    max_header_bytes: int = Field(default=16_384, ge=1024)

    @field_validator("error_rates")
    @classmethod
    def _rates(cls, rates: dict[FaultKind, float]) -> dict[FaultKind, float]:
        if any(not 0.0 <= rate <= 1.0 for rate in rates.values()):
            raise ValueError("an error rate is a probability, 0 to 1")
        if sum(rates.values()) > 1.0:
            raise ValueError("the error rates add up to more than 1")
        return rates
