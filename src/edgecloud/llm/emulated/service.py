"""One emulated engine: requests planned (tokens, length, fault), run through the engine model in
real time, and measured under vLLM's metric names."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable
from random import Random

from edgecloud.api.errors import APIError, BadRequestError, NotFoundError, ServiceUnavailableError
from edgecloud.api.openai import ChatCompletionRequest
from edgecloud.model.classify import classify
from edgecloud.model.engine import BatchEngine, Iteration
from edgecloud.model.tasks import TaskType

from . import completions
from .completions import Plan
from .faults import FaultInjector
from .metrics import EngineMetrics
from .profile import EngineProfile
from .runner import EngineRunner, Token
from .settings import EmulatorSettings, FaultKind
from .text import TextSource, token_text


class InjectedServerError(APIError):
    status_code = 500
    error_type = "internal_server_error"


class InjectedStreamAbortError(Exception):
    """Raised inside a stream to cut the connection, as a crashing engine would."""


class EmulatedEngine:
    def __init__(
        self,
        profile: EngineProfile,
        settings: EmulatorSettings,
        registry_metrics: EngineMetrics,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.profile = profile
        self.model_name = settings.served_model_name or profile.served_model_name
        self.metrics = registry_metrics
        self._clock = clock
        self._ready_at_s = clock() + settings.startup_delay_s
        self._lengths = Random(f"{settings.seed}:lengths")
        self._faults = FaultInjector(settings.error_rates, Random(f"{settings.seed}:faults"))
        self._text = TextSource(Random(f"{settings.seed}:text"))
        self._scheduled_s: dict[str, float] = {}
        self._front_end = asyncio.Lock()
        self.runner = EngineRunner(
            BatchEngine(profile.step_time(), profile.engine_limits()), self, clock
        )

    @property
    def ready(self) -> bool:
        return self._clock() >= self._ready_at_s

    def plan(self, request: ChatCompletionRequest) -> tuple[Plan, FaultKind | None]:
        """Validate a request as vLLM would and decide its token counts; raises an APIError."""
        if not self.ready:
            raise ServiceUnavailableError("the engine is starting", code="starting")
        if request.model != self.model_name:
            raise NotFoundError(f"The model `{request.model}` does not exist.", param="model")
        if request.n != 1 or request.logprobs:
            raise BadRequestError("the emulated engine generates one choice without logprobs")
        limits = self.profile.limits
        text = request.prompt_text()
        prompt_tokens = self.profile.api.prompt_tokens(len(text))
        room = limits.max_model_len - prompt_tokens
        limit = request.token_limit if request.token_limit is not None else room
        if prompt_tokens + limit > limits.max_model_len:
            raise BadRequestError(
                f"This model's maximum context length is {limits.max_model_len} tokens. However, "
                f"you requested {prompt_tokens + limit} tokens ({prompt_tokens} in the messages, "
                f"{limit} in the completion).",
                param="max_tokens",
            )
        extra = request.model_extra or {}
        if extra.get("ignore_eos") is True:
            output_tokens = limit
        else:
            task = _task_type(request, text)
            output_tokens = min(limit, self.profile.answer_length(task).draw(self._lengths))
        plan = Plan(
            request_id=f"chatcmpl-{uuid.uuid4().hex}",
            model=self.model_name,
            created=int(time.time()),
            prompt_tokens=prompt_tokens,
            output_tokens=output_tokens,
            finish_reason="length" if output_tokens == limit else "stop",
            include_usage=bool(request.stream_options and request.stream_options.include_usage),
        )
        fault = self._faults.draw()
        if fault is FaultKind.SERVER_ERROR:
            raise InjectedServerError("injected server error", code="injected_fault")
        if fault is FaultKind.OVERLOADED:
            raise ServiceUnavailableError("injected overload", code="injected_fault")
        return plan, fault

    async def tokens(self, plan: Plan) -> AsyncIterator[tuple[Token, str]]:
        """The answer's tokens and their text as the engine produces them, measured."""
        arrival_s = self._clock()
        # vLLM's API server prepares requests one at a time (chat template and tokenizer on one
        # event loop): a burst of requests reaches the engine spread out, not all at once.
        async with self._front_end:
            await asyncio.sleep(self.profile.api.request_overhead_s)
        words = self._text.words()
        first_s = previous_s = arrival_s
        try:
            async for token in self.runner.generate(
                plan.request_id, plan.prompt_tokens, plan.output_tokens
            ):
                if token.index == 0:
                    first_s = token.at_s
                    self.metrics.first_token(token.at_s - arrival_s)
                else:
                    self.metrics.inter_token(token.at_s - previous_s)
                previous_s = token.at_s
                if token.last:
                    scheduled_s = self._scheduled_s.get(plan.request_id, arrival_s)
                    self.metrics.finished(plan, arrival_s, scheduled_s, first_s, token.at_s)
                yield token, token_text(words, token.index)
        finally:
            self._scheduled_s.pop(plan.request_id, None)

    # The runner's observer.
    def started(self, request_id: str, at_s: float) -> None:
        self._scheduled_s[request_id] = at_s

    def iteration(self, iteration: Iteration, engine: BatchEngine) -> None:
        self.metrics.observe_iteration(iteration, engine)

    def preempted(self, count: int) -> None:
        self.metrics.observe_preemptions(count)

    async def stream(self, plan: Plan, fault: FaultKind | None) -> AsyncIterator[bytes]:
        """The answer as vLLM's server-sent events."""
        yield completions.chunk(plan, {"role": "assistant", "content": ""})
        cut_at = plan.output_tokens // 2 if fault is FaultKind.STREAM_ABORT else None
        async for token, text in self.tokens(plan):
            if token.index == cut_at:
                raise InjectedStreamAbortError(plan.request_id)
            finish = plan.finish_reason if token.last else None
            yield completions.chunk(plan, {"content": text}, finish)
        if plan.include_usage:
            yield completions.usage_chunk(plan)
        yield completions.DONE

    async def complete(self, plan: Plan, fault: FaultKind | None) -> dict[str, object]:
        parts = [text async for _, text in self.tokens(plan)]
        if fault is FaultKind.STREAM_ABORT:
            raise InjectedStreamAbortError(plan.request_id)
        return completions.completion(plan, "".join(parts))


def _task_type(request: ChatCompletionRequest, text: str) -> TaskType:
    declared = (request.metadata or {}).get("task_type")
    try:
        return TaskType(declared) if declared else classify(text)
    except ValueError:
        return classify(text)
