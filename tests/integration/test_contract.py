"""The services keep their OpenAPI contracts under Schemathesis, in front of the session's real
vLLM engines (a small fixed-seed pass; `make fuzz` runs 200 examples per operation with a fresh
seed)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.integration.conftest import Stack

pytestmark = pytest.mark.integration

SEED = 20261202


def test_schemathesis_finds_no_server_error_and_no_contract_violation(stack: Stack) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "edgecloud.bench.fuzz",
            "--examples",
            "15",
            "--seed",
            str(SEED),
            "--edge-url",
            stack.url("edge-llm"),
            "--cloud-url",
            stack.url("cloud-llm"),
        ],
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    lines = result.stdout.splitlines()
    assert lines[0] == f"schemathesis seed {SEED}, 15 examples per operation"
    assert lines[-1] == (
        f"RESULT fuzz seed={SEED} examples=15 engines=vLLM "
        "orchestrator=ok radio-emulator=ok radio-backhaul-admin=ok"
    ), result.stdout + result.stderr
    assert result.returncode == 0
    # The generated requests reached the real engines, not only the validators.
    served = re.search(
        r"generations served by the vLLM engines through the orchestrator: (\d+)", result.stdout
    )
    assert served is not None, result.stdout
    assert int(served[1]) > 0, result.stdout
