"""The orchestrator (the edge controller): OpenAI API, routing, forwarding, history, metrics."""

from .app import create_app, create_app_from_env
from .settings import OrchestratorSettings, TierConfig

__all__ = ["OrchestratorSettings", "TierConfig", "create_app", "create_app_from_env"]
