"""The offline simulator: a Gymnasium environment on the shared system model, and evaluation."""

from .env import OffloadingEnv, SimConfig, TierProfile
from .evaluate import EpisodeStats, Oracle, evaluate

__all__ = ["EpisodeStats", "OffloadingEnv", "Oracle", "SimConfig", "TierProfile", "evaluate"]
