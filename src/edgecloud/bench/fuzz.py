"""``make fuzz``: Schemathesis against both services' OpenAPI contracts, over real HTTP.

The orchestrator and the radio emulator run as processes with a real Redis, in front of the real
LLM tiers: the bundled models on vLLM's CPU build (started here, one core each, or already running
ones given by URL), or, with ``--engines fake``, the fast fake engine. The orchestrator is bounded
to ``MAX_GENERATED_TOKENS`` per request (its ``max_generated_tokens`` setting, a 400 beyond), so
that hundreds of generated requests take minutes on the CPU engines, not hours. Checks: no server
error, every status and content type documented, every body in its documented schema, and invalid
input refused. The seed is printed so that a failure can be replayed; so is how many generations
the engines served.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families
from pydantic import AnyHttpUrl, SecretStr

from edgecloud.common.settings_env import settings_environment
from edgecloud.llm.catalog import BUNDLED_MODELS
from edgecloud.model.tasks import Route
from edgecloud.orchestrator import OrchestratorSettings
from edgecloud.radio_emulator import RadioSettings
from edgecloud.stack import Processes

ADMIN_TOKEN = "fuzz-admin-token-7Qp2"
SHARED_SECRET = "fuzz-shared-secret-9Xr4"
MAX_GENERATED_TOKENS = 32  # n x max_tokens per request
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
)


# A request refused for its size (413, 431: documented on every operation) is refused as
# invalid data should be; Schemathesis' own list of rejections lacks both.
CONFIG = """[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428",
  "429", "431"]
"""


# The radio's backhaul admin operation changes the delay every cloud request waits (up to 5 s one
# way at 100 kbit/s), so it is fuzzed against a radio emulator of its own.
BACKHAUL_ADMIN = "/admin/backhaul"


@dataclass(frozen=True, slots=True)
class Tiers:
    """The engines behind the orchestrator, and the model name each serves."""

    urls: dict[Route, str]
    models: dict[Route, str]
    kind: str  # "vLLM" or "fake", for the report


def bundled_tiers(urls: dict[Route, str]) -> Tiers:
    return Tiers(urls, {tier: BUNDLED_MODELS[tier].name for tier in Route}, "vLLM")


def start_tiers(procs: Processes, engines: str) -> Tiers:
    """The bundled models on vLLM (edge on core 0, cloud on core 1), or the fake engine."""
    if engines == "fake":
        fake = procs.app(
            "fake-engine",
            "edgecloud.bench.fake_engine:create_app",
            {"EDGECLOUD_FAKE_TPOT_S": "0.0005"},
            health="/health",
        )
        names = OrchestratorSettings.model_fields
        models = {tier: str(names[f"{tier.value}_model"].default) for tier in Route}
        return Tiers({tier: fake for tier in Route}, models, "fake")
    return bundled_tiers({tier: procs.bundled_llm(tier, str(i)) for i, tier in enumerate(Route)})


def start(procs: Processes, tiers: Tiers) -> dict[str, tuple[str, list[str]]]:
    """Redis, the orchestrator and two radio emulators in front of ``tiers``; what to fuzz on
    each (the URL, and Schemathesis' operation filter)."""
    redis_url = procs.redis()
    orchestrator = procs.app(
        "orchestrator",
        "edgecloud.orchestrator:create_app_from_env",
        settings_environment(
            OrchestratorSettings(
                redis_url=redis_url,
                edge_url=AnyHttpUrl(tiers.urls[Route.EDGE]),
                edge_model=tiers.models[Route.EDGE],
                cloud_url=AnyHttpUrl(tiers.urls[Route.CLOUD]),
                cloud_model=tiers.models[Route.CLOUD],
                shared_secret=SecretStr(SHARED_SECRET),
                admin_token=SecretStr(ADMIN_TOKEN),  # so that the reset is tested past its door
                max_generated_tokens=MAX_GENERATED_TOKENS,
                default_max_tokens=MAX_GENERATED_TOKENS // 4,
            )
        ),
    )
    radio_env = settings_environment(
        RadioSettings(
            redis_url=redis_url,
            orchestrator_url=AnyHttpUrl(orchestrator),
            cloud_url=AnyHttpUrl(tiers.urls[Route.CLOUD]),
            admin_token=SecretStr(ADMIN_TOKEN),
            shared_secret=SecretStr(SHARED_SECRET),
        )
    )
    radio = procs.app("radio-emulator", "edgecloud.radio_emulator:create_app_from_env", radio_env)
    radio_admin = procs.app(
        "radio-backhaul-admin", "edgecloud.radio_emulator:create_app_from_env", radio_env
    )
    return {
        "orchestrator": (orchestrator, []),
        "radio-emulator": (radio, ["--exclude-path", BACKHAUL_ADMIN]),
        "radio-backhaul-admin": (radio_admin, ["--include-path", BACKHAUL_ADMIN]),
    }


def fuzz(url: str, only: list[str], examples: int, seed: int, log: Path) -> int:
    """Run Schemathesis against one service; returns its exit code (0: nothing found)."""
    config = log.with_name("schemathesis.toml")
    config.write_text(CONFIG)
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file",
        str(config),
        "run",
        f"{url}/openapi.json",
        "--max-examples",
        str(examples),
        "--seed",
        str(seed),
        "--checks",
        ",".join(CHECKS),
        "--header",
        f"Authorization: Bearer {ADMIN_TOKEN}",
        "--header",
        f"X-Backhaul-Token: {SHARED_SECRET}",  # so that the backhaul is tested past its door
        "--request-timeout",
        "60",
        # One worker: with two threads, Hypothesis' ast parsing trips CPython 3.11's recursion
        # depth check ("AST constructor recursion depth mismatch"), a tool error, not a finding.
        "--workers",
        "1",
        *only,
    ]
    with log.open("w") as out:
        result = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, check=False)
    print(f"  {url}: exit {result.returncode}; report in {log}")
    return result.returncode


