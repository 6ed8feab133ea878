"""An emulated LLM engine: vLLM's API and metrics, timed by the pure continuous-batching model."""

from .app import create_app, create_app_from_env
from .profile import EngineProfile, ProfileError, bundled_profiles, load_profile
from .settings import EmulatorSettings, FaultKind

__all__ = [
    "EmulatorSettings",
    "EngineProfile",
    "FaultKind",
    "ProfileError",
    "bundled_profiles",
    "create_app",
    "create_app_from_env",
    "load_profile",
]
