"""Small-scale block fading: power gains redrawn once per coherence interval.

Gains have unit mean, so they scale the large-scale received power: Rayleigh |h|^2 ~ Exp(1) (no
line of sight), Rician with K factor K (line of sight): h = sqrt(K/(K+1)) + sqrt(1/(K+1)) CN(0,1).
Randomness comes from the generator passed in.
"""

from __future__ import annotations

import math
import random
from enum import StrEnum


class Fading(StrEnum):
    NONE = "none"
    RAYLEIGH = "rayleigh"
    RICIAN = "rician"


def power_gain(kind: Fading, rng: random.Random, k_factor_db: float = 9.0) -> float:
    if kind is Fading.NONE:
        return 1.0
    if kind is Fading.RAYLEIGH:
        return rng.expovariate(1.0)
    k = 10 ** (k_factor_db / 10)
    scatter = math.sqrt(1 / (2 * (k + 1)))
    real = math.sqrt(k / (k + 1)) + rng.gauss(0.0, scatter)
    imag = rng.gauss(0.0, scatter)
    return real * real + imag * imag


def coherence_time_s(speed_mps: float, carrier_hz: float) -> float:
    """Clarke's rule of thumb T_c = 0.423 / f_D, capped at 1 s for (almost) static UEs."""
    doppler_hz = speed_mps * carrier_hz / 299_792_458.0
    return 1.0 if doppler_hz <= 0.423 else 0.423 / doppler_hz
