"""Offloading policies: pure objects behind one interface and a registry by name."""

from .base import Decision, Policy, TaskState, TierState
from .baseline import CloudOnly, EdgeOnly, RandomChoice
from .greedy import Greedy, estimate_service_delay_s
from .registry import UnknownPolicyError, create_policy, policy_names

__all__ = [
    "CloudOnly",
    "Decision",
    "EdgeOnly",
    "Greedy",
    "Policy",
    "RandomChoice",
    "TaskState",
    "TierState",
    "UnknownPolicyError",
    "create_policy",
    "estimate_service_delay_s",
    "policy_names",
]
