"""The whole testbed as local processes: what runs, with which command, and how to tell it is up.

``edgecloud up`` hands these specs to supervisord; the integration tests hand the same specs to
mirakuru executors on free ports. Containers (docker-compose.yml) run the same commands.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field

from pydantic import AnyHttpUrl

from edgecloud.common.app_services import EMULATED_ENGINE_FACTORY, AppService
from edgecloud.common.read_timeout import PROTOCOL as READ_TIMEOUT_PROTOCOL
from edgecloud.common.settings_env import settings_environment
from edgecloud.llm.catalog import BUNDLED_MODELS, BundledModel, bundled_model
from edgecloud.llm.emulated import EmulatorSettings, load_profile
from edgecloud.llm.launcher import vllm_command, vllm_environment
from edgecloud.llm.models import model_dir
from edgecloud.llm.settings import EngineSettings
from edgecloud.model.tasks import Route
from edgecloud.orchestrator import OrchestratorSettings
from edgecloud.radio_emulator import RadioSettings

from .binaries import prometheus, redis_command
from .settings import StackSettings


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    name: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    port: int = 0
    health_path: str | None = "/healthz"  # None: a TCP service (Redis)
    startup_timeout_s: float = 60.0

    def health_url(self, host: str) -> str | None:
        return None if self.health_path is None else f"http://{host}:{self.port}{self.health_path}"


def cpu_split() -> tuple[str, str]:
    """OpenMP core lists for the edge and cloud engines: half the CPUs each.

    vLLM's default ("auto") binds every engine to the same first core, so two engines on one host
    would share a single core.
    """
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return (str(cpus[0]), str(cpus[0]))
    half = len(cpus) // 2
    return (",".join(map(str, cpus[:half])), ",".join(map(str, cpus[half:])))


# On SIGTERM uvicorn stops accepting and gives open streams this long to finish; then each service
# drains its pending writes (`shutdown_drain_s`, 10 s). Supervisors must wait longer than both.
SHUTDOWN_GRACE_S = 30
SHUTDOWN_WAIT_S = SHUTDOWN_GRACE_S + 15


def uvicorn_command(app_factory: str, host: str, port: int, log_level: str = "info") -> list[str]:
    """The command that serves an app factory: the stack, compose's images and the benchmarks."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        app_factory,
        "--host",
        host,
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        log_level,
        "--timeout-graceful-shutdown",
        str(SHUTDOWN_GRACE_S),
        # Last-resort bounds: idle keep-alive connections close after 5 s, and past this many
        # concurrent connections uvicorn answers 503 itself (a plain-text one).
        "--timeout-keep-alive",
        "5",
        # A request must arrive in full within 10 s (uvicorn itself waits for ever).
        "--http",
        READ_TIMEOUT_PROTOCOL,
        "--limit-concurrency",
        "4096",
    ]


def stack_services(settings: StackSettings) -> list[ServiceSpec]:
    """Redis, both engines, the two services and (when its binary is there) Prometheus."""
    s = settings
    services = [
        ServiceSpec(
            "redis",
            redis_command(s.redis_port, s.host, data_dir=s.redis_data_dir),
            port=s.redis_port,
            health_path=None,
            startup_timeout_s=20,
        ),
        *_engines(s),
        *_apps(s),
    ]
    binary = prometheus()
    if s.with_prometheus and binary is not None:
        config = s.state_dir / "prometheus.yml"
        services.append(
            ServiceSpec(
                "prometheus",
                [
                    str(binary),
                    f"--config.file={config.resolve()}",
                    f"--storage.tsdb.path={(s.state_dir / 'prometheus-data').resolve()}",
                    f"--web.listen-address={s.host}:{s.prometheus_port}",
                ],
                port=s.prometheus_port,
                health_path="/-/ready",
            )
        )
    return services


def _engines(s: StackSettings) -> list[ServiceSpec]:
    if s.emulated:
        specs = [_emulated_engine(s, Route.EDGE), _emulated_engine(s, Route.CLOUD)]
        if s.starts_decision_llm():
            model = bundled_model(s.decision_llm_model)
            specs.append(_vllm_engine(s, model, s.decision_llm_port, "decision-llm", "auto"))
        return specs
    binds = dict(zip((Route.EDGE, Route.CLOUD), cpu_split(), strict=True))
    return [
        _vllm_engine(s, BUNDLED_MODELS[tier], port, f"{tier}-llm", binds[tier])
        for tier, port in ((Route.EDGE, s.edge_port), (Route.CLOUD, s.cloud_port))
    ]


def _vllm_engine(
    s: StackSettings, model: BundledModel, port: int, name: str, cores: str
) -> ServiceSpec:
    """vLLM's CPU build serving a bundled model, OpenMP bound to ``cores``."""
    engine = EngineSettings(
        work_dir=s.work_dir,
        engine_python=s.engine_python,
        host=s.host,
        port=port,
        kv_cache_gib=s.kv_cache_gib,
        enforce_eager=s.enforce_eager,
        omp_threads_bind=cores,
    )
    return ServiceSpec(
        name,
        vllm_command(engine, model_dir(engine.models_dir, model).resolve(), model.name),
        vllm_environment(engine),
        port=port,
        health_path="/health",
        startup_timeout_s=300,
    )


