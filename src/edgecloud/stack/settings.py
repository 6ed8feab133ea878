"""Settings of the local stack (environment prefix ``EDGECLOUD_STACK_``): ports, folders, policy."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import AnyHttpUrl, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from edgecloud.common.secret_fields import OptionalSecret
from edgecloud.icl import ICL_MODES


class StackEngine(StrEnum):
    """What serves the two tiers: real vLLM CPU servers with the bundled models, or the emulated
    engine with a hardware profile per tier."""

    REAL = "real"
    EMULATED = "emulated"


class StackSettings(BaseSettings):
    """Environment prefix ``EDGECLOUD_STACK_``."""

    model_config = SettingsConfigDict(env_prefix="EDGECLOUD_STACK_", extra="forbid")

    work_dir: Path = Path(".work")
    engine_python: Path = Path(".work/vllm-venv/bin/python")
    host: str = "127.0.0.1"
    radio_port: int = 8000
    orchestrator_port: int = 8001
    # Orchestrator replicas sharing Redis; the radio emulator takes them in turn and skips a failed
    # one. The second and later listen on orchestrator_port + 10, + 11, ...
    orchestrators: int = Field(default=1, ge=1, le=4)
    edge_port: int = 8101
    cloud_port: int = 8102
    redis_port: int = 6390
    prometheus_port: int = 9090
    policy: str = "greedy"
    engine: StackEngine = StackEngine.REAL
    edge_profile: str = Field(
        default="edge-l4-llama-3.2-1b", description="emulated edge engine: a profile or a file"
    )
    cloud_profile: str = Field(
        default="cloud-h100x4-llama-3.1-70b", description="emulated cloud engine: the same"
    )
    # ICL's decision LLM with emulated engines stays a real model: this URL, or else a bundled
    # model on vLLM, started when `decision_llm` says so (default: when the stack's policy is
    # an ICL policy). Without one, UEs cannot ask for ICL. With real engines it is the edge's.
    icl_url: AnyHttpUrl | None = None
    icl_model: str | None = None
    decision_llm: bool | None = None
    decision_llm_port: int = 8103
    decision_llm_model: Literal["smollm2-135m-instruct", "gemma-3-270m"] = Field(
        default="gemma-3-270m",
        description="the bundled model the stack's own decision LLM serves; Gemma agreed best "
        "with the oracle in `edgecloud icl eval --scenario paper` (README)",
    )
    # DQN and PPO models (`edgecloud sim train`) the orchestrator serves as `dqn` and `ppo`.
    dqn_model_path: Path | None = None
    ppo_model_path: Path | None = None
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

    @property
    def orchestrator_ports(self) -> list[int]:
        extra = [self.orchestrator_port + 10 + i for i in range(self.orchestrators - 1)]
        return [self.orchestrator_port, *extra]

    @property
    def redis_data_dir(self) -> Path:
        """Redis' append-only file: the history outlives a restart of Redis or of the stack."""
        return self.state_dir / "redis"

    @property
    def emulated(self) -> bool:
        return self.engine is StackEngine.EMULATED

    def starts_decision_llm(self) -> bool:
        """Whether the stack runs a bundled model as a decision LLM of its own."""
        if not self.emulated or self.icl_url is not None:
            return False
        if self.decision_llm is not None:
            return self.decision_llm
        return self.policy in ICL_MODES
