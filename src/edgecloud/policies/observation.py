"""The observation vector of a task state and the action order, shared by the simulator and DRL.

Pure; it needs numpy, which only DRL users have, so the package's ``__init__`` leaves it out.
"""

from __future__ import annotations

import math

import numpy as np

from edgecloud.model.tasks import Route, TaskType

from .base import TaskState
from .estimate import estimate_service_delay_s

TASK_TYPES = tuple(TaskType)
# Action i of the simulator and of a trained model routes to ROUTES[i].
ROUTES = (Route.EDGE, Route.CLOUD)
OBSERVATION_SIZE = 11
OBSERVATION_HIGH = 10.0


def observe(state: TaskState) -> np.ndarray:
    """Task type one-hot, requirement, expected tokens, rate, both greedy estimates, both loads."""
    one_hot = [1.0 if state.task_type is t else 0.0 for t in TASK_TYPES]
    values = [
        *one_hot,
        state.quality_required / 10,
        state.expected_output_tokens / 256,
        math.log10(max(state.dl_rate_bps, 1.0)) / 9,
        estimate_service_delay_s(state, Route.EDGE) / 5,
        estimate_service_delay_s(state, Route.CLOUD) / 5,
        (state.edge.in_flight + state.edge.waiting) / 8,
        (state.cloud.in_flight + state.cloud.waiting) / 8,
    ]
    return np.clip(np.array(values, dtype=np.float32), 0.0, OBSERVATION_HIGH)
