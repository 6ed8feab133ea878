"""The engine serves bfloat16 only where the processor computes in it."""

from __future__ import annotations

from pathlib import Path

import pytest

from edgecloud.llm.cpu_dtype import cpu_flags, host_serving_dtype, serving_dtype
from edgecloud.llm.launcher import vllm_command
from edgecloud.llm.settings import EngineSettings

AVX2_HOST = """processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC
flags\t\t: fpu sse sse2 avx avx2 fma
"""
AVX512_BF16_HOST = "processor\t: 0\nflags\t\t: avx2 avx512f avx512_bf16 amx_bf16\n"
ARM_HOST = "processor\t: 0\nFeatures\t: fp asimd sve bf16\n"
ARM_HOST_WITHOUT_BF16 = "processor\t: 0\nFeatures\t: fp asimd\n"


@pytest.mark.parametrize(
    ("cpuinfo", "dtype"),
    [
        (AVX2_HOST, "float32"),
        (AVX512_BF16_HOST, "bfloat16"),
        (ARM_HOST, "bfloat16"),
        (ARM_HOST_WITHOUT_BF16, "float32"),
        ("", "float32"),
    ],
)
def test_the_dtype_follows_the_processors_flags(cpuinfo: str, dtype: str) -> None:
    assert serving_dtype(cpu_flags(cpuinfo)) == dtype


def test_the_flags_are_the_first_processors_words() -> None:
    assert cpu_flags(AVX2_HOST) == {"fpu", "sse", "sse2", "avx", "avx2", "fma"}


def test_an_unreadable_cpuinfo_means_float32(tmp_path: Path) -> None:
    assert host_serving_dtype(tmp_path / "missing") == "float32"
    (tmp_path / "cpuinfo").write_text(AVX512_BF16_HOST)
    assert host_serving_dtype(tmp_path / "cpuinfo") == "bfloat16"


def test_the_engine_is_started_with_the_chosen_dtype() -> None:
    def dtype_of(settings: EngineSettings) -> str:
        argv = vllm_command(settings, Path("/models/x"), "x")
        return argv[argv.index("--dtype") + 1]

    assert dtype_of(EngineSettings(dtype="bfloat16")) == "bfloat16"
    assert dtype_of(EngineSettings(dtype="float32")) == "float32"
    assert dtype_of(EngineSettings()) == host_serving_dtype()
