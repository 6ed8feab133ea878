"""The weight type vLLM's CPU backend serves fastest on this host's processor.

vLLM's CPU backend defaults to bfloat16, which is fast where the processor computes in it (x86
with AVX-512, natively with AVX512_BF16 or AMX; ARM with the BF16 extension). Elsewhere (an
x86 host with AVX2 only, as some of these shared machines are) oneDNN cannot build its bfloat16
kernels ("Failed to create oneDNN linear, fallback to torch linear" in the engine's log) and every
layer runs on a slow fallback: SmolLM2 with a 471-token prompt took 2.6-3.2 s per 3-token answer
in bfloat16 and 0.75-1.4 s in float32 on such a host (AMD EPYC, AVX2). float32 costs twice the
weights' memory (SmolLM2 0.5 GB, Gemma 270M 1.1 GB), which these models can afford.
"""

from __future__ import annotations

from pathlib import Path

CPUINFO = Path("/proc/cpuinfo")
# x86 flags under which bfloat16 runs on vector units; ARM's "bf16" feature.
BFLOAT16_FLAGS = frozenset({"avx512f", "avx512_bf16", "amx_bf16", "bf16"})


def cpu_flags(cpuinfo: str) -> frozenset[str]:
    """The instruction-set flags of the first processor listed (x86 ``flags``, ARM ``Features``)."""
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("flags", "Features"):
            return frozenset(value.split())
    return frozenset()


def serving_dtype(flags: frozenset[str]) -> str:
    """bfloat16 where the processor computes in it, else float32."""
    return "bfloat16" if flags & BFLOAT16_FLAGS else "float32"


def host_serving_dtype(cpuinfo: Path = CPUINFO) -> str:
    """``serving_dtype`` for this host; float32 when its processor cannot be read."""
    try:
        return serving_dtype(cpu_flags(cpuinfo.read_text()))
    except OSError:
        return "float32"
