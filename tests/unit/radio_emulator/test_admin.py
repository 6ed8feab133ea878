"""The radio emulator's admin API and read-only views, in process (no upstream is contacted)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from edgecloud.radio_emulator import RadioSettings
from tests.unit.radio_emulator.fakes import radio_client

AUTH = {"Authorization": "Bearer s3cret-admin-token"}


@asynccontextmanager
async def radio(
    token: str | None = "s3cret-admin-token", **overrides: Any
) -> AsyncIterator[httpx.AsyncClient]:
    admin_token = SecretStr(token) if token else None
    async with radio_client(admin_token=admin_token, **overrides) as client:
        yield client


@pytest.mark.anyio
async def test_changes_need_the_bearer_token_and_there_is_no_default() -> None:
    async with radio(token=None) as client:
        disabled = await client.put("/admin/scheduler", json={"downlink": "max_ci"}, headers=AUTH)
    assert disabled.status_code == 403
    assert disabled.json()["error"]["code"] == "admin_disabled"
    async with radio() as client:
        missing = await client.get("/admin/scheduler")
        wrong = await client.get("/admin/scheduler", headers={"Authorization": "Bearer nope"})
    for reply in (missing, wrong):
        assert reply.status_code == 401
        assert reply.json()["error"]["code"] == "invalid_token"


@pytest.mark.anyio
async def test_scheduler_and_backhaul_can_be_changed_and_read_back() -> None:
    async with radio() as client:
        changed = await client.put(
            "/admin/scheduler", json={"downlink": "max_ci", "pf_window_epochs": 50}, headers=AUTH
        )
        backhaul = await client.put(
            "/admin/backhaul",
            json={"delay_s": 0.05, "rate_bps": 1e8, "jitter_s": 0.002},
            headers=AUTH,
        )
        read = (await client.get("/admin/scheduler", headers=AUTH)).json()
        read_backhaul = (await client.get("/admin/backhaul", headers=AUTH)).json()
    assert changed.status_code == backhaul.status_code == 200
    assert read == {"downlink": "max_ci", "uplink": "round_robin", "pf_window_epochs": 50.0}
    assert read_backhaul == {"delay_s": 0.05, "rate_bps": 1e8, "jitter_s": 0.002}


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/admin/scheduler", {"downlink": "fastest"}),
        ("/admin/scheduler", {"pf_window_epochs": 0}),
        ("/admin/scheduler", {"downlnk": "max_ci"}),
        ("/admin/backhaul", {"delay_s": -1, "rate_bps": 1e9}),
        ("/admin/backhaul", {"delay_s": 0.01}),
        ("/admin/ues/u1", {"x_m": 5}),
        ("/admin/ues/u1", {"x_m": 5000, "y_m": 0}),
        ("/admin/ues/u1", {"mobility": {"kind": "teleport"}}),
        ("/admin/ues/u1", {"mobility": {"kind": "random_waypoint", "speed_mps": 0.1}}),
        ("/admin/ues/u1", {"static_rbs": {"downlink": 52}}),
        ("/admin/ues/bad%20id", {}),
        # Found by the fuzzer: a backhaul this slow held every cloud request forever.
        ("/admin/backhaul", {"delay_s": 0.0, "rate_bps": 5e-324}),
        # Lax numbers: JSON's true and "1" are not numbers.
        ("/admin/backhaul", {"delay_s": 0.0, "rate_bps": 1e9, "jitter_s": False}),
        ("/admin/scheduler", {"pf_window_epochs": True}),
        ("/admin/cells/0", {"load": False}),
        ("/admin/ues/u1", {"x_m": "10", "y_m": 0}),
    ],
)
@pytest.mark.anyio
async def test_bad_values_are_a_400_in_the_common_shape(path: str, body: object) -> None:
    async with radio() as client:
        reply = await client.put(path, json=body, headers=AUTH)
    assert reply.status_code == 400, reply.text
    assert reply.json()["error"]["message"]


@pytest.mark.anyio
async def test_ues_can_be_placed_given_static_rbs_and_removed() -> None:
    async with radio() as client:
        cells = (await client.get("/cells")).json()
        site = cells[0]
        placed = await client.put(
            "/admin/ues/ue-a",
            json={
                "x_m": site["x_m"] + 20,
                "y_m": site["y_m"],
                "static_rbs": {"downlink": 40},
                "mobility": {"kind": "constant_velocity", "speed_mps": 3},
            },
            headers=AUTH,
        )
        neighbour = await client.put(
            "/admin/ues/ue-b",
            json={"x_m": site["x_m"] + 25, "y_m": site["y_m"], "static_rbs": {"downlink": 20}},
            headers=AUTH,
        )
        cells_after = (await client.get("/cells")).json()
        removed = await client.delete("/admin/ues/ue-a", headers=AUTH)
        again = await client.delete("/admin/ues/ue-a", headers=AUTH)
        listed = (await client.get("/ues", headers=AUTH)).json()
    assert len(cells) == 3
    assert site["n_rbs"] == 51
    view = placed.json()
    assert view["cell_id"] == 0
    assert view["distance_m"] == pytest.approx(20, abs=0.01)
    assert view["static_rbs"] == {"uplink": None, "downlink": 40}
    assert view["dl_rbs"] == 40
    assert view["mobility"] == "constant_velocity"
    assert neighbour.status_code == 400  # 40 + 20 > 51 RBs in cell 0
    assert cells_after[0]["static_rbs_reserved"]["downlink"] == 40
    assert removed.status_code == 204
    assert again.status_code == 404
    assert [u["ue_id"] for u in listed["data"]] == ["ue-b"]


@pytest.mark.anyio
async def test_metrics_expose_cells_and_a_capped_set_of_ues() -> None:
    async with radio() as client:
        for i in range(20):
            await client.put(f"/admin/ues/ue-{i}", json={}, headers=AUTH)
        text = (await client.get("/metrics/")).text
    assert 'edgecloud_radio_cell_rbs{cell="2"} 51.0' in text
    assert 'edgecloud_radio_rb_seconds_total{cell="0",direction="downlink"}' in text
    ue_series = {
        line.split('ue="')[1].split('"')[0]
        for line in text.splitlines()
        if line.startswith("edgecloud_radio_ue_sinr_db{")
    }
    assert len(ue_series) == 16  # metrics_max_ues


def test_a_short_token_is_refused_and_an_empty_one_means_none() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="admin_token"):
        RadioSettings(admin_token=SecretStr("short"))
    assert RadioSettings(admin_token="").admin_token is None


@pytest.mark.anyio
async def test_a_quieter_neighbour_cell_raises_a_ues_sinr() -> None:
    async with radio() as client:
        view = (await client.put("/admin/ues/ue-x", json={}, headers=AUTH)).json()
        neighbour = (view["cell_id"] + 1) % 3
        changed = await client.put(f"/admin/cells/{neighbour}", json={"load": 0.0}, headers=AUTH)
        after = (await client.get("/ues/ue-x", headers=AUTH)).json()
        missing = await client.put("/admin/cells/7", json={"load": 0.5}, headers=AUTH)
        bad = await client.put("/admin/cells/0", json={"load": 1.5}, headers=AUTH)
    assert changed.status_code == 200
    assert changed.json()["load"] == 0.0
    assert after["dl_sinr_db"] > view["dl_sinr_db"]
    assert missing.status_code == 404
    assert bad.status_code == 400


@pytest.mark.anyio
async def test_an_admin_placement_does_not_need_coverage_in_either_direction() -> None:
    # A UE this quiet has no uplink under the CQI table anywhere, while its downlink is fine.
    async with radio(ue_power_dbm=-60.0, link_abstraction="cqi") as client:
        placed = await client.put(
            "/admin/ues/ue-mute", json={"x_m": 10.0, "y_m": 0.0}, headers=AUTH
        )
        refused = await client.post(
            "/v1/chat/completions",
            json={"model": "auto", "messages": [{"role": "user", "content": "hi"}]},
            headers={"X-UE-Id": "ue-mute"},
        )
    assert placed.status_code == 200, placed.text
    assert placed.json()["ul_rate_bps"] == 0.0
    assert placed.json()["dl_rate_bps"] > 0.0
    assert refused.status_code == 503
    assert refused.json()["error"]["code"] == "out_of_coverage"
