"""With fast fading on, the rate the radio emulator reports is the rate a UE gets.

On a stack of emulated engines (an edge answer streams faster than these links carry it), a UE
with one static downlink RB and a UE that PF schedules alone on its cell each download a long
answer through links the radio limits (cells at 0 dBm; the spots were picked for ~90 kbit/s).
The rate the emulator reports for each in the middle of the stream (``GET /ues/{id}``: fading,
the best RBG of a static RB, HARQ) is within 5% of the slope of the bytes the UE received.
A coherence time of 1 ms lets the rare fades these low SINRs live on average out in seconds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import numpy as np
import pytest

from edgecloud.model.capacity import LinkAbstraction

from .conftest import ADMIN, Stack, make_settings, start_stack, stop_stack

pytestmark = pytest.mark.integration

BODY = {
    "model": "auto",
    "messages": [{"role": "user", "content": "Tell a long story."}],
    "max_tokens": 500,
    "ignore_eos": True,
    "stream": True,
}


@pytest.fixture(scope="module")
def faded() -> Iterator[Stack]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("EDGECLOUD_RADIO_COHERENCE_TIME_S", "0.001")
        env.setenv("EDGECLOUD_RADIO_FADING", "auto")
        stack = start_stack(make_settings(engine="emulated", state_dir_name="test-reported-rate"))
    try:
        for cell in range(3):
            httpx.put(
                f"{stack.radio_url}/admin/cells/{cell}", json={"power_dbm": 0.0}, headers=ADMIN
            ).raise_for_status()
        yield stack
    finally:
        stop_stack(stack)


def download(stack: Stack, ue: str, placement: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    """The UE's delivered rate (bit/s, after the first half second) and its view mid-stream."""
    url = stack.radio_url
    httpx.put(f"{url}/admin/ues/{ue}", json=placement, headers=ADMIN).raise_for_status()
    view: dict[str, Any] = {}

    def sample() -> None:
        time.sleep(3.0)
        view.update(httpx.get(f"{url}/ues/{ue}", headers=ADMIN).json())

    sampler = threading.Thread(target=sample)
    arrivals, total = [], 0
    headers = {"X-UE-Id": ue, "X-Policy": "edge-only"}
    with httpx.stream(
        "POST", f"{url}/v1/chat/completions", json=BODY, headers=headers, timeout=120
    ) as reply:
        assert reply.status_code == 200
        sampler.start()
        for chunk in reply.iter_raw():
            total += len(chunk)
            arrivals.append((time.monotonic(), total))
    sampler.join()
    times, received = np.array(arrivals).T
    late = times > times[0] + 0.5
    return float(np.polyfit(times[late], received[late], 1)[0]) * 8, view


@pytest.mark.parametrize(
    ("ue", "placement"),
    [
        ("static-c", {"x_m": 120.0, "y_m": 110.0, "static_rbs": {"downlink": 1, "uplink": None}}),
        ("pf-ue", {"x_m": -100.0, "y_m": 20.0}),
    ],
)
def test_the_reported_rate_is_the_delivered_rate(
    faded: Stack, ue: str, placement: dict[str, Any]
) -> None:
    delivered_bps, view = download(faded, ue, placement)
    assert view["dl_sinr_db"] < -5  # a link far slower than the engine: the radio is the limit
    assert delivered_bps < 150_000
    assert view["dl_rate_bps"] == pytest.approx(delivered_bps, rel=0.05)
    assert view["dl_measured_rate_bps"] == pytest.approx(delivered_bps, rel=0.15)
    # What it used to report, the RB share at the large-scale SINR, is far off on such links.
    large_scale = (
        view["dl_rbs"] * 360e3 * LinkAbstraction().spectral_efficiency_bps_hz(view["dl_sinr_db"])
    )
    print(
        f"{ue}: delivered {delivered_bps:.0f}, reported {view['dl_rate_bps']:.0f}, "
        f"measured {view['dl_measured_rate_bps']:.0f}, large-scale {large_scale:.0f} bit/s"
    )
    assert abs(large_scale / delivered_bps - 1) > 0.25
