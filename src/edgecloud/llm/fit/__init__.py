"""Calibration: measure a real OpenAI-compatible engine and fit the emulated engine's profile."""

from .measure import Measurement, measure
from .solve import FitResult, fit_profile
from .workload import FitWorkload

__all__ = ["FitResult", "FitWorkload", "Measurement", "fit_profile", "measure"]
