"""Real streamed responses through the real radio emulator: rates follow RBs and channels.

The upstream here is a bulk source (an LLM cannot fill a radio link); fast fading is off so each
UE's model rate is exact: RBs x per-RB rate at its SINR.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import AnyHttpUrl, SecretStr

from edgecloud.common.settings_env import settings_environment
from edgecloud.model.fading import Fading
from edgecloud.radio_emulator import RadioSettings
from edgecloud.stack import Processes

pytestmark = pytest.mark.integration

TOKEN = "lab-admin-token-00000"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def radio_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    logs = Path(__file__).resolve().parents[2] / ".work" / "test-radio-lab"
    with Processes(logs) as procs:
        redis_url = procs.redis()
        bulk = procs.app("bulk", "edgecloud.bench.bulk_source:create_app", {})
        settings = RadioSettings(
            redis_url=redis_url,
            orchestrator_url=AnyHttpUrl(bulk),
            fading=Fading.NONE,
            admin_token=SecretStr(TOKEN),
        )
        env = settings_environment(settings)
        yield procs.app("radio", "edgecloud.radio_emulator:create_app_from_env", env)


def place(url: str, ue_id: str, **update: object) -> dict[str, float]:
    reply = httpx.put(f"{url}/admin/ues/{ue_id}", json=update, headers=AUTH)
    assert reply.status_code == 200, reply.text
    view: dict[str, float] = reply.json()
    return view


def download_bps(url: str, ue_id: str, n_bytes: int) -> float:
    """Client-side throughput: bytes after the first chunk over the time they took."""
    headers = {"X-UE-Id": ue_id, "X-Bulk-Bytes": str(n_bytes), "X-Bulk-Chunk-Bytes": "2048"}
    body = {"messages": [{"role": "user", "content": "bulk"}]}
    first_at, last_at, total = None, 0.0, 0
    with httpx.stream(
        "POST", f"{url}/v1/chat/completions", json=body, headers=headers, timeout=60
    ) as reply:
        assert reply.status_code == 200
        for chunk in reply.iter_raw():
            now = time.monotonic()
            if first_at is None:
                first_at = now
            else:
                total += len(chunk)
            last_at = now
    assert first_at is not None
    return total * 8 / (last_at - first_at)


def test_throughputs_follow_the_ratio_of_static_allocations(radio_url: str) -> None:
    cells = httpx.get(f"{radio_url}/cells").json()
    x, y = cells[0]["x_m"] + 30, cells[0]["y_m"]
    slow = place(radio_url, "ue-4rb", x_m=x, y_m=y, static_rbs={"downlink": 4})
    fast = place(radio_url, "ue-12rb", x_m=x, y_m=y, static_rbs={"downlink": 12})
    # Same spot, but each UE has its own LOS draws and shadowing: compare with each one's rate.
    assert slow["dl_rbs"] == 4
    assert fast["dl_rbs"] == 12
    slow_bps = download_bps(radio_url, "ue-4rb", int(slow["dl_rate_bps"] / 8 * 1.5))
    fast_bps = download_bps(radio_url, "ue-12rb", int(fast["dl_rate_bps"] / 8 * 1.5))
    assert fast_bps / slow_bps == pytest.approx(fast["dl_rate_bps"] / slow["dl_rate_bps"], rel=0.05)
    assert slow_bps == pytest.approx(slow["dl_rate_bps"], rel=0.05)
    assert fast_bps == pytest.approx(fast["dl_rate_bps"], rel=0.05)


def test_a_ue_far_from_its_gnb_is_slower(radio_url: str) -> None:
    site = httpx.get(f"{radio_url}/cells").json()[0]
    # Site 0 lies on the positive x axis; the other cells are towards negative x.
    near = place(radio_url, "ue-near", x_m=site["x_m"] + 15, y_m=site["y_m"])
    far = place(radio_url, "ue-far", x_m=site["x_m"] - 85, y_m=site["y_m"] + 10)
    assert near["dl_sinr_db"] > far["dl_sinr_db"]
    near_bps = download_bps(radio_url, "ue-near", int(near["dl_rate_bps"] / 8))
    far_bps = download_bps(radio_url, "ue-far", int(far["dl_rate_bps"] / 8))
    assert far_bps < near_bps
    assert near_bps == pytest.approx(near["dl_rate_bps"], rel=0.05)
    assert far_bps == pytest.approx(far["dl_rate_bps"], rel=0.05)
