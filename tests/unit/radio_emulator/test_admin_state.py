"""What the admin API changed is kept (here in memory, as the store would in Redis) and a new
emulator restores it; with the store away a change is a 503 that says it was not kept."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from edgecloud.radio_emulator.admin_restore import restore
from tests.unit.radio_emulator.fakes import MemoryAdminState, radio_app

AUTH = {"Authorization": "Bearer s3cret-admin-token"}
TOKEN = SecretStr("s3cret-admin-token")


@pytest.mark.anyio
async def test_a_restarted_emulator_restores_every_admin_change() -> None:
    async with radio_app(admin_token=TOKEN) as (app, client):
        site = (await client.get("/cells")).json()[1]
        changes = [
            ("/admin/cells/2", {"power_dbm": 30.0, "load": 0.25}),
            ("/admin/scheduler", {"downlink": "max_ci", "pf_window_epochs": 50.0}),
            ("/admin/backhaul", {"delay_s": 0.05, "rate_bps": 1e8, "jitter_s": 0.002}),
            ("/admin/ues/ue-a", {"x_m": site["x_m"] + 30.0, "y_m": site["y_m"]}),
            # A later PUT sets only what it gives: the placement above stays.
            ("/admin/ues/ue-a", {"static_rbs": {"downlink": 12}}),
            ("/admin/ues/ue-gone", {"x_m": 0.0, "y_m": 0.0}),
        ]
        for path, body in changes:
            assert (await client.put(path, json=body, headers=AUTH)).status_code == 200
        assert (await client.delete("/admin/ues/ue-gone", headers=AUTH)).status_code == 204
        before = {
            path: (await client.get(path, headers=AUTH)).json()
            for path in ("/admin/scheduler", "/admin/backhaul", "/ues/ue-a")
        }
        cells_before = (await client.get("/cells")).json()
        saved = app.state.admin_state.saved
    assert set(saved) == {"cell:2", "scheduler", "backhaul", "ue:ue-a"}

    async with radio_app(admin_token=TOKEN) as (app, client):
        store = MemoryAdminState(app.state.admin_state.events)
        store.saved = saved
        assert await restore(store, app.state.air, app.state.backhaul) == 4
        after = {path: (await client.get(path, headers=AUTH)).json() for path in before}
        cells_after = (await client.get("/cells")).json()
        gone = await client.get("/ues/ue-gone", headers=AUTH)
    assert after == before
    assert after["/ues/ue-a"]["static_rbs"]["downlink"] == 12
    assert after["/ues/ue-a"]["cell_id"] == 1
    assert [(c["power_dbm"], c["load"]) for c in cells_after] == [
        (c["power_dbm"], c["load"]) for c in cells_before
    ]
    assert gone.status_code == 404


@pytest.mark.anyio
async def test_a_saved_change_that_no_longer_validates_is_counted_and_skipped() -> None:
    async with radio_app(admin_token=TOKEN) as (app, client):
        store = MemoryAdminState(app.state.admin_state.events)
        store.saved = {"cell:99": {"power_dbm": 30.0}, "scheduler": {"downlink": "nope"}}
        assert await restore(store, app.state.air, app.state.backhaul) == 0
        metrics = (await client.get("/metrics/")).text
    # Two skipped, after the one at start (this emulator's Redis is away).
    assert 'edgecloud_radio_admin_state_total{event="restore_failed"} 3.0' in metrics


@pytest.mark.anyio
async def test_with_redis_away_a_change_applies_and_says_it_was_not_kept() -> None:
    async with radio_app(admin_token=TOKEN, admin_state_in_memory=False) as (_, client):
        reply = await client.put("/admin/backhaul", json={"delay_s": 0.2, "rate_bps": 1e9},
                                 headers=AUTH)  # fmt: skip
        now = (await client.get("/admin/backhaul", headers=AUTH)).json()
        metrics = (await client.get("/metrics/")).text
    assert reply.status_code == 503
    assert reply.json()["error"]["code"] == "redis"
    assert now["delay_s"] == 0.2
    assert 'edgecloud_radio_admin_state_total{event="save_failed"} 1.0' in metrics
    # At start the store was away too: counted, and the emulator started anyway.
    assert 'edgecloud_radio_admin_state_total{event="restore_failed"} 1.0' in metrics
