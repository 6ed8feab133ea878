"""The fit recovers the step model of an engine whose timing it knows (requests replayed through
the engine model itself), and a profile round-trips through its file."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from edgecloud.llm.emulated.profile import (
    EngineProfile,
    ProfileError,
    SchedulerLimits,
    bundled_profiles,
    load_profile,
)
from edgecloud.llm.fit.measure import Measurement
from edgecloud.llm.fit.solve import fit_profile
from edgecloud.llm.fit.workload import FitWorkload
from edgecloud.model.engine import BatchEngine, StepTimeModel
from edgecloud.model.engine_timeline import Arrival, front_end_arrivals, run

TRUE_STEP = StepTimeModel(0.03, 3e-4, 5e-4, 2e-6, 3e-7)
OVERHEAD_S = 0.012
LIMITS = SchedulerLimits(max_num_seqs=128, max_num_batched_tokens=2048, kv_blocks=400,
                         block_size=128, max_model_len=2048)  # fmt: skip
TEMPLATE_TOKENS = 30
CHARS_PER_TOKEN = 4.5


def synthetic_measurements(workload: FitWorkload) -> list[Measurement]:
    """What a client would have seen from an engine that is exactly TRUE_STEP."""
    measurements = []
    clock_s = 0.0
    rounds = itertools.product(range(workload.rounds), workload.cells())
    for batch, (_, cell) in enumerate(rounds, start=1):
        sent = [clock_s + 0.0005 * i for i in range(cell.concurrency)]
        at = front_end_arrivals([s - clock_s for s in sent], OVERHEAD_S)
        prompt_tokens = cell.prompt_tokens + TEMPLATE_TOKENS
        arrivals = [
            Arrival(str(i), a, prompt_tokens, workload.output_tokens) for i, a in enumerate(at)
        ]
        done = run(BatchEngine(TRUE_STEP, LIMITS.engine_limits()), arrivals)
        for i, sent_s in enumerate(sent):
            chars = round(cell.prompt_tokens * CHARS_PER_TOKEN)
            measurements.append(
                Measurement(
                    cell.concurrency,
                    cell.prompt_tokens,
                    batch,
                    chars,
                    prompt_tokens,
                    sent_s,
                    [clock_s + t for t in done[str(i)].token_times_s],
                )
            )
        clock_s = max(m.token_times_s[-1] for m in measurements) + 1.0
    return measurements


def test_the_fit_recovers_a_known_engine() -> None:
    fit = fit_profile(synthetic_measurements(FitWorkload(rounds=1)), LIMITS)
    assert fit.worst_cell_error < 0.03
    assert fit.step.base_s == pytest.approx(TRUE_STEP.base_s, rel=0.1)
    assert fit.step.per_decode_seq_s == pytest.approx(TRUE_STEP.per_decode_seq_s, rel=0.25)
    assert fit.step.per_prefill_token_s == pytest.approx(TRUE_STEP.per_prefill_token_s, rel=0.25)
    assert fit.api.request_overhead_s == pytest.approx(OVERHEAD_S, abs=0.005)
    assert fit.api.template_tokens == TEMPLATE_TOKENS
    assert fit.api.chars_per_token == pytest.approx(CHARS_PER_TOKEN, rel=0.02)


def test_a_fitted_profile_round_trips_through_its_file(tmp_path: Path) -> None:
    profile = load_profile("edge-l4-llama-3.2-3b")
    path = tmp_path / "mine.toml"
    path.write_text(profile.to_toml())
    assert load_profile(path) == profile
    assert load_profile(str(path)) == profile


def test_every_bundled_profile_says_where_its_numbers_come_from() -> None:
    names = bundled_profiles()
    assert {"edge-l4-llama-3.2-3b", "cloud-h100x4-llama-3.1-70b"} <= set(names)
    assert {"smollm2-135m-cpu", "gemma-3-270m-cpu"} <= set(names)
    for name in names:
        profile = load_profile(name)
        assert profile.name == name
        assert len(profile.source) > 100
        profile.engine_limits()  # the cache holds a longest request


def test_the_cpu_profiles_stand_for_the_bundled_models() -> None:
    from edgecloud.llm.catalog import BUNDLED_MODELS
    from edgecloud.model import Route

    for tier, name in ((Route.EDGE, "smollm2-135m-cpu"), (Route.CLOUD, "gemma-3-270m-cpu")):
        profile = load_profile(name)
        assert profile.served_model_name == BUNDLED_MODELS[tier].name
        assert "edgecloud llm fit" in profile.source


def test_an_unknown_or_broken_profile_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="known:"):
        load_profile("no-such-profile")
    broken = tmp_path / "broken.toml"
    broken.write_text('name = "x"\n[step]\nbase_s = -1\n')
    with pytest.raises(ProfileError, match="not valid"):
        load_profile(broken)
    assert isinstance(load_profile("edge-l4-llama-3.2-3b"), EngineProfile)
