"""A Gymnasium environment of generation-task offloading in a multi-cell edge-cloud system.

Tasks arrive as a Poisson process from UEs placed in the cells (the radio emulator's placement and
channel model, large-scale only); each step decides where the waiting task runs.

- **Action**: ``Discrete(2)``: 0 = edge, 1 = cloud (the paper's alpha).
- **Observation**: ``Box(0, 10, (11,))``: task type one-hot (4), quality requirement / 10, expected
  answer tokens / 256, log10(UE downlink rate) / 9, the greedy estimate of the edge and of the cloud
  delay in seconds / 5, the edge's and the cloud's running tasks / 8.
- **Reward**: ``-(service delay) - beta * [quality requirement violated]``, with the delay of
  eq. 1 (downlink with the backhaul term) plus eq. 3 (TTFT + (n - 1) TPOT) for the task's true
  answer length; TTFT and TPOT grow with the tasks running on that tier (by
  ``1 + running / capacity``, the edge having less capacity than the cloud), and the UE's RBs are
  shared with the other UEs of its cell that are receiving at that moment.
- **Episode end**: truncated after ``tasks_per_episode`` decisions; never terminated.

``info`` carries the true cost (delay plus penalty) of both options for the task now waiting, which
only the oracle may read. All randomness comes from ``self.np_random`` (seeded by ``reset``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from edgecloud.model.cells import Direction, RadioEnvironment
from edgecloud.model.delay import generation_delay_s, transmission_delay_s
from edgecloud.model.fading import Fading
from edgecloud.model.layout import RadioLayout
from edgecloud.model.tasks import DEFAULT_QUALITY, QualityTable, Route, TaskType
from edgecloud.policies.base import TaskState, TierState
from edgecloud.policies.observation import (
    OBSERVATION_HIGH,
    OBSERVATION_SIZE,
    ROUTES,
    TASK_TYPES,
    observe,
)


@dataclass(frozen=True, slots=True)
class TierProfile:
    ttft_s: float
    tpot_s: float
    capacity: float  # running tasks at which TTFT and TPOT have doubled


@dataclass(frozen=True, slots=True)
class SimConfig:
    n_ues: int = 10
    arrival_rate_hz: float = 4.0
    tasks_per_episode: int = 200
    task_mix: tuple[float, ...] = (0.25, 0.25, 0.25, 0.25)  # chat, extraction, coding, science
    backhaul_delay_s: float = 0.04  # both directions
    n_rbs: int | None = None  # None: the carrier's (51); fewer emulate a narrower allocation
    bytes_per_token: float = 180.0
    token_spread: float = 0.5  # true length ~ expected x U(1 - spread, 1 + spread)
    violation_penalty_s: float = 10.0
    # Our assumption (ARCHITECTURE.md section 7 style): the edge runs a small model, fast per token
    # but with little capacity; the cloud a large model, slower per token, with much more capacity.
    edge: TierProfile = TierProfile(ttft_s=0.03, tpot_s=0.010, capacity=4.0)
    cloud: TierProfile = TierProfile(ttft_s=0.15, tpot_s=0.025, capacity=32.0)
    quality: QualityTable = field(default_factory=lambda: DEFAULT_QUALITY)
    radio_seed: int = 0


@dataclass(slots=True)
class _Task:
    ue: int
    task_type: TaskType
    expected_tokens: int
    true_tokens: int


class OffloadingEnv(gym.Env[np.ndarray, int]):
    metadata = {"render_modes": []}  # noqa: RUF012 - Gymnasium's convention

    def __init__(self, config: SimConfig | None = None) -> None:
        self.config = config or SimConfig()
        self.action_space = spaces.Discrete(2)  # type: ignore[assignment]
        self.observation_space = spaces.Box(
            0.0, OBSERVATION_HIGH, shape=(OBSERVATION_SIZE,), dtype=np.float32
        )
        radio = RadioEnvironment(RadioLayout(seed=self.config.radio_seed, fading=Fading.NONE))
        ues = [radio.get_or_register(f"sim-ue-{i}") for i in range(self.config.n_ues)]
        self._cells = [ue.cell_id for ue in ues]
        self._rb_rate_bps = [radio.mean_rb_rate_bps(ue, Direction.DOWNLINK) for ue in ues]
        self._n_rbs = self.config.n_rbs or radio.carrier.n_rbs
        self._now = 0.0
        self._decided = 0
        self._running: dict[Route, list[float]] = {r: [] for r in ROUTES}
        self._receiving: list[tuple[float, int]] = []  # (until, cell)
        self._task: _Task | None = None

    # -- the Gymnasium contract ------------------------------------------------------------------

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        super().reset(seed=seed)
        self._now = 0.0
        self._decided = 0
        self._running = {r: [] for r in ROUTES}
        self._receiving = []
        self._task = self._arrive()
        return self._observation(), self._info()

    def step(self, action: int) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        if not self.action_space.contains(action):
            raise ValueError(f"action must be 0 (edge) or 1 (cloud), got {action!r}")
        route = ROUTES[int(action)]
        task = self._current()
        generation_s, delay_s = self._true_delay(task, route)
        violated = self.config.quality.of(route, task.task_type) < self._required(task)
        reward = -delay_s - (self.config.violation_penalty_s if violated else 0.0)
        self._running[route].append(self._now + generation_s)
        self._receiving.append((self._now + delay_s, self._cells[task.ue]))
        self._decided += 1
        outcome = {"route": route.value, "delay_s": delay_s, "violated": violated}
        self._now += float(self.np_random.exponential(1.0 / self.config.arrival_rate_hz))
        self._task = self._arrive()
        truncated = self._decided >= self.config.tasks_per_episode
        return self._observation(), reward, False, truncated, self._info() | {"outcome": outcome}

    # -- the model -------------------------------------------------------------------------------

    def _current(self) -> _Task:
        if self._task is None:
            raise RuntimeError("call reset() first")
        return self._task

    def _arrive(self) -> _Task:
        config = self.config
        ue = int(self.np_random.integers(config.n_ues))
        task_type = TASK_TYPES[int(self.np_random.choice(4, p=np.array(config.task_mix)))]
        expected = config.quality.expected_output_tokens[task_type]
        spread = self.np_random.uniform(1 - config.token_spread, 1 + config.token_spread)
        return _Task(ue, task_type, expected, max(1, round(expected * spread)))

    def _required(self, task: _Task) -> float:
        return self.config.quality.requirement[task.task_type]

    def _load(self, route: Route) -> int:
        self._running[route] = [end for end in self._running[route] if end > self._now]
        return len(self._running[route])

    def _tier(self, route: Route) -> tuple[float, float]:
        profile = self.config.edge if route is Route.EDGE else self.config.cloud
        factor = 1 + self._load(route) / profile.capacity
        return profile.ttft_s * factor, profile.tpot_s * factor

    def _rate_bps(self, task: _Task) -> float:
        cell = self._cells[task.ue]
        self._receiving = [(until, c) for until, c in self._receiving if until > self._now]
        sharing = 1 + sum(1 for _, c in self._receiving if c == cell)
        return self._rb_rate_bps[task.ue] * self._n_rbs / sharing

    def _true_delay(self, task: _Task, route: Route) -> tuple[float, float]:
        ttft, tpot = self._tier(route)
        generation = generation_delay_s(task.true_tokens, ttft, tpot)
        downlink = transmission_delay_s(
            task.true_tokens,
            self.config.bytes_per_token,
            self._rate_bps(task),
            route,
            self.config.backhaul_delay_s,
        )
        return generation, generation + downlink

    def task_state(self) -> TaskState:
        """The waiting task as the orchestrator would see it (expected, not true, length)."""
        task = self._current()
        config = self.config
        tiers = {}
        for route in ROUTES:
            ttft, tpot = self._tier(route)
            tiers[route] = TierState(
                ttft, tpot, config.quality.of(route, task.task_type), in_flight=self._load(route)
            )
        return TaskState(
            task_type=task.task_type,
            quality_required=self._required(task),
            expected_output_tokens=task.expected_tokens,
            prompt_tokens=32,
            dl_rate_bps=self._rate_bps(task),
            ul_rate_bps=self._rate_bps(task),
            sinr_db=0.0,
            backhaul_delay_s=config.backhaul_delay_s,
            bytes_per_token=config.bytes_per_token,
            edge=tiers[Route.EDGE],
            cloud=tiers[Route.CLOUD],
        )

    def _observation(self) -> np.ndarray:
        return observe(self.task_state())

    def _info(self) -> dict[str, Any]:
        task = self._current()
        costs = {}
        for route in ROUTES:
            _, delay = self._true_delay(task, route)
            violated = self.config.quality.of(route, task.task_type) < self._required(task)
            costs[route] = delay + (self.config.violation_penalty_s if violated else 0.0)
        return {"true_cost_s": costs, "time_s": self._now}
