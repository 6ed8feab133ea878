"""Loads a DQN or PPO model that ``edgecloud sim train`` saved, as a ``DrlPolicy``."""

from __future__ import annotations

from pathlib import Path

from edgecloud.policies.drl import Algorithm, DrlPolicy


def load_drl_policy(path: Path, algorithm: Algorithm | None = None) -> DrlPolicy:
    """The algorithm is read from the file name (``...ppo...``) unless given."""
    from stable_baselines3 import DQN, PPO  # the `drl` extra: torch, stable-baselines3

    kind: Algorithm = algorithm or ("ppo" if "ppo" in path.name else "dqn")
    model = (PPO if kind == "ppo" else DQN).load(str(path), device="cpu")
    return DrlPolicy(model, kind)
