"""The model-based delay estimate of one option (paper eqs. 1 and 3).

Greedy decides on it; the experience pool's states and DRL's observation carry it as features.
"""

from __future__ import annotations

from edgecloud.model.delay import generation_delay_s, transmission_delay_s
from edgecloud.model.tasks import Route

from .base import TaskState


def estimate_service_delay_s(state: TaskState, route: Route) -> float:
    """Estimated downlink-plus-generation delay of one option (paper eqs. 1 and 3).

    The uplink is the same for both options, so it does not change the choice and is left out.
    """
    tier = state.tier(route)
    n = state.expected_output_tokens
    return generation_delay_s(n, tier.ttft_s, tier.tpot_s) + transmission_delay_s(
        n, state.bytes_per_token, state.dl_rate_bps, route, state.backhaul_delay_s
    )
