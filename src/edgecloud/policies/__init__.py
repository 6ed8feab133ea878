"""Offloading policies: pure objects behind one interface and a registry by name."""

from .base import Decision, Policy, TaskState, TierState
from .baseline import CloudOnly, EdgeOnly, RandomChoice
from .estimate import estimate_service_delay_s
from .experience import Experience, StateSummary, distance
from .greedy import Greedy
from .knn import KNearest
from .pool import ExperiencePool
from .registry import UnknownPolicyError, create_policy, has_policy, policy_names
from .round_robin import RoundRobin

__all__ = [
    "CloudOnly",
    "Decision",
    "EdgeOnly",
    "Experience",
    "ExperiencePool",
    "Greedy",
    "KNearest",
    "Policy",
    "RandomChoice",
    "RoundRobin",
    "StateSummary",
    "TaskState",
    "TierState",
    "UnknownPolicyError",
    "create_policy",
    "distance",
    "estimate_service_delay_s",
    "has_policy",
    "policy_names",
]
