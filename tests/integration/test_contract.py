"""The services keep their OpenAPI contracts under Schemathesis (a small fixed-seed pass; `make
fuzz` runs 200 examples per operation with a fresh seed)."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.integration

SEED = 20261202


def test_schemathesis_finds_no_server_error_and_no_contract_violation() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "edgecloud.bench.fuzz", "--examples", "15", "--seed", str(SEED)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    lines = result.stdout.splitlines()
    assert lines[0] == f"schemathesis seed {SEED}, 15 examples per operation"
    assert lines[-1] == (
        f"RESULT fuzz seed={SEED} examples=15 "
        "orchestrator=ok radio-emulator=ok radio-backhaul-admin=ok"
    ), result.stdout + result.stderr
    assert result.returncode == 0
