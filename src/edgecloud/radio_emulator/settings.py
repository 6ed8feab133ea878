"""Settings of the radio emulator (environment prefix ``EDGECLOUD_RADIO_``)."""

from __future__ import annotations

from typing import Literal

from pydantic import AnyHttpUrl, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from edgecloud.model.channel import Scenario
from edgecloud.model.fading import Fading
from edgecloud.model.mobility import MobilityKind
from edgecloud.model.scheduling import SchedulerKind


class RadioSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EDGECLOUD_RADIO_", extra="forbid")

    orchestrator_url: AnyHttpUrl = Field(default=AnyHttpUrl("http://127.0.0.1:8001"))
    cloud_url: AnyHttpUrl = Field(
        default=AnyHttpUrl("http://127.0.0.1:8102"),
        description="the cloud LLM server, reached through the emulated backhaul at /backhaul",
    )
    redis_url: str = "redis://127.0.0.1:6390/0"
    delivery_stream: str = "edgecloud:delivery"
    delivery_stream_maxlen: int = Field(default=100_000, ge=100)
    seed: int = 0

    # Cell layout and carrier (ARCHITECTURE.md section 7; 3.5 GHz is our assumption, band n78).
    n_cells: int = Field(default=3, ge=1, le=7)
    cell_radius_m: float = Field(default=100.0, gt=10.0)
    scenario: Scenario = Scenario.UMI
    carrier_hz: float = Field(default=3.5e9, ge=0.5e9, le=7.125e9)
    numerology: int = Field(default=1, ge=0, le=3)
    bandwidth_mhz: int = 20
    gnb_power_dbm: float = 30.0
    ue_power_dbm: float = 23.0
    ue_noise_figure_db: float = 9.0
    gnb_noise_figure_db: float = 5.0
    ue_height_m: float = 1.5
    # Fraction of neighbour-cell RBs assumed busy when computing inter-cell interference.
    interference_load: float = Field(default=1.0, ge=0.0, le=1.0)
    implementation_factor: float = Field(default=0.6, gt=0.0, le=1.0)
    shadowing: bool = True
    # auto: Rician (K = 9 dB, TR 38.901 UMi LOS) for LOS UEs, Rayleigh for NLOS ones.
    fading: Fading | Literal["auto"] = "auto"
    rician_k_db: float = 9.0
    # None: Clarke's 0.423 / f_D from the UE's speed, at least pedestrian speed (3 km/h).
    coherence_time_s: float | None = Field(default=None, gt=0)
    link_abstraction: Literal["shannon", "cqi"] = "shannon"

    downlink_scheduler: SchedulerKind = SchedulerKind.PROPORTIONAL_FAIR
    uplink_scheduler: SchedulerKind = SchedulerKind.ROUND_ROBIN
    pf_window_epochs: float = Field(default=100.0, ge=1.0)
    default_mobility: MobilityKind = MobilityKind.STATIC
    default_speed_mps: float = Field(default=1.0, ge=0.0, le=70.0)
    mobility_step_s: float = Field(default=0.1, gt=0, le=5.0)

    scheduling_epoch_s: float = Field(default=0.001, ge=0.000125, le=0.02)
    max_ues: int = Field(default=10_000, ge=1)
    metrics_max_ues: int = Field(default=16, ge=0, description="UEs with their own metric labels")
    relay_buffer_chunks: int = Field(default=256, ge=1, description="per-request downlink buffer")
    # Bearer token of the admin API; without one the admin API refuses every change.
    admin_token: SecretStr | None = Field(default=None, min_length=16)

    @field_validator("admin_token", mode="before")
    @classmethod
    def _empty_token_is_none(cls, value: object) -> object:
        return None if value in ("", None) else value

    backhaul_delay_s: float = Field(default=0.020, ge=0.0, le=5.0, description="one way")
    backhaul_rate_bps: float = Field(default=1e9, gt=0)
    backhaul_jitter_s: float = Field(default=0.0, ge=0.0, le=1.0)

    upstream_connect_timeout_s: float = Field(default=2.0, gt=0)
    upstream_read_timeout_s: float = Field(default=300.0, gt=0)
