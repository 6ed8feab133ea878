"""Faults injected on demand into a running testbed: the local stack or a compose deployment."""

from .actions import Action, Backend, FaultError
from .campaign import Campaign, Event, Step, load_campaign, run_campaign, timeline

__all__ = [
    "Action",
    "Backend",
    "Campaign",
    "Event",
    "FaultError",
    "Step",
    "load_campaign",
    "run_campaign",
    "timeline",
]
