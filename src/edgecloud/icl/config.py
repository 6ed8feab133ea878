"""How the decider runs ICL: a plain value, so the orchestrator and the simulator set it up alike.

``OrchestratorSettings`` takes its ``icl_*`` defaults from here and builds one with
``decision_config()``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

IclMode = Literal["request", "cached"]
IclAnswer = Literal["choice", "score"]


@dataclass(frozen=True, slots=True)
class DecisionConfig:
    # request: one decision-LLM call per request; cached: one per discrete state, in the background.
    mode: IclMode = "request"
    # choice: the LLM answers a word (constrained); score: log-probabilities of the two words.
    answer: IclAnswer = "choice"
    calibrate: bool = True  # contextual calibration of scored answers (content-free prompt)
    timeout_s: float = 2.0
    epsilon: float = 0.1  # exploration probability
    recommended: int = 4  # examples that went well in similar states
    inadvisable: int = 2  # examples that went badly
    tau: float = 1.0  # the distance under which a state counts as similar
    cache_refresh_every: int = 20  # new experiences before a cached decision is recomputed
    # A DQN or PPO model trained by `edgecloud sim train`, for the ``drl`` policy; and one of each
    # for the ``dqn`` and ``ppo`` policies (so that an experiment serves both side by side).
    drl_model_path: Path | None = None
    dqn_model_path: Path | None = None
    ppo_model_path: Path | None = None

    def drl_path(self, policy: str) -> Path | None:
        return {
            "drl": self.drl_model_path,
            "dqn": self.dqn_model_path,
            "ppo": self.ppo_model_path,
        }.get(policy)
