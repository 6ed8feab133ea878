"""The policy interface: a pure function of the task state, shared by orchestrator and simulator."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from edgecloud.model.tasks import Route, TaskType

if TYPE_CHECKING:
    from .experience import Experience


@dataclass(frozen=True, slots=True)
class TierState:
    """What the orchestrator knows about one LLM tier when it decides."""

    ttft_s: float
    tpot_s: float
    quality: float
    in_flight: int = 0
    waiting: int = 0  # the engine's queue (vLLM's num_requests_waiting), when known
    available: bool = True


@dataclass(frozen=True, slots=True)
class TaskState:
    """The state ``s`` of one generation task at decision time.

    ``backhaul_delay_s`` is the paper's ``t_back``: the extra delay of the cloud path (both
    directions). Rates are the UE's current air-interface rates.
    """

    task_type: TaskType
    quality_required: float
    expected_output_tokens: int
    prompt_tokens: int
    dl_rate_bps: float
    ul_rate_bps: float
    sinr_db: float
    backhaul_delay_s: float
    bytes_per_token: float
    edge: TierState
    cloud: TierState
    # Past decisions, for policies that learn from them (kNN, ICL); empty for the others.
    pool: tuple[Experience, ...] = ()

    def tier(self, route: Route) -> TierState:
        return self.edge if route is Route.EDGE else self.cloud


@dataclass(frozen=True, slots=True)
class Decision:
    route: Route
    policy: str
    # Estimated service delay per route, when the policy computed one (greedy, ICL...).
    estimates_s: dict[Route, float] = field(default_factory=dict)
    note: str = ""


class Policy(Protocol):
    """An offloading policy. ``decide`` must be pure: no I/O, no clock, randomness injected."""

    name: str
    uses_pool: bool

    def decide(self, state: TaskState) -> Decision: ...
