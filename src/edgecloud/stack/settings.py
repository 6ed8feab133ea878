"""Settings of the local stack (environment prefix ``EDGECLOUD_STACK_``): ports, folders, policy."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from edgecloud.common.secret_fields import OptionalSecret


class StackSettings(BaseSettings):
    """Environment prefix ``EDGECLOUD_STACK_``."""

    model_config = SettingsConfigDict(env_prefix="EDGECLOUD_STACK_", extra="forbid")

    work_dir: Path = Path(".work")
    engine_python: Path = Path(".work/vllm-venv/bin/python")
    host: str = "127.0.0.1"
    radio_port: int = 8000
    orchestrator_port: int = 8001
    edge_port: int = 8101
    cloud_port: int = 8102
    redis_port: int = 6390
    prometheus_port: int = 9090
    policy: str = "greedy"
    enforce_eager: bool = True
    kv_cache_gib: float = Field(default=1.0, gt=0)
    with_prometheus: bool = True
    seed: int = 0
    state_dir_name: str = Field(
        default="stack", description="folder of logs and config in work_dir"
    )
    prometheus_scrape_interval_s: int = Field(default=5, ge=1)
    prometheus_rules_dir: Path = Field(
        default=Path("deploy/prometheus/rules"), description="recording rules, shared with compose"
    )
    # The radio emulator's admin token and the radio-orchestrator shared secret; `edgecloud up`
    # generates each into state_dir when unset.
    admin_token: OptionalSecret = None
    shared_secret: OptionalSecret = None

    @property
    def state_dir(self) -> Path:
        return self.work_dir / self.state_dir_name