def generations_served(orchestrator_url: str) -> int:
    """Requests the orchestrator relayed from an engine to the end (status ok), by its metrics."""
    text = httpx.get(f"{orchestrator_url}/metrics", timeout=10).text
    return round(
        sum(
            sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
            if sample.name == "edgecloud_requests_total" and sample.labels.get("status") == "ok"
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=200, help="per operation")
    parser.add_argument("--seed", type=int, default=None, help="default: a random one, printed")
    parser.add_argument(
        "--engines",
        choices=("vllm", "fake"),
        default="vllm",
        help="the bundled models on vLLM (started here), or the fast fake engine",
    )
    parser.add_argument("--edge-url", help="a running edge engine serving the bundled model")
    parser.add_argument("--cloud-url", help="a running cloud engine serving the bundled model")
    args = parser.parse_args()
    if (args.edge_url is None) != (args.cloud_url is None):
        parser.error("give both --edge-url and --cloud-url, or neither")
    seed = args.seed if args.seed is not None else random.randrange(2**31)
    print(f"schemathesis seed {seed}, {args.examples} examples per operation")
    work = Path(".work/fuzz")
    with Processes(work / "logs") as procs:
        if args.edge_url is not None:
            tiers = bundled_tiers({Route.EDGE: args.edge_url, Route.CLOUD: args.cloud_url})
        else:
            tiers = start_tiers(procs, args.engines)
        urls = start(procs, tiers)
        codes = {
            name: fuzz(url, only, args.examples, seed, work / f"{name}.txt")
            for name, (url, only) in urls.items()
        }
        served = generations_served(urls["orchestrator"][0])
    print(f"generations served by the {tiers.kind} engines through the orchestrator: {served}")
    found = sum(code != 0 for code in codes.values())
    print(
        f"RESULT fuzz seed={seed} examples={args.examples} engines={tiers.kind} "
        + " ".join(f"{name}={'ok' if code == 0 else 'failed'}" for name, code in codes.items())
    )
    raise SystemExit(1 if found else 0)


if __name__ == "__main__":
    main()
