"""The testbed as local processes: what runs (``services``), supervised for ``edgecloud up``
(``supervisor``), waited for (``readiness``), and process groups for benchmarks and tests
(``processes``)."""

from .binaries import BinaryNotFoundError, prometheus, redis_command, redis_server
from .processes import Processes, free_port
from .prometheus import prometheus_config
from .readiness import is_ready, wait_ready
from .secrets_files import ensure_secrets
from .services import ServiceSpec, cpu_split, stack_services, uvicorn_command
from .settings import StackSettings
from .supervisor import Supervisor, supervisord_config

__all__ = [
    "BinaryNotFoundError",
    "Processes",
    "ServiceSpec",
    "StackSettings",
    "Supervisor",
    "cpu_split",
    "ensure_secrets",
    "free_port",
    "is_ready",
    "prometheus",
    "prometheus_config",
    "redis_command",
    "redis_server",
    "stack_services",
    "supervisord_config",
    "uvicorn_command",
    "wait_ready",
]
