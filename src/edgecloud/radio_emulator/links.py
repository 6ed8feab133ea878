"""A wired link with propagation delay, serialisation at a fixed rate, and optional jitter.

Each direction is its own ``DelayLink``. Time is passed in, so the link is a pure model: the caller
asks when bytes sent at ``sent_at`` arrive, then waits until then. Arrivals keep their order.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass(slots=True)
class DelayLink:
    delay_s: float
    rate_bps: float
    jitter_s: float = 0.0
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    _busy_until: float = 0.0
    _last_arrival: float = 0.0

    def __post_init__(self) -> None:
        if self.delay_s < 0 or self.rate_bps <= 0 or self.jitter_s < 0:
            raise ValueError("delay and jitter must be >= 0 and the rate > 0")

    def arrival_time(self, n_bytes: int, sent_at: float) -> float:
        start = max(sent_at, self._busy_until)
        self._busy_until = start + n_bytes * 8 / self.rate_bps
        jitter = self.rng.uniform(0.0, self.jitter_s) if self.jitter_s else 0.0
        self._last_arrival = max(self._busy_until + self.delay_s + jitter, self._last_arrival)
        return self._last_arrival


@dataclass(slots=True)
class Backhaul:
    """The edge-to-cloud link: one ``DelayLink`` per direction."""

    uplink: DelayLink
    downlink: DelayLink

    @classmethod
    def symmetric(
        cls, delay_s: float, rate_bps: float, jitter_s: float = 0.0, seed: int = 0
    ) -> Backhaul:
        return cls(
            DelayLink(delay_s, rate_bps, jitter_s, random.Random(f"{seed}:up")),
            DelayLink(delay_s, rate_bps, jitter_s, random.Random(f"{seed}:down")),
        )
