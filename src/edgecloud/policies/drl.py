"""The DRL baseline's inference side: a DQN or PPO model trained in the simulator decides.

The policy holds an already loaded model (``edgecloud.common.drl_model`` reads one from disk), so it
stays pure; torch and stable-baselines3 (the ``drl`` extra) are never imported here.
"""

from __future__ import annotations

from typing import Any, Literal, Protocol

from .base import Decision, TaskState
from .observation import ROUTES, observe

Algorithm = Literal["dqn", "ppo"]


class Predictor(Protocol):
    """What a stable-baselines3 model offers: an action for an observation."""

    def predict(
        self,
        observation: Any,
        state: Any = ...,
        episode_start: Any = ...,
        deterministic: bool = ...,
    ) -> tuple[Any, Any]: ...


class DrlPolicy:
    """Decides with a trained DQN or PPO model (deterministic action)."""

    uses_pool = False

    def __init__(self, model: Predictor, name: Algorithm) -> None:
        self.name: str = name
        self._model = model

    def decide(self, state: TaskState) -> Decision:
        action, _ = self._model.predict(observe(state), deterministic=True)
        return Decision(ROUTES[int(action)], self.name)
