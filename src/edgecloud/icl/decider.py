"""Runs the chosen policy: pure policies directly, ICL with its decision-LLM call.

ICL, per request (the paper): epsilon-greedy exploration; otherwise examples are selected from the
pool, the decision LLM answers (constrained to edge/cloud, or scored from the log-probabilities of
the two words with contextual calibration), and the answer is parsed strictly. A timeout, an
unreachable LLM, an invalid answer or a stale pool (its source unreachable) falls back to greedy and
is counted.

ICL, cached: one decision per discrete state, computed in the background and refreshed every
``cache_refresh_every`` new examples; the request path never waits for the LLM (a miss is
answered by greedy while the entry is computed).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from edgecloud.common.tasks import BackgroundTasks
from edgecloud.model.tasks import Route
from edgecloud.policies import (
    Decision,
    Experience,
    Greedy,
    Policy,
    StateSummary,
    TaskState,
    create_policy,
    has_policy,
)
from edgecloud.policies.drl import Algorithm
from edgecloud.policies.pool import ExperiencePool

from .answer import InvalidAnswerError, best, calibrate, choice_probabilities, parse_choice
from .client import DecisionClient, DecisionLlmError
from .config import DecisionConfig, IclMode
from .metrics import DecisionMetrics, FallbackReason
from .prompt import CONTENT_FREE_STATE, build_messages, state_line
from .selection import Examples, select_examples

# Entered around each decision-LLM call (an admission slot, or nothing).
Admission = Callable[[], contextlib.AbstractAsyncContextManager[Any]]

ICL = "icl"
ICL_MODES: dict[str, IclMode | None] = {
    "icl": None,
    "icl-request": "request",
    "icl-cached": "cached",
}
DRL = "drl"  # a DQN or PPO model trained in the simulator (settings: drl_model_path)
# The same, one of each algorithm (settings: dqn_model_path, ppo_model_path).
DRL_POLICIES = frozenset({DRL, "dqn", "ppo"})


@dataclass(slots=True)
class _CacheEntry:
    route: Route
    pool_version: int


def _always() -> bool:
    return True


class Decider:
    """``pool_fresh`` says whether the pool is current (``PoolFeed.is_fresh``); a pool the caller
    fills itself is always fresh. ``admission`` is entered around each decision-LLM call: the
    orchestrator passes the edge tier's admission slot when the decision LLM is the edge server,
    so ICL's calls queue with the requests instead of beside them."""

    def __init__(
        self,
        config: DecisionConfig,
        rng: random.Random,
        pool: ExperiencePool | None,
        icl: DecisionClient | None,
        metrics: DecisionMetrics,
        background: BackgroundTasks,
        pool_fresh: Callable[[], bool] = _always,
        admission: Admission = contextlib.nullcontext,
    ) -> None:
        self._config = config
        self._rng = rng
        self._pool = pool
        self._pool_fresh = pool_fresh
        self._admission = admission
        self._icl = icl
        self._metrics = metrics
        self._background = background
        self._greedy = Greedy()
        self._policies: dict[str, Policy] = {}
        self._cache: dict[tuple[str, ...], _CacheEntry] = {}
        self._computing: set[tuple[str, ...]] = set()
        self._generation = 0  # a reset voids the cache entries computed before it

    def reset(self, seed: int) -> None:
        """Policies restart (round-robin position, random draws from ``seed``) and the ICL cache
        is emptied: an experiment's starting state."""
        self._rng.seed(seed)
        self._policies.clear()
        self._cache.clear()
        self._generation += 1

    @staticmethod
    def known(name: str) -> bool:
        return name in ICL_MODES or name in DRL_POLICIES or has_policy(name)

    def _policy(self, name: str) -> Policy:
        if name not in self._policies:
            self._policies[name] = (
                self._load_drl(name) if name in DRL_POLICIES else create_policy(name, self._rng)
            )
        return self._policies[name]

    def _load_drl(self, name: str) -> Policy:
        path = self._config.drl_path(name)
        if path is None or not path.is_file():
            raise FileNotFoundError(f"no {name} model at {path}; train one: edgecloud sim train")
        from edgecloud.common.drl_model import load_drl_policy

        algorithm: Algorithm | None = "dqn" if name == "dqn" else "ppo" if name == "ppo" else None
        return load_drl_policy(path, algorithm)

    def _pool_or_none(self) -> tuple[Experience, ...] | None:
        if self._pool is None or not self._pool_fresh():
            return None
        return self._pool.snapshot()

    def _fallback(self, policy: str, state: TaskState, reason: str) -> Decision:
        self._metrics.fallbacks.labels(policy, reason).inc()
        greedy = self._greedy.decide(state)
        return Decision(greedy.route, policy, greedy.estimates_s, f"fallback to greedy: {reason}")

    async def decide(self, name: str, state: TaskState) -> Decision:
        if name in ICL_MODES:
            return await self._decide_icl(ICL_MODES[name] or self._config.mode, state)
        try:
            policy = self._policy(name)
        except (FileNotFoundError, ImportError):
            return self._fallback(name, state, FallbackReason.NO_MODEL)
        if policy.uses_pool:
            pool = self._pool_or_none()
            if pool is None:
                return self._fallback(name, state, FallbackReason.POOL_UNAVAILABLE)
            state = replace(state, pool=pool)
        return policy.decide(state)

    async def _decide_icl(self, mode: IclMode, state: TaskState) -> Decision:
        config = self._config
        greedy = self._greedy.decide(state)
        if self._rng.random() < config.epsilon:
            self._metrics.icl_explorations.inc()
            return Decision(self._rng.choice(list(Route)), ICL, greedy.estimates_s, "exploration")
        pool = self._pool_or_none()
        if self._icl is None or pool is None:
            reason = (
                FallbackReason.NO_DECISION_LLM
                if self._icl is None
                else FallbackReason.POOL_UNAVAILABLE
            )
            return self._fallback(ICL, state, reason)
        summary = StateSummary.of(state)
        if mode == "cached":
            return self._cached(summary, state, greedy)
        try:
            route = await asyncio.wait_for(self._ask(summary), config.timeout_s)
        except TimeoutError:
            return self._fallback(ICL, state, FallbackReason.TIMEOUT)
        except DecisionLlmError:
            return self._fallback(ICL, state, FallbackReason.LLM_ERROR)
        except InvalidAnswerError:
            return self._fallback(ICL, state, FallbackReason.INVALID_ANSWER)
        self._count(mode, route, greedy.route)
        return Decision(route, ICL, greedy.estimates_s, f"icl {mode} ({config.answer})")

    def _count(self, mode: str, route: Route, greedy_route: Route) -> None:
        agrees = "yes" if route is greedy_route else "no"
        self._metrics.icl_decisions.labels(mode, self._config.answer, agrees).inc()

    def _cached(self, summary: StateSummary, state: TaskState, greedy: Decision) -> Decision:
        key = summary.key()
        entry = self._cache.get(key)
        version = self._pool.version if self._pool else 0
        if entry is None or version - entry.pool_version >= self._config.cache_refresh_every:
            self._refresh_later(key, summary, version)
        if entry is None:
            return self._fallback(ICL, state, FallbackReason.CACHE_MISS)
        self._count("cached", entry.route, greedy.route)
        return Decision(entry.route, ICL, greedy.estimates_s, "icl cached")

    def _refresh_later(self, key: tuple[str, ...], summary: StateSummary, version: int) -> None:
        if key in self._computing:
            return
        self._computing.add(key)

        generation = self._generation

        async def compute() -> None:
            try:
                route = await asyncio.wait_for(self._ask(summary), self._config.timeout_s)
                if generation == self._generation:
                    self._cache[key] = _CacheEntry(route, version)
            except (TimeoutError, DecisionLlmError, InvalidAnswerError) as exc:
                self._metrics.fallbacks.labels(ICL, f"cache_{type(exc).__name__}").inc()
            finally:
                self._computing.discard(key)

        self._background.spawn(compute())

    async def _ask(self, summary: StateSummary) -> Route:
        assert self._icl is not None
        config = self._config
        examples: Examples = select_examples(
            self._pool.snapshot() if self._pool else (),
            summary,
            config.recommended,
            config.inadvisable,
            config.tau,
        )
        self._metrics.icl_selections.labels(examples.method.value).inc()
        messages = build_messages(state_line(summary), examples)
        if config.answer == "choice":
            async with self._admission():
                return parse_choice(await self._icl.choose(messages))
        if not config.calibrate:
            return best(choice_probabilities(await self._first_token_logprobs(messages)))
        content_free = build_messages(CONTENT_FREE_STATE, examples)
        scored, prior = await asyncio.gather(
            self._first_token_logprobs(messages), self._first_token_logprobs(content_free)
        )
        return best(calibrate(choice_probabilities(scored), choice_probabilities(prior)))

    async def _first_token_logprobs(self, messages: list[dict[str, str]]) -> Any:
        # Each engine request holds a slot of its own: calibration sends two at once.
        assert self._icl is not None
        async with self._admission():
            return await self._icl.first_token_logprobs(messages)
