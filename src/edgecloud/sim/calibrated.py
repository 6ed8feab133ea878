"""The simulator calibrated to the testbed: a scenario's schedule on the engines' own timing.

Same contract as :class:`OffloadingEnv` (action ``Discrete(2)``, the 11-feature observation,
reward ``-(delay) - beta * [violated]``), but time-driven:

- **Episode**: one seed's schedule of the scenario (``reset(seed=...)`` picks it; an unseeded
  reset draws one from the environment's generator), one step per
  request in arrival order; truncated after the last one, when every request left runs to its end.
- **Tiers**: each is the engine timing model with the scenario's profile file, behind the emulated
  server's serial front end (``sim.tier_model``): requests queue, batch and slow each other's
  tokens as on the engine. Answer lengths are the schedule's (``ignore_eos`` live).
- **Radio**: the UEs stand where the live runner places them, in the radio model the emulator
  runs (large scale, same layout seed); a UE's downlink share is the carrier's RBs over the UEs of
  its cell receiving at that moment, so it changes as other answers start and end.
- **Reward**: a request's cost is known when its last byte arrives, so each step's reward is minus
  the costs of the requests that finished since the previous step (``info["completed"]`` lists
  them); an episode's rewards sum to minus its total cost.
- **What policies see**: what the orchestrator sees, the EWMAs of measured TTFT and TPOT, its
  requests in flight, the engine's queue and the reported rate, so greedy's estimates can be wrong.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from edgecloud.llm.emulated.profile import load_profile
from edgecloud.load.prompts import PromptSet
from edgecloud.model.tasks import DEFAULT_QUALITY, QualityTable, Route
from edgecloud.policies.base import TaskState, TierState
from edgecloud.policies.observation import OBSERVATION_HIGH, OBSERVATION_SIZE, ROUTES, observe

from .radio_view import RadioView
from .scenario import Scenario
from .schedule import Schedule, ScheduledRequest
from .tier_model import Finished, SimTier
from .trace import TraceRequest


@dataclass(frozen=True, slots=True)
class TierPriors:
    ttft_s: float
    tpot_s: float


@dataclass(frozen=True, slots=True)
class CalibratedConfig:
    """A scenario and the few numbers of the deployment the live stack runs with."""

    scenario: Scenario
    prompts: PromptSet
    trace: tuple[TraceRequest, ...] | None = None
    radio_seed: int = 0  # the radio emulator's layout seed (the stack's seed)
    backhaul_one_way_s: float = 0.020  # the radio emulator's backhaul, each way
    assumed_backhaul_s: float = 0.040  # the paper's t_back the orchestrator's estimates add
    hop_s: float = 0.004  # HTTP hops and processing on the way to an engine and back
    bytes_per_token: float = 180.0  # one SSE event per token on the air
    ewma_weight: float = 0.2
    # The orchestrator's priors (its defaults: what the live stack runs with).
    edge_priors: TierPriors = TierPriors(0.05, 0.016)
    cloud_priors: TierPriors = TierPriors(0.06, 0.022)
    quality: QualityTable = field(default_factory=lambda: DEFAULT_QUALITY)
    violation_penalty_s: float = 10.0


def config_for(scenario: Scenario, **deployment: Any) -> CalibratedConfig:
    """The scenario's simulator with its own prompts and trace; ``deployment`` overrides the
    deployment's numbers (the defaults are the services' defaults)."""
    from .scenario import ArrivalKind
    from .trace import read_trace

    trace = None
    if scenario.arrivals.kind is ArrivalKind.TRACE and scenario.arrivals.trace:
        trace = tuple(read_trace(scenario.path(scenario.arrivals.trace)))
    prompts = PromptSet.load(scenario.path(scenario.prompts))
    return CalibratedConfig(scenario=scenario, prompts=prompts, trace=trace, **deployment)


@dataclass(slots=True)
class _InFlight:
    request: ScheduledRequest
    route: Route
    orchestrator_sent_s: float  # when the orchestrator sent it on (after uplink and decision)
    violated: bool


class CalibratedEnv(gym.Env[np.ndarray, int]):
    metadata = {"render_modes": []}  # noqa: RUF012 - Gymnasium's convention

    def __init__(self, config: CalibratedConfig) -> None:
        self.config = config
        self.action_space = spaces.Discrete(2)  # type: ignore[assignment]
        self.observation_space = spaces.Box(
            0.0, OBSERVATION_HIGH, shape=(OBSERVATION_SIZE,), dtype=np.float32
        )
        engines = config.scenario.engines
        self._profiles = {
            Route.EDGE: load_profile(engines.edge_profile),
            Route.CLOUD: load_profile(engines.cloud_profile),
        }
        self._schedule: Schedule | None = None
        self._index = 0
        self._tiers: dict[Route, SimTier] = {}
        self._radio: RadioView | None = None
        self._in_flight: dict[str, _InFlight] = {}

    # -- the Gymnasium contract ------------------------------------------------------------------

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        from .schedule import build_schedule

        super().reset(seed=seed)
        config = self.config
        # Unseeded resets (a learner's next episode) draw the next schedule from the generator.
        schedule_seed = int(self.np_random.integers(2**31)) if seed is None else seed
        self._schedule = build_schedule(
            config.scenario, schedule_seed, config.prompts, config.trace
        )
        if not self._schedule.requests:
            raise ValueError(f"seed {schedule_seed} of {config.scenario.name} sends no request")
        self._index = 0
        self._tiers = {route: self._new_tier(route) for route in ROUTES}
        self._radio = RadioView(config.scenario, self._schedule.ues, config.radio_seed)
        self._in_flight = {}
        return self._observation(), {}

    def step(self, action: int) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        if not self.action_space.contains(action):
            raise ValueError(f"action must be 0 (edge) or 1 (cloud), got {action!r}")
        schedule = self._current_schedule()
        request = schedule.requests[self._index]
        self._send(request, ROUTES[int(action)])
        self._index += 1
        truncated = self._index >= len(schedule.requests)
        if truncated:
            finished = [f for tier in self._tiers.values() for f in tier.drain()]
        else:
            until_s = schedule.requests[self._index].at_s
            finished = [f for tier in self._tiers.values() for f in tier.advance_to(until_s)]
        completed = self._complete(sorted(finished, key=lambda f: f.timing.finished_s or 0.0))
        if not truncated:
            assert self._radio is not None
            self._radio.forget_before(schedule.requests[self._index].at_s)
        reward = -sum(outcome["cost_s"] for outcome in completed)
        observation = np.zeros(OBSERVATION_SIZE, np.float32) if truncated else self._observation()
        return observation, reward, False, truncated, {"completed": completed}

    # -- the model -------------------------------------------------------------------------------

    def _new_tier(self, route: Route) -> SimTier:
        priors = self.config.edge_priors if route is Route.EDGE else self.config.cloud_priors
        return SimTier.of(
            self._profiles[route], priors.ttft_s, priors.tpot_s, self.config.ewma_weight
        )

    def _current_schedule(self) -> Schedule:
        if self._schedule is None:
            raise RuntimeError("call reset() first")
        return self._schedule

    def _backhaul_s(self, route: Route) -> float:
        return self.config.backhaul_one_way_s if route is Route.CLOUD else 0.0

    def _send(self, request: ScheduledRequest, route: Route) -> None:
        assert self._radio is not None
        config = self.config
        now_s = request.at_s
        sent_s = now_s + self._radio.uplink_s(request) + config.hop_s
        quality = config.quality.of(route, request.task_type)
        self._in_flight[self._request_id(request)] = _InFlight(
            request, route, sent_s, quality < request.quality_required
        )
        self._radio.start(self._request_id(request), request.ue_id, now_s)
        self._tiers[route].submit(
            self._request_id(request), sent_s + self._backhaul_s(route), len(request.prompt),
            request.max_tokens,
        )  # fmt: skip

    @staticmethod
    def _request_id(request: ScheduledRequest) -> str:
        return f"r{request.index}"

    def _complete(self, finished: list[Finished]) -> list[dict[str, Any]]:
        assert self._radio is not None
        config = self.config
        out = []
        for done in finished:
            sent = self._in_flight.pop(done.request_id)
            timing, back_s = done.timing, self._backhaul_s(sent.route)
            first_s, last_s = timing.token_times_s[0] + back_s, (timing.finished_s or 0.0) + back_s
            # The orchestrator measures TTFT without the backhaul's two ways.
            ttft_sample_s = first_s - sent.orchestrator_sent_s - 2 * back_s
            self._tiers[sent.route].observe(ttft_sample_s, timing.tpot_s)
            bits = config.bytes_per_token * 8
            rate_bps = self._radio.downlink_rate_bps(sent.request.ue_id, first_s)
            delivered_s = (
                max(last_s + bits / rate_bps, first_s + sent.request.max_tokens * bits / rate_bps)
                + config.hop_s
            )
            self._radio.end(done.request_id, delivered_s)
            delay_s = delivered_s - sent.request.at_s
            out.append({
                "index": sent.request.index,
                "route": sent.route.value,
                "delay_s": delay_s,
                "ttft_s": first_s + bits / rate_bps + config.hop_s - sent.request.at_s,
                "violated": sent.violated,
                "cost_s": delay_s + (config.violation_penalty_s if sent.violated else 0.0),
            })  # fmt: skip
        return out

    def option_costs_s(self) -> dict[Route, float]:
        """The next request's true cost on each tier with what is in flight now and nothing sent
        after it (the simulator's myopic oracle; the live testbed has no such number)."""
        request = self._current_schedule().requests[self._index]
        costs = {}
        for route in ROUTES:
            trial = copy.deepcopy(self)
            trial._send(request, route)
            finished = [f for tier in trial._tiers.values() for f in tier.drain()]
            outcomes = trial._complete(sorted(finished, key=lambda f: f.timing.finished_s or 0.0))
            costs[route] = next(o["cost_s"] for o in outcomes if o["index"] == request.index)
        return costs

    def task_state(self) -> TaskState:
        """The next request as the orchestrator sees it when it decides."""
        assert self._radio is not None
        request = self._current_schedule().requests[self._index]
        for tier in self._tiers.values():
            tier.advance_to(request.at_s)  # already there: the step advanced both
        tiers = {
            route: TierState(
                tier.ttft_s.value,
                tier.tpot_s.value,
                self.config.quality.of(route, request.task_type),
                in_flight=tier.in_flight,
                waiting=tier.waiting,
            )
            for route, tier in self._tiers.items()
        }
        rate_bps = self._radio.reported_rate_bps(request.ue_id, request.at_s)
        return TaskState(
            task_type=request.task_type,
            quality_required=request.quality_required,
            expected_output_tokens=request.max_tokens,
            prompt_tokens=self._tiers[Route.EDGE].prompt_tokens(len(request.prompt)),
            dl_rate_bps=rate_bps,
            ul_rate_bps=self._radio.uplink_rate_bps(request.ue_id),
            sinr_db=self._radio.sinr_db(request.ue_id),
            backhaul_delay_s=self.config.assumed_backhaul_s,
            bytes_per_token=self.config.bytes_per_token,
            edge=tiers[Route.EDGE],
            cloud=tiers[Route.CLOUD],
        )

    def _observation(self) -> np.ndarray:
        return observe(self.task_state())
