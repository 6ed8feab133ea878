"""The pure system model: radio, delays, tasks and quality, rewards. No I/O, no clock."""

from .capacity import LinkAbstraction, sinr_db
from .channel import Scenario, los_probability, noise_power_dbm, path_loss_db
from .delay import generation_delay_s, transmission_delay_s
from .nr import Carrier
from .reward import DEFAULT_VIOLATION_PENALTY_S, reward
from .tasks import DEFAULT_QUALITY, QualityTable, Route, TaskType

__all__ = [
    "DEFAULT_QUALITY",
    "DEFAULT_VIOLATION_PENALTY_S",
    "Carrier",
    "LinkAbstraction",
    "QualityTable",
    "Route",
    "Scenario",
    "TaskType",
    "generation_delay_s",
    "los_probability",
    "noise_power_dbm",
    "path_loss_db",
    "reward",
    "sinr_db",
    "transmission_delay_s",
]
