"""Settings of the orchestrator (environment prefix ``EDGECLOUD_ORCH_``).

Example: ``EDGECLOUD_ORCH_CLOUD_URL=http://radio-emulator:8000/backhaul``.
"""

from __future__ import annotations

import socket
from pathlib import Path

from pydantic import AnyHttpUrl, BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from edgecloud.common.secret_fields import OptionalSecret
from edgecloud.icl.config import DecisionConfig, IclAnswer, IclMode
from edgecloud.model.reward import DEFAULT_VIOLATION_PENALTY_S
from edgecloud.model.tasks import Route

_ICL = DecisionConfig()


class TierConfig(BaseModel):
    url: AnyHttpUrl = Field(description="OpenAI-compatible base URL, without /v1")
    model: str = Field(description="the model name the server serves")
    stop: list[str] = Field(default_factory=list, description="stop strings added to requests")
    # Priors for the delay estimates until measurements arrive (CPU values of the bundled models).
    ttft_prior_s: float = Field(default=0.05, gt=0)
    tpot_prior_s: float = Field(default=0.016, gt=0)
    max_in_flight: int = Field(default=32, ge=1, description="concurrent requests sent to the tier")


class OrchestratorSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EDGECLOUD_ORCH_", extra="forbid")

    # Flat fields rather than nested models, so setting one from the environment keeps the
    # defaults of the others.
    edge_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8101")
    edge_model: str = "smollm2-135m-instruct"
    edge_stop: list[str] = Field(default_factory=list)
    edge_ttft_prior_s: float = Field(default=0.05, gt=0)
    edge_tpot_prior_s: float = Field(default=0.016, gt=0)
    edge_max_in_flight: int = Field(default=32, ge=1)
    cloud_url: AnyHttpUrl = Field(
        default=AnyHttpUrl("http://127.0.0.1:8000/backhaul"),
        description="reached through the radio emulator's backhaul in the default deployment",
    )
    cloud_model: str = "gemma-3-270m"
    # Gemma 3 270M is a base model: it must stop at the next turn of its transcript template.
    cloud_stop: list[str] = Field(default_factory=lambda: ["\nUser:"])
    cloud_ttft_prior_s: float = Field(default=0.06, gt=0)
    cloud_tpot_prior_s: float = Field(default=0.022, gt=0)
    cloud_max_in_flight: int = Field(default=32, ge=1)
    redis_url: str = "redis://127.0.0.1:6390/0"
    # Shared with the radio emulator (its ``shared_secret``): radio headers are believed only when
    # signed with it, and it is the token the backhaul asks for. Unset: no radio header is believed.
    shared_secret: OptionalSecret = None
    # The admin API (POST /admin/reset, for experiments) answers only this bearer token; unset,
    # it refuses every call.
    admin_token: OptionalSecret = None
    default_policy: str = "greedy"
    seed: int = 0
    # The replica's name as a consumer of delivery reports: stable across restarts (a restarted
    # replica finds its own pending reports); give each replica on one host its own.
    instance_id: str = Field(default_factory=socket.gethostname, min_length=1, max_length=200)

    default_max_tokens: int = Field(default=256, ge=1, le=8192)
    # Tokens one request may ask the engine for over all its choices (n x max_tokens): a UE
    # asking for 8 x 8,192 would hold an engine for minutes. More is a 400.
    max_generated_tokens: int = Field(default=8192, ge=1)
    # The paper's t_back: the extra delay of the cloud path, both directions of the backhaul.
    backhaul_delay_s: float = Field(default=0.040, ge=0)
    # Radio state assumed for requests that do not come through the radio emulator.
    default_dl_rate_bps: float = Field(default=100e6, gt=0)
    default_ul_rate_bps: float = Field(default=50e6, gt=0)
    # Bytes on the air per generated token: one SSE event when streaming, a few bytes of JSON else.
    sse_bytes_per_token: float = Field(default=180.0, gt=0)
    json_bytes_per_token: float = Field(default=5.0, gt=0)
    ewma_weight: float = Field(default=0.2, gt=0, le=1)
    violation_penalty_s: float = Field(default=DEFAULT_VIOLATION_PENALTY_S, ge=0)

    # Larger requests are refused before any route runs (413 and 431).
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    max_header_bytes: int = Field(default=16_384, ge=1024)
    connect_timeout_s: float = Field(default=2.0, gt=0)
    read_timeout_s: float = Field(default=120.0, gt=0)

    history_stream: str = "edgecloud:history"
    history_maxlen: int = Field(default=50_000, ge=100)
    delivery_stream: str = "edgecloud:delivery"
    delivery_group: str = "orchestrators"
    join_timeout_s: float = Field(default=10.0, gt=0, description="wait for a delivery report")
    # Reports a replica read and did not acknowledge for this long are claimed by another.
    report_claim_idle_s: float = Field(default=30.0, gt=0)
    # History writes kept in memory while Redis is unreachable, replayed in order when it is back.
    history_spool_max: int = Field(default=20_000, ge=0)
    # At shutdown (after uvicorn's graceful wait for open streams) pending writes get this long.
    shutdown_drain_s: float = Field(default=10.0, gt=0)

    # A request waits at most this long for a tier's admission slot, then gets a 503 with
    # Retry-After (both tiers full is overload, and waiting forever hides it).
    admission_timeout_s: float = Field(default=10.0, gt=0)
    # Resilience: a tier that fails is avoided for cooldown_s; its load is polled from /metrics.
    cooldown_s: float = Field(default=10.0, ge=0)
    load_poll_s: float = Field(default=1.0, gt=0)
    history_write_attempts: int = Field(default=3, ge=1)

    # The experience pool kept in memory for kNN and ICL, refreshed from the shared Redis stream.
    pool_size: int = Field(default=2000, ge=10)
    pool_refresh_s: float = Field(default=1.0, gt=0)
    pool_stale_after_s: float = Field(default=30.0, gt=0, description="then fall back to greedy")

    # ICL (the paper's policy): the defaults and their meaning are icl.config.DecisionConfig's.
    # The decision LLM defaults to the edge tier's server.
    icl_mode: IclMode = _ICL.mode
    icl_answer: IclAnswer = _ICL.answer
    icl_calibrate: bool = _ICL.calibrate
    icl_url: AnyHttpUrl | None = None
    icl_model: str | None = None
    # A decision LLM of its own (icl_url) takes at most this many calls at once; more wait, within
    # icl_timeout_s, then fall back to greedy (counted): no UE can flood it.
    icl_max_in_flight: int = Field(default=4, ge=1, le=256)
    icl_timeout_s: float = Field(default=_ICL.timeout_s, gt=0)
    icl_epsilon: float = Field(default=_ICL.epsilon, ge=0, le=1)
    icl_recommended: int = Field(default=_ICL.recommended, ge=0, le=16)
    icl_inadvisable: int = Field(default=_ICL.inadvisable, ge=0, le=16)
    icl_tau: float = Field(default=_ICL.tau, ge=0)
    icl_cache_refresh_every: int = Field(default=_ICL.cache_refresh_every, ge=1)

    # The DRL policy serves a model trained by `edgecloud sim train` (needs the `drl` extra).
    drl_model_path: Path | None = None
    # The `dqn` and `ppo` policies: one model of each (an experiment compares them side by side).
    dqn_model_path: Path | None = None
    ppo_model_path: Path | None = None

    def decision_config(self) -> DecisionConfig:
        """The decider's configuration: the ``icl_*`` fields and the DRL model."""
        return DecisionConfig(
            mode=self.icl_mode,
            answer=self.icl_answer,
            calibrate=self.icl_calibrate,
            timeout_s=self.icl_timeout_s,
            epsilon=self.icl_epsilon,
            recommended=self.icl_recommended,
            inadvisable=self.icl_inadvisable,
            tau=self.icl_tau,
            cache_refresh_every=self.icl_cache_refresh_every,
            drl_model_path=self.drl_model_path,
            dqn_model_path=self.dqn_model_path,
            ppo_model_path=self.ppo_model_path,
        )

    def tier(self, route: Route) -> TierConfig:
        """The configuration of the edge or the cloud tier's endpoint."""
        name = route.value
        return TierConfig(
            url=getattr(self, f"{name}_url"),
            model=getattr(self, f"{name}_model"),
            stop=getattr(self, f"{name}_stop"),
            ttft_prior_s=getattr(self, f"{name}_ttft_prior_s"),
            tpot_prior_s=getattr(self, f"{name}_tpot_prior_s"),
            max_in_flight=getattr(self, f"{name}_max_in_flight"),
        )
