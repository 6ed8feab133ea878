"""The DRL baseline: DQN or PPO (stable-baselines3, CPU torch) trained in the simulator.

``train`` learns on ``OffloadingEnv`` and saves ``<out>.zip``; ``DrlPolicy`` loads it and decides
from the same observation vector, so the orchestrator can serve a model the simulator trained.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from edgecloud.policies.base import Decision, TaskState

from .env import ROUTES, OffloadingEnv, SimConfig
from .observation import observe

Algorithm = Literal["dqn", "ppo"]


def train(
    algorithm: Algorithm,
    steps: int,
    out: Path,
    config: SimConfig | None = None,
    seed: int = 0,
    progress_bar: bool = True,
) -> Path:
    from stable_baselines3 import DQN, PPO

    env = OffloadingEnv(config)
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


class DrlPolicy:
    """Decides with a saved DQN or PPO model (deterministic action)."""

    uses_pool = False

    def __init__(self, path: Path, algorithm: Algorithm | None = None) -> None:
        from stable_baselines3 import DQN, PPO

        kind = algorithm or ("ppo" if "ppo" in path.name else "dqn")
        self.name: str = kind
        self._model = (PPO if kind == "ppo" else DQN).load(str(path), device="cpu")

    def decide(self, state: TaskState) -> Decision:
        action, _ = self._model.predict(observe(state), deterministic=True)
        return Decision(ROUTES[int(action)], self.name)
