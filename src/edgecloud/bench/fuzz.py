"""``make fuzz``: Schemathesis against both services' OpenAPI contracts, over real HTTP.

The orchestrator and the radio emulator run as processes with a real Redis; the LLM tiers are the
fast fake engine (thousands of generated requests would take the CPU engines hours). Checks:
no server error, every status and content type documented, every body in its documented schema,
and invalid input refused. The seed is printed so that a failure can be replayed.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
from pathlib import Path

from pydantic import AnyHttpUrl, SecretStr

from edgecloud.common.settings_env import settings_environment
from edgecloud.orchestrator import OrchestratorSettings
from edgecloud.radio_emulator import RadioSettings
from edgecloud.stack import Processes

ADMIN_TOKEN = "fuzz-admin-token-7Qp2"
SHARED_SECRET = "fuzz-shared-secret-9Xr4"
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
)


# The radio's backhaul admin operation changes the delay every cloud request waits (up to 5 s one
# way at 100 kbit/s), so it is fuzzed against a radio emulator of its own.
BACKHAUL_ADMIN = "/admin/backhaul"


def start(procs: Processes) -> dict[str, tuple[str, list[str]]]:
    """Redis, the fake engine, the orchestrator and two radio emulators; what to fuzz on each
    (the URL, and Schemathesis' operation filter)."""
    redis_url = procs.redis()
    engine = procs.app(
        "fake-engine",
        "edgecloud.bench.fake_engine:create_app",
        {"EDGECLOUD_FAKE_TPOT_S": "0.0005"},
        health="/health",
    )
    orchestrator = procs.app(
        "orchestrator",
        "edgecloud.orchestrator:create_app_from_env",
        settings_environment(
            OrchestratorSettings(
                redis_url=redis_url,
                edge_url=AnyHttpUrl(engine),
                cloud_url=AnyHttpUrl(engine),
                shared_secret=SecretStr(SHARED_SECRET),
                admin_token=SecretStr(ADMIN_TOKEN),  # so that the reset is tested past its door
            )
        ),
    )
    radio_env = settings_environment(
        RadioSettings(
            redis_url=redis_url,
            orchestrator_url=AnyHttpUrl(orchestrator),
            cloud_url=AnyHttpUrl(engine),
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
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
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
        "30",
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=200, help="per operation")
    parser.add_argument("--seed", type=int, default=None, help="default: a random one, printed")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(2**31)
    print(f"schemathesis seed {seed}, {args.examples} examples per operation")
    work = Path(".work/fuzz")
    with Processes(work / "logs") as procs:
        urls = start(procs)
        codes = {
            name: fuzz(url, only, args.examples, seed, work / f"{name}.txt")
            for name, (url, only) in urls.items()
        }
    found = sum(code != 0 for code in codes.values())
    print(
        f"RESULT fuzz seed={seed} examples={args.examples} "
        + " ".join(f"{name}={'ok' if code == 0 else 'failed'}" for name, code in codes.items())
    )
    raise SystemExit(1 if found else 0)


if __name__ == "__main__":
    main()
