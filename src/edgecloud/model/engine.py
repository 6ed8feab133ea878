"""Continuous batching in iterations, as vLLM's V1 scheduler runs it (pure: no clock, no I/O).

Each ``step()`` plans one engine iteration and applies it. Running requests go first, in the order
they were admitted: each gets the tokens it still needs (its prompt, in chunks of at most the token
budget, then one decode token per iteration). When the KV cache cannot hold a running request's new
tokens, the newest running request is preempted: its blocks are freed and it goes back to the front
of the queue, to recompute its prompt and what it generated so far (vLLM's recompute preemption).
Only in an iteration without preemption are waiting requests admitted, first come first served,
while sequences, token budget and KV blocks allow. A request samples a token at the end of every
iteration that completes its context (the last prompt chunk, then every decode step).

The iteration's duration comes from a :class:`StepTimeModel`; the caller advances its own clock by
it (the emulated server sleeps it, the simulator adds it), so the model never reads a clock.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from math import ceil


@dataclass(frozen=True, slots=True)
class StepTimeModel:
    """Duration of one iteration: ``a + b * prefill_tokens + c * decode_seqs + d * context_tokens
    + e * prefill_pairs``.

    Why this form: an iteration is one forward pass over every scheduled token. Its fixed part
    (``a``: reading the weights, launching the pass, the scheduler) does not depend on the batch;
    the dense layers of a prefill grow with the tokens it processes (``b``); each decoding sequence
    adds its own work and its sampling and output handling (``c``); a decode step's attention reads
    the whole KV cache of each decoding sequence (``d`` per context token, memory bound); a prefill
    chunk's attention relates each new token to every earlier one (``e`` per query-key pair,
    ``n * (computed + (n + 1) / 2)`` for ``n`` new tokens after ``computed``: compute bound, so it
    costs far less per pair than a decode's read, but it grows with the square of the prompt). On
    the bundled SmolLM2 a 1,400-token prompt takes 0.83 s to its first token, 30% more than a line
    through the short prompts predicts: without ``e`` long prompts come out too fast or short ones
    too slow. The form is linear in its coefficients, so least squares fits it from measured
    iterations (``edgecloud llm fit``); Vidur and Dynamo's mocker use the same ingredients.
    """

    base_s: float
    per_prefill_token_s: float
    per_decode_seq_s: float
    per_context_token_s: float
    per_prefill_pair_s: float = 0.0
    per_prefill_seq_s: float = 0.0

    def __post_init__(self) -> None:
        coefficients = (
            self.base_s,
            self.per_prefill_token_s,
            self.per_decode_seq_s,
            self.per_context_token_s,
            self.per_prefill_pair_s,
            self.per_prefill_seq_s,
        )
        if any(c < 0 for c in coefficients):
            raise ValueError("step-time coefficients must not be negative")

    def duration_s(
        self,
        prefill_tokens: int,
        decode_seqs: int,
        context_tokens: int,
        prefill_pairs: int = 0,
        prefill_seqs: int = 0,
    ) -> float:
        return (
            self.base_s
            + self.per_prefill_seq_s * prefill_seqs
            + self.per_prefill_token_s * prefill_tokens
            + self.per_decode_seq_s * decode_seqs
            + self.per_context_token_s * context_tokens
            + self.per_prefill_pair_s * prefill_pairs
        )


def prefill_pairs(computed_tokens: int, new_tokens: int) -> int:
    """Query-key pairs of causal attention for ``new_tokens`` after ``computed_tokens``."""
    return new_tokens * (2 * computed_tokens + new_tokens + 1) // 2


@dataclass(frozen=True, slots=True)
class EngineLimits:
    """The scheduler's bounds, named as vLLM's options (``--max-num-seqs`` and so on)."""

    max_num_seqs: int
    max_num_batched_tokens: int  # the token budget of one iteration (chunked prefill)
    kv_blocks: int
    block_size: int = 16
    max_model_len: int = 2048

    def __post_init__(self) -> None:
        if min(self.max_num_seqs, self.max_num_batched_tokens, self.kv_blocks) < 1:
            raise ValueError("max_num_seqs, max_num_batched_tokens and kv_blocks must be positive")
        if self.block_size < 1 or self.max_model_len < 1:
            raise ValueError("block_size and max_model_len must be positive")
        if self.kv_blocks * self.block_size < self.max_model_len:
            # vLLM refuses to start when one longest request cannot fit in the cache.
            raise ValueError("the KV cache must hold at least one request of max_model_len tokens")


class RequestTooLongError(ValueError):
    """Prompt plus answer exceed ``max_model_len`` (vLLM answers such a request with a 400)."""


@dataclass(slots=True)
class _Sequence:
    request_id: str
    prompt_tokens: int
    output_tokens: int
    computed_tokens: int = 0  # tokens whose KV is in the cache
    generated_tokens: int = 0
    blocks: int = 0
    prefilling: bool = True  # until it samples a token after (re)computing its context
    started: bool = False

    @property
    def context_tokens(self) -> int:
        return self.prompt_tokens + self.generated_tokens


@dataclass(frozen=True, slots=True)
class Iteration:
    """One planned iteration: its cost, and what is true at its end."""

    duration_s: float
    prefill_tokens: int
    decode_seqs: int
    context_tokens: int  # KV tokens the decoding sequences read
    prefill_pairs: int
    started: tuple[str, ...]  # scheduled for the first time (their queue time ends at its start)
    sampled: tuple[str, ...]  # produced one output token at its end
    first_token: tuple[str, ...]  # the first output token among them
    finished: tuple[str, ...]  # produced their last token
    preempted: tuple[str, ...]


@dataclass(slots=True)
class BatchEngine:
    step_time: StepTimeModel
    limits: EngineLimits
    _waiting: deque[_Sequence] = field(default_factory=deque)
    _running: list[_Sequence] = field(default_factory=list)
    _by_id: dict[str, _Sequence] = field(default_factory=dict)
    _used_blocks: int = 0

    @property
    def num_running(self) -> int:
        return len(self._running)

    @property
    def num_waiting(self) -> int:
        return len(self._waiting)

    @property
    def kv_usage(self) -> float:
        """Fraction of KV blocks in use (vLLM's ``kv_cache_usage_perc``, 0 to 1)."""
        return self._used_blocks / self.limits.kv_blocks

    def add(self, request_id: str, prompt_tokens: int, output_tokens: int) -> None:
        if prompt_tokens < 1 or output_tokens < 1:
            raise ValueError("a request needs at least one prompt token and one output token")
        if prompt_tokens + output_tokens > self.limits.max_model_len:
            raise RequestTooLongError(
                f"{prompt_tokens} prompt + {output_tokens} output tokens exceed "
                f"max_model_len {self.limits.max_model_len}"
            )
        if request_id in self._by_id:
            raise ValueError(f"request {request_id!r} is already in the engine")
        sequence = _Sequence(request_id, prompt_tokens, output_tokens)
        self._by_id[request_id] = sequence
        self._waiting.append(sequence)

    def abort(self, request_id: str) -> bool:
        """Drop a request (its client went away); False when it is not in the engine."""
        sequence = self._by_id.pop(request_id, None)
        if sequence is None:
            return False
        if sequence in self._running:
            self._running.remove(sequence)
        else:
            self._waiting.remove(sequence)
        self._free(sequence)
        return True

    def step(self) -> Iteration | None:
        """Plan and apply the next iteration; None when there is nothing to run."""
        budget = self.limits.max_num_batched_tokens
        scheduled: list[tuple[_Sequence, int]] = []
        preempted: list[_Sequence] = []
        index = 0
        while index < len(self._running) and budget > 0:
            sequence = self._running[index]
            tokens = min(sequence.context_tokens - sequence.computed_tokens, budget)
            if self._reserve(sequence, tokens, preempted):
                scheduled.append((sequence, tokens))
                budget -= tokens
                index += 1
        if not preempted:
            budget = self._admit(budget, scheduled)
        if not scheduled:
            return None
        return self._apply(scheduled, preempted)

    def _admit(self, budget: int, scheduled: list[tuple[_Sequence, int]]) -> int:
        while self._waiting and budget > 0 and len(self._running) < self.limits.max_num_seqs:
            sequence = self._waiting[0]
            tokens = min(sequence.context_tokens - sequence.computed_tokens, budget)
            if not self._fits(sequence, tokens):
                break
            self._waiting.popleft()
            self._allocate(sequence, tokens)
            self._running.append(sequence)
            scheduled.append((sequence, tokens))
            budget -= tokens
        return budget

    def _reserve(self, sequence: _Sequence, tokens: int, preempted: list[_Sequence]) -> bool:
        """Room for a running sequence's tokens, preempting the newest ones; False if it was."""
        while not self._fits(sequence, tokens):
            victim = self._running.pop()
            self._preempt(victim)
            preempted.append(victim)
            if victim is sequence:
                return False
        self._allocate(sequence, tokens)
        return True

    def _blocks_for(self, tokens: int) -> int:
        return ceil(tokens / self.limits.block_size)

    def _fits(self, sequence: _Sequence, tokens: int) -> bool:
        needed = self._blocks_for(sequence.computed_tokens + tokens) - sequence.blocks
        return self._used_blocks + needed <= self.limits.kv_blocks

    def _allocate(self, sequence: _Sequence, tokens: int) -> None:
        blocks = self._blocks_for(sequence.computed_tokens + tokens)
        self._used_blocks += blocks - sequence.blocks
        sequence.blocks = blocks

    def _free(self, sequence: _Sequence) -> None:
        self._used_blocks -= sequence.blocks
        sequence.blocks = 0

    def _preempt(self, sequence: _Sequence) -> None:
        self._free(sequence)
        sequence.computed_tokens = 0
        sequence.prefilling = True
        self._waiting.appendleft(sequence)

    def _apply(
        self, scheduled: list[tuple[_Sequence, int]], preempted: list[_Sequence]
    ) -> Iteration:
        prefill_tokens = sum(tokens for s, tokens in scheduled if s.prefilling)
        decode_seqs = sum(1 for s, _ in scheduled if not s.prefilling)
        prefill_seqs = len(scheduled) - decode_seqs
        context_tokens = sum(s.computed_tokens + 1 for s, _ in scheduled if not s.prefilling)
        pairs = sum(prefill_pairs(s.computed_tokens, n) for s, n in scheduled if s.prefilling)
        started = tuple(s.request_id for s, _ in scheduled if not s.started)
        sampled: list[str] = []
        first: list[str] = []
        finished: list[str] = []
        for sequence, tokens in scheduled:
            sequence.started = True
            sequence.computed_tokens += tokens
            if sequence.computed_tokens < sequence.context_tokens:
                continue  # a prompt chunk that is not the last one
            sequence.prefilling = False
            sequence.generated_tokens += 1
            sampled.append(sequence.request_id)
            if sequence.generated_tokens == 1:
                first.append(sequence.request_id)
            if sequence.generated_tokens == sequence.output_tokens:
                finished.append(sequence.request_id)
                self._running.remove(sequence)
                del self._by_id[sequence.request_id]
                self._free(sequence)
        return Iteration(
            duration_s=self.step_time.duration_s(
                prefill_tokens, decode_seqs, context_tokens, pairs, prefill_seqs
            ),
            prefill_tokens=prefill_tokens,
            decode_seqs=decode_seqs,
            context_tokens=context_tokens,
            prefill_pairs=pairs,
            started=started,
            sampled=tuple(sampled),
            first_token=tuple(first),
            finished=tuple(finished),
            preempted=tuple(s.request_id for s in preempted),
        )
