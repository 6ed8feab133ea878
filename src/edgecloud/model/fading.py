"""Small-scale block fading: power gains redrawn once per coherence interval.

Gains have unit mean, so they scale the large-scale received power: Rayleigh |h|^2 ~ Exp(1) (no
line of sight), Rician with K factor K (line of sight): h = sqrt(K/(K+1)) + sqrt(1/(K+1)) CN(0,1).
Randomness comes from the generator passed in.
"""

from __future__ import annotations

import math
from enum import StrEnum

import numpy as np
import numpy.typing as npt


class Fading(StrEnum):
    NONE = "none"
    RAYLEIGH = "rayleigh"
    RICIAN = "rician"


def coherence_time_s(speed_mps: float, carrier_hz: float) -> float:
    """Clarke's rule of thumb T_c = 0.423 / f_D, capped at 1 s for (almost) static UEs."""
    doppler_hz = speed_mps * carrier_hz / 299_792_458.0
    return 1.0 if doppler_hz <= 0.423 else 0.423 / doppler_hz


def power_gains(
    kind: Fading, rng: np.random.Generator, shape: tuple[int, ...], k_factor_db: float = 9.0
) -> npt.NDArray[np.float64]:
    """Unit-mean power gains of ``kind`` for a whole array of independent blocks at once."""
    if kind is Fading.NONE:
        return np.ones(shape)
    if kind is Fading.RAYLEIGH:
        return rng.exponential(1.0, shape)
    k = 10 ** (k_factor_db / 10)
    scatter = math.sqrt(1 / (2 * (k + 1)))
    real = math.sqrt(k / (k + 1)) + rng.normal(0.0, scatter, shape)
    imag = rng.normal(0.0, scatter, shape)
    return np.asarray(real * real + imag * imag, dtype=np.float64)
