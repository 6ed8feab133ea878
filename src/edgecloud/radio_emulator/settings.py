"""Settings of the radio emulator (environment prefix ``EDGECLOUD_RADIO_``)."""

from __future__ import annotations

from dataclasses import fields
from typing import Literal

from pydantic import AnyHttpUrl, Field, TypeAdapter, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from edgecloud.common.secret_fields import OptionalSecret
from edgecloud.icl import DRL_POLICIES, ICL_MODES
from edgecloud.model.channel import Scenario
from edgecloud.model.fading import Fading
from edgecloud.model.harq import Harq
from edgecloud.model.layout import RadioLayout
from edgecloud.model.mobility import MobilityKind
from edgecloud.model.nr import Carrier
from edgecloud.model.scheduling import SchedulerKind
from edgecloud.policies import policy_names

_LAYOUT = RadioLayout()


# Every policy but ICL per request (one decision-LLM call each): the pure ones, cached ICL, DRL.
UE_POLICIES = (
    *policy_names(),
    *(name for name, mode in ICL_MODES.items() if mode == "cached"),
    *sorted(DRL_POLICIES),
)


_URL = TypeAdapter(AnyHttpUrl)


class RadioSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EDGECLOUD_RADIO_", extra="forbid")

    @field_validator("orchestrator_replicas")
    @classmethod
    def _urls(cls, value: str) -> str:
        for url in value.split():
            _URL.validate_python(url)
        return value

    @property
    def orchestrator_urls(self) -> list[str]:
        replicas = [str(_URL.validate_python(u)) for u in self.orchestrator_replicas.split()]
        return [str(self.orchestrator_url), *replicas]

    orchestrator_url: AnyHttpUrl = Field(default=AnyHttpUrl("http://127.0.0.1:8001"))
    # More replicas beside orchestrator_url, space-separated (a list that supervisord's and
    # compose's environments carry as is): requests take them in turn, a failed one is skipped
    # before the first byte and health-checked back.
    orchestrator_replicas: str = Field(default="", max_length=8192)
    orchestrator_check_s: float = Field(default=1.0, gt=0, description="replicas' health checks")
    cloud_url: AnyHttpUrl = Field(
        default=AnyHttpUrl("http://127.0.0.1:8102"),
        description="the cloud LLM server, reached through the emulated backhaul at /backhaul",
    )
    redis_url: str = "redis://127.0.0.1:6390/0"
    delivery_stream: str = "edgecloud:delivery"
    delivery_stream_maxlen: int = Field(default=100_000, ge=100)
    # Delivery reports kept in memory while Redis is unreachable, replayed in order when it is back.
    report_spool_max: int = Field(default=20_000, ge=0)
    # What the admin API changed, restored at start (a hash in Redis).
    admin_state_key: str = "edgecloud:radio:admin"
    # At shutdown (after uvicorn's graceful wait for open streams) pending writes get this long.
    shutdown_drain_s: float = Field(default=10.0, gt=0)
    seed: int = _LAYOUT.seed

    # Cell layout and carrier: the defaults and their meaning are model.layout.RadioLayout's.
    n_cells: int = Field(default=_LAYOUT.n_cells, ge=1, le=7)
    cell_radius_m: float = Field(default=_LAYOUT.cell_radius_m, gt=10.0)
    scenario: Scenario = _LAYOUT.scenario
    carrier_hz: float = Field(default=_LAYOUT.carrier_hz, ge=0.5e9, le=7.125e9)
    numerology: int = Field(default=_LAYOUT.numerology, ge=0, le=3)
    bandwidth_mhz: int = _LAYOUT.bandwidth_mhz
    gnb_power_dbm: float = _LAYOUT.gnb_power_dbm
    ue_power_dbm: float = _LAYOUT.ue_power_dbm
    ul_p0_dbm: float = Field(default=_LAYOUT.ul_p0_dbm, ge=-202.0, le=24.0)
    ul_alpha: float = Field(default=_LAYOUT.ul_alpha, ge=0.0, le=1.0)
    ue_noise_figure_db: float = _LAYOUT.ue_noise_figure_db
    gnb_noise_figure_db: float = _LAYOUT.gnb_noise_figure_db
    ue_height_m: float = _LAYOUT.ue_height_m
    interference_load: float = Field(default=_LAYOUT.interference_load, ge=0.0, le=1.0)
    implementation_factor: float = Field(default=_LAYOUT.implementation_factor, gt=0.0, le=1.0)
    shadowing: bool = _LAYOUT.shadowing
    fading: Fading | Literal["auto"] = _LAYOUT.fading
    rician_k_db: float = _LAYOUT.rician_k_db
    coherence_time_s: float | None = Field(default=_LAYOUT.coherence_time_s, gt=0)
    link_abstraction: Literal["shannon", "cqi"] = _LAYOUT.link_abstraction

    downlink_scheduler: SchedulerKind = SchedulerKind.PROPORTIONAL_FAIR
    uplink_scheduler: SchedulerKind = SchedulerKind.ROUND_ROBIN
    pf_window_epochs: float = Field(default=100.0, ge=1.0)
    default_mobility: MobilityKind = _LAYOUT.default_mobility
    default_speed_mps: float = Field(default=_LAYOUT.default_speed_mps, ge=0.0, le=70.0)
    mobility_step_s: float = Field(default=0.1, gt=0, le=5.0)

    scheduling_epoch_s: float = Field(default=0.001, ge=0.000125, le=0.02)
    # Block errors and HARQ (model.harq): first copies fail at the link-adaptation target, the
    # next copy follows one round trip later (slots of this numerology), copies combined.
    harq: bool = True
    harq_target_bler: float = Field(default=0.1, gt=0.0, lt=1.0)
    harq_max_transmissions: int = Field(default=4, ge=1, le=8)
    harq_rtt_slots: int = Field(default=8, ge=1, le=80)
    # The measured rate's moving average spans about this much of a UE's busy time.
    measured_rate_window_s: float = Field(default=1.0, gt=0.0, le=60.0)
    max_ues: int = Field(default=_LAYOUT.max_ues, ge=1)
    metrics_max_ues: int = Field(default=16, ge=0, description="UEs with their own metric labels")
    relay_buffer_chunks: int = Field(default=256, ge=1, description="per-request downlink buffer")
    # Policies a UE may ask for with X-Policy (others: 403). ICL per request costs a decision-LLM
    # call outside the tiers' admission, so it is for operators, who can reach the orchestrator.
    ue_policies: list[str] = Field(default_factory=lambda: list(UE_POLICIES))
    # An operator's own testbed may let its UEs ask for any policy (the local stack does).
    ue_any_policy: bool = False
    # Off where the deployment has no decision LLM (emulated engines alone): no ICL for anyone.
    ue_icl: bool = True
    # Bearer token of the admin API; without one the admin API refuses every change.
    admin_token: OptionalSecret = None
    # Shared with the orchestrator: signs the radio headers, and is the backhaul's token. Without
    # one the orchestrator believes none of the radio headers and the backhaul refuses everyone.
    shared_secret: OptionalSecret = None

    backhaul_delay_s: float = Field(default=0.020, ge=0.0, le=5.0, description="one way")
    backhaul_rate_bps: float = Field(default=1e9, ge=1e5, le=1e12)
    backhaul_jitter_s: float = Field(default=0.0, ge=0.0, le=1.0)

    # Larger requests are refused before any route runs (413 and 431).
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    max_header_bytes: int = Field(default=16_384, ge=1024)
    upstream_connect_timeout_s: float = Field(default=2.0, gt=0)
    upstream_read_timeout_s: float = Field(default=300.0, gt=0)

    def ue_may_use(self, policy: str) -> bool:
        """Whether a UE may ask for ``policy`` with X-Policy."""
        if policy in ICL_MODES and not self.ue_icl:
            return False
        return self.ue_any_policy or policy in self.ue_policies

    def harq_model(self) -> Harq | None:
        if not self.harq:
            return None
        slot_s = Carrier(self.numerology, self.bandwidth_mhz).slot_s
        return Harq(
            self.harq_target_bler, self.harq_max_transmissions, self.harq_rtt_slots * slot_s
        )

    def layout(self) -> RadioLayout:
        """The pure radio environment's part of these settings."""
        return RadioLayout(**{f.name: getattr(self, f.name) for f in fields(RadioLayout)})