def _emulated_engine(s: StackSettings, tier: Route) -> ServiceSpec:
    port = s.edge_port if tier is Route.EDGE else s.cloud_port
    settings = EmulatorSettings(profile=_profile(s, tier), seed=s.seed)
    return ServiceSpec(
        f"{tier.value}-llm",
        uvicorn_command(EMULATED_ENGINE_FACTORY, s.host, port),
        settings_environment(settings),
        port=port,
        health_path="/health",
        startup_timeout_s=30,
    )


def _profile(s: StackSettings, tier: Route) -> str:
    return s.edge_profile if tier is Route.EDGE else s.cloud_profile


def tier_admission(s: StackSettings) -> dict[Route, int]:
    """An emulated tier admits as many requests as its engine runs at once (the orchestrator's
    default suits the CPU engines, not an H100 server's 1,024 sequences)."""
    if not s.emulated:
        fields = OrchestratorSettings.model_fields
        return {tier: fields[f"{tier.value}_max_in_flight"].default for tier in Route}
    return {tier: load_profile(_profile(s, tier)).limits.max_num_seqs for tier in Route}


def tier_models(s: StackSettings) -> dict[Route, str]:
    """The model name each tier serves: the bundled models', or the emulated profiles'."""
    if s.emulated:
        return {tier: load_profile(_profile(s, tier)).served_model_name for tier in Route}
    return {tier: BUNDLED_MODELS[tier].name for tier in Route}


def _decision_llm(s: StackSettings) -> tuple[AnyHttpUrl | None, str | None]:
    """ICL's decision LLM: with real engines the edge's (the orchestrator's default)."""
    if s.icl_url is not None:
        return s.icl_url, s.icl_model
    if s.starts_decision_llm():
        return AnyHttpUrl(f"http://{s.host}:{s.decision_llm_port}"), s.decision_llm_model
    return None, None


def _orchestrator_names(s: StackSettings) -> list[tuple[str, int]]:
    """Each orchestrator replica's service name (also its consumer name) and port."""
    name = AppService.ORCHESTRATOR.value
    return [
        (name if i == 0 else f"{name}-{i + 1}", port) for i, port in enumerate(s.orchestrator_ports)
    ]


def _apps(s: StackSettings) -> list[ServiceSpec]:
    base = f"http://{s.host}"
    redis_url = f"redis://{s.host}:{s.redis_port}/0"
    models = tier_models(s)
    admission = tier_admission(s)
    icl_url, icl_model = _decision_llm(s)
    orchestrator = OrchestratorSettings(
        redis_url=redis_url,
        default_policy=s.policy,
        seed=s.seed,
        edge_url=AnyHttpUrl(f"{base}:{s.edge_port}"),
        edge_model=models[Route.EDGE],
        # The cloud tier is reached through the radio emulator's backhaul, as in a deployment.
        cloud_url=AnyHttpUrl(f"{base}:{s.radio_port}/backhaul"),
        cloud_model=models[Route.CLOUD],
        shared_secret=s.shared_secret,
        admin_token=s.admin_token,
        dqn_model_path=s.dqn_model_path,
        ppo_model_path=s.ppo_model_path,
        icl_url=icl_url,
        icl_model=icl_model,
        edge_max_in_flight=admission[Route.EDGE],
        cloud_max_in_flight=admission[Route.CLOUD],
    )
    # With emulated engines and no decision LLM, ICL has nothing to ask: UEs may not choose it.
    icl_usable = not s.emulated or icl_url is not None
    radio = RadioSettings(
        redis_url=redis_url,
        orchestrator_url=AnyHttpUrl(f"{base}:{s.orchestrator_port}"),
        orchestrator_replicas=" ".join(f"{base}:{port}" for port in s.orchestrator_ports[1:]),
        cloud_url=AnyHttpUrl(f"{base}:{s.cloud_port}"),
        seed=s.seed,
        admin_token=s.admin_token,
        shared_secret=s.shared_secret,
        # The local stack is its operator's own testbed: its UEs (Locust) may ask for every
        # policy, per-request ICL included; deployments keep RadioSettings' shorter list.
        ue_any_policy=icl_usable,
        ue_icl=icl_usable,
    )
    replicas = [
        ServiceSpec(
            name,
            uvicorn_command(AppService.ORCHESTRATOR.factory, s.host, port),
            settings_environment(orchestrator.model_copy(update={"instance_id": name})),
            port=port,
        )
        for name, port in _orchestrator_names(s)
    ]
    return [
        *replicas,
        ServiceSpec(
            AppService.RADIO_EMULATOR.value,
            uvicorn_command(AppService.RADIO_EMULATOR.factory, s.host, s.radio_port),
            settings_environment(radio),
            port=s.radio_port,
        ),
    ]
