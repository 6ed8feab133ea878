"""The running testbed as an experiment sees it: its admin surfaces and its history, over HTTP.

Brings the stack to a scenario's starting state before every policy (UEs placed afresh, which also
clears their scheduler state; the orchestrator's estimates, policy state and experience pool reset
to the same warm-up pool) and reads back the history records of the requests it sent.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from edgecloud.model.cells import cell_sites
from edgecloud.sim.scenario import Scenario
from edgecloud.sim.schedule import PlacedUe

HISTORY_PAGE = 1000
SITE_TOLERANCE_M = 1.0


class TestbedError(RuntimeError):
    """The stack is not the one the scenario needs, or it refused an admin call."""

    __test__ = False  # not a pytest class


@dataclass(frozen=True, slots=True)
class StackAccess:
    radio_url: str
    orchestrator_url: str
    admin_token: str

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_token}"}


def _check(reply: httpx.Response, what: str) -> Any:
    if reply.is_success:
        return reply.json() if reply.content else None
    raise TestbedError(f"{what}: HTTP {reply.status_code} {reply.text[:300]}")


class Testbed:
    def __init__(self, access: StackAccess, http: httpx.AsyncClient) -> None:
        self.access = access
        self._http = http

    async def check(self, scenario: Scenario, policies: Iterable[str]) -> None:
        """The radio has the scenario's cells where it expects them; the orchestrator knows
        every policy."""
        cells = _check(await self._http.get(f"{self.access.radio_url}/cells"), "GET /cells")
        expected = cell_sites(scenario.cells.n_cells, scenario.cells.cell_radius_m)
        if len(cells) != len(expected):
            raise TestbedError(
                f"the radio emulator has {len(cells)} cells; scenario {scenario.name} needs "
                f"{len(expected)} (EDGECLOUD_RADIO_N_CELLS)"
            )
        for cell, site in zip(cells, expected, strict=True):
            if math.hypot(cell["x_m"] - site.x_m, cell["y_m"] - site.y_m) > SITE_TOLERANCE_M:
                raise TestbedError(
                    f"cell {cell['cell_id']} stands at ({cell['x_m']:.0f}, {cell['y_m']:.0f}); "
                    f"scenario {scenario.name} needs a cell radius of "
                    f"{scenario.cells.cell_radius_m:g} m (EDGECLOUD_RADIO_CELL_RADIUS_M)"
                )
        await self._check_engines(scenario)
        known = _check(
            await self._http.get(f"{self.access.orchestrator_url}/policies"), "GET /policies"
        )["available"]
        unknown = sorted(set(policies) - set(known))
        if unknown:
            raise TestbedError(f"the orchestrator has no policy {', '.join(unknown)}")

    async def _check_engines(self, scenario: Scenario) -> None:
        """The tiers serve the models of the scenario's profiles (else the stack was started for
        another scenario, and the simulator would model engines that are not there)."""
        from edgecloud.llm.emulated.profile import load_profile

        url = f"{self.access.orchestrator_url}/v1/models"
        served = {m["id"] for m in _check(await self._http.get(url), f"GET {url}")["data"]}
        engines = scenario.engines
        for tier, name in (("EDGE", engines.edge_profile), ("CLOUD", engines.cloud_profile)):
            model = load_profile(name).served_model_name
            if model not in served:
                hint = (
                    f"EDGECLOUD_STACK_{tier}_PROFILE={name} " if engines.kind == "emulated" else ""
                )
                raise TestbedError(
                    f"the stack serves {', '.join(sorted(served))}; scenario {scenario.name} "
                    f"needs {model} ({name}): start it with {hint}"
                    f"EDGECLOUD_STACK_ENGINE={engines.kind} make up"
                )

    async def place(self, ues: Sequence[PlacedUe], scenario: Scenario) -> None:
        """Every UE forgotten (its scheduler state with it), then placed where the schedule says."""
        mobility = scenario.mobility.model_dump(mode="json")
        base = f"{self.access.radio_url}/admin/ues"

        async def one(ue: PlacedUe) -> None:
            url = f"{base}/{ue.ue_id}"
            gone = await self._http.delete(url, headers=self.access.headers())
            if gone.status_code != 404:
                _check(gone, f"DELETE {url}")
            body = {"x_m": ue.x_m, "y_m": ue.y_m, "mobility": mobility}
            _check(await self._http.put(url, json=body, headers=self.access.headers()), url)

        await asyncio.gather(*(one(ue) for ue in ues))

    async def reset(self, pool: Sequence[dict[str, Any]]) -> int:
        """The orchestrator back to its starting state with ``pool`` (history records) as its
        experience pool; returns the experiences it kept."""
        url = f"{self.access.orchestrator_url}/admin/reset"
        reply = await self._http.post(url, json={"pool": list(pool)}, headers=self.access.headers())
        return int(_check(reply, f"POST {url}")["pool_size"])

    async def records(
        self, request_ids: set[str], since: float, timeout_s: float, poll_s: float = 0.5
    ) -> dict[str, list[dict[str, Any]]]:
        """The history records of ``request_ids`` finished after ``since`` (wall clock), a list
        each (more than one is a duplicate), waiting up to ``timeout_s`` for joins in progress."""
        deadline = time.monotonic() + timeout_s
        while True:
            found = await self._read_back(request_ids, since)
            if set(found) >= request_ids or time.monotonic() >= deadline:
                return found
            await asyncio.sleep(poll_s)

    async def _read_back(
        self, request_ids: set[str], since: float
    ) -> dict[str, list[dict[str, Any]]]:
        found: dict[str, list[dict[str, Any]]] = {}
        before: str | None = None
        url = f"{self.access.orchestrator_url}/history"
        while True:
            params: dict[str, Any] = {"limit": HISTORY_PAGE}
            if before is not None:
                params["before"] = before
            page = _check(await self._http.get(url, params=params), f"GET {url}")
            for record in page["data"]:
                if record["request_id"] in request_ids:
                    found.setdefault(record["request_id"], []).append(record)
            before = page.get("next_before")
            # Newest first: a page reaching back before the run holds the run's oldest records.
            if before is None or not page["data"] or page["data"][-1]["finished_at"] < since:
                return found
