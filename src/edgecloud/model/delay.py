"""The paper's delay model: eq. 1 (downlink transmission) and eq. 3 (generation)."""

from __future__ import annotations

from .tasks import Route

BITS_PER_BYTE = 8


def transmission_delay_s(
    n_tokens: int, bytes_per_token: float, rate_bps: float, route: Route, backhaul_delay_s: float
) -> float:
    """Eq. 1: ``n_tokens * s_token / C_ue + alpha * t_back``; ``s_token`` in bytes here."""
    if rate_bps <= 0:
        raise ValueError("rate_bps must be positive")
    return n_tokens * bytes_per_token * BITS_PER_BYTE / rate_bps + route.alpha * backhaul_delay_s


def generation_delay_s(n_tokens: int, ttft_s: float, tpot_s: float) -> float:
    """Eq. 3: ``TTFT + (n_tokens - 1) * TPOT``; no tokens means no generation time."""
    if n_tokens <= 0:
        return 0.0
    return ttft_s + (n_tokens - 1) * tpot_s
