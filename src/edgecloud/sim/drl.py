"""Training of the DRL baseline: DQN or PPO (stable-baselines3, CPU torch) in the simulator.

``train`` learns on ``OffloadingEnv`` (or a scenario's ``CalibratedEnv``) and saves ``<out>.zip``;
``common.drl_model`` loads it as a ``policies.drl.DrlPolicy``, which decides from the same
observation in orchestrator and simulator.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gymnasium as gym

from edgecloud.policies.drl import Algorithm

from .env import OffloadingEnv, SimConfig


def train(
    algorithm: Algorithm,
    steps: int,
    out: Path,
    config: SimConfig | None = None,
    seed: int = 0,
    progress_bar: bool = True,
    env: gym.Env[Any, Any] | None = None,
) -> Path:
    """Train on ``env`` (default: ``OffloadingEnv(config)``; the calibrated simulator of a
    scenario trains a policy for that scenario's live run)."""
    from stable_baselines3 import DQN, PPO

    env = env or OffloadingEnv(config)
    model: DQN | PPO
    if algorithm == "dqn":
        model = DQN(
            "MlpPolicy",
            env,
            seed=seed,
            learning_starts=min(1000, steps // 4),
            exploration_fraction=0.3,
            target_update_interval=500,
            verbose=0,
            device="cpu",
        )
    else:
        # A rollout that is a multiple of the batch size: no truncated mini-batches.
        rollout = max(64, min(1024, steps // 4) // 64 * 64)
        model = PPO(
            "MlpPolicy",
            env,
            seed=seed,
            n_steps=rollout,
            batch_size=64,
            verbose=0,
            device="cpu",
        )
    model.learn(total_timesteps=steps, progress_bar=progress_bar)
    out.parent.mkdir(parents=True, exist_ok=True)
    model.save(str(out))
    return out.with_suffix(".zip")
