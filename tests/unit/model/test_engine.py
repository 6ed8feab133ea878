"""The continuous-batching timing model against cases worked out by hand."""

from __future__ import annotations

import random

import pytest

from edgecloud.model.engine import BatchEngine, EngineLimits, RequestTooLongError, StepTimeModel
from edgecloud.model.engine_timeline import Arrival, RequestTiming, run

LIMITS = EngineLimits(max_num_seqs=8, max_num_batched_tokens=512, kv_blocks=512)


def engine(
    base_s: float = 0.01,
    per_prefill_token_s: float = 0.0,
    per_decode_seq_s: float = 0.0,
    per_context_token_s: float = 0.0,
    limits: EngineLimits = LIMITS,
) -> BatchEngine:
    steps = StepTimeModel(base_s, per_prefill_token_s, per_decode_seq_s, per_context_token_s)
    return BatchEngine(steps, limits)


def timings(batch: BatchEngine, *arrivals: Arrival) -> dict[str, RequestTiming]:
    return run(batch, arrivals)


def test_a_lone_request_takes_one_iteration_per_token() -> None:
    # Prefill of 100 tokens: 0.01 + 100 * 0.001 = 0.11 s, then one token per 0.01 s plus the
    # context read (101, 102 tokens: 0.0101 and 0.0102 s of attention).
    done = timings(engine(0.01, 0.001, 0.0, 0.0001), Arrival("a", 0.0, 100, 3))["a"]
    assert done.queue_s == 0.0
    assert done.ttft_s == pytest.approx(0.11)
    assert done.inter_token_s == pytest.approx([0.0201, 0.0202])
    assert done.e2e_s == pytest.approx(0.11 + 0.0201 + 0.0202)


def test_prefill_attention_grows_with_the_square_of_the_prompt() -> None:
    steps = StepTimeModel(0.0, 0.0, 0.0, 0.0, per_prefill_pair_s=1e-6)
    limits = EngineLimits(8, max_num_batched_tokens=600, kv_blocks=512, max_model_len=4096)

    def ttft_s(prompt_tokens: int) -> float:
        return run(BatchEngine(steps, limits), [Arrival("a", 0.0, prompt_tokens, 1)])["a"].ttft_s

    # 1000 tokens in chunks of 600 and 400: 600 * 601 / 2 + 400 * (2 * 600 + 401) / 2 pairs,
    # which is every pair of the whole prompt, 1000 * 1001 / 2.
    assert ttft_s(1000) == pytest.approx(1000 * 1001 / 2 * 1e-6)
    assert ttft_s(1000) / ttft_s(500) == pytest.approx(1000 * 1001 / (500 * 501))


def test_a_request_queues_while_the_sequences_are_full() -> None:
    limits = EngineLimits(max_num_seqs=1, max_num_batched_tokens=512, kv_blocks=512)
    done = timings(engine(limits=limits), Arrival("a", 0.0, 10, 3), Arrival("b", 0.0, 10, 3))
    assert done["a"].token_times_s == pytest.approx([0.01, 0.02, 0.03])
    # b is admitted in the iteration after a's last one.
    assert done["b"].queue_s == pytest.approx(0.03)
    assert done["b"].ttft_s == pytest.approx(0.04)
    assert done["b"].e2e_s == pytest.approx(0.06)


def test_a_short_prompt_waits_behind_a_long_chunked_prefill() -> None:
    limits = EngineLimits(
        max_num_seqs=8, max_num_batched_tokens=512, kv_blocks=512, max_model_len=4096
    )
    done = timings(
        engine(0.01, 0.001, limits=limits),
        Arrival("long", 0.0, 2048, 2),
        Arrival("short", 0.0, 16, 2),
    )
    # Four chunks of 512 tokens take the whole budget (0.522 s each); the short prompt is admitted
    # with the long one's first decode step: 0.01 + 16 * 0.001.
    assert done["long"].ttft_s == pytest.approx(4 * 0.522)
    assert done["short"].queue_s == pytest.approx(4 * 0.522)
    assert done["short"].ttft_s == pytest.approx(4 * 0.522 + 0.026)


def test_inter_token_latency_grows_with_the_batch() -> None:
    def gap_s(streams: int) -> float:
        arrivals = [Arrival(f"r{i}", 0.0, 8, 5) for i in range(streams)]
        done = run(engine(0.01, 0.0, 0.002), arrivals)
        gaps = {gap for timing in done.values() for gap in timing.inter_token_s}
        assert len({round(g, 9) for g in gaps}) == 1
        return gaps.pop()

    assert gap_s(1) == pytest.approx(0.012)
    assert gap_s(4) == pytest.approx(0.018)


def test_the_newest_sequence_is_preempted_when_the_kv_cache_is_full() -> None:
    # Four blocks of 16 tokens. Each request needs 16 prompt + 32 output tokens (3 blocks at the
    # end): together they outgrow the cache when the older one needs its third block.
    limits = EngineLimits(max_num_seqs=8, max_num_batched_tokens=512, kv_blocks=4, max_model_len=64)
    batch = engine(0.01, limits=limits)
    done = run(batch, [Arrival("old", 0.0, 16, 32), Arrival("new", 0.0, 16, 32)])
    assert done["old"].preemptions == 0
    assert done["new"].preemptions == 1
    assert len(done["new"].token_times_s) == 32
    # The old request never stalls; the new one waits for it to finish, then recomputes.
    assert max(done["old"].inter_token_s) == pytest.approx(0.01)
    assert max(done["new"].inter_token_s) > 0.1
    assert done["new"].finished_s is not None
    assert done["old"].finished_s is not None
    assert done["new"].finished_s > done["old"].finished_s
    assert batch.kv_usage == 0.0


def test_kv_usage_and_abort() -> None:
    batch = engine()
    batch.add("a", 100, 10)  # 7 blocks of 16 once its prompt is in
    iteration = batch.step()
    assert iteration is not None
    assert iteration.first_token == ("a",)
    assert batch.kv_usage == pytest.approx(7 / 512)
    assert batch.abort("a") is True
    assert batch.abort("a") is False
    assert batch.kv_usage == 0.0
    assert batch.step() is None


def test_a_request_longer_than_the_model_is_refused() -> None:
    with pytest.raises(RequestTooLongError):
        engine().add("a", 2000, 100)


def test_equal_seeds_give_equal_timings() -> None:
    def timings_for(seed: int) -> list[tuple[float, list[float]]]:
        rng = random.Random(seed)
        clock_s = 0.0
        arrivals = []
        for i in range(40):
            clock_s += rng.expovariate(20.0)
            arrivals.append(Arrival(f"r{i}", clock_s, rng.randint(10, 400), rng.randint(1, 60)))
        done = run(engine(0.01, 0.0002, 0.001, 0.00001), arrivals)
        return [(t.ttft_s, t.token_times_s) for t in done.values()]

    assert timings_for(7) == timings_for(7)
    assert timings_for(7) != timings_for(8)
