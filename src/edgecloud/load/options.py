"""The testbed's own Locust options (``--task-mix``, ``--policy``, ...), as a table.

Each entry is the keyword arguments of ``LocustArgumentParser.add_argument`` for one flag; the
locustfile adds them all (and gives ``--prompts`` its default, the file beside it).
"""

from __future__ import annotations

from typing import Any

from .shapes import Shape

# A declarative table (one entry per flag): long by design.
LOCUST_OPTIONS: dict[str, dict[str, Any]] = {
    "--task-mix": {
        "env_var": "LOCUST_TASK_MIX",
        "default": "chat=1,extraction=1,coding=1,science=1",
        "help": "weights of the task types, e.g. chat=3,coding=1",
    },
    "--prompts": {"env_var": "LOCUST_PROMPTS", "help": "prompt set"},
    "--policy": {
        "env_var": "LOCUST_POLICY",
        "default": "",
        "help": "X-Policy header (empty: the deployment's default policy)",
    },
    "--load-shape": {
        "env_var": "LOCUST_LOAD_SHAPE",
        "choices": [s.value for s in Shape],
        "default": Shape.STEADY.value,
    },
    "--arrival-rate": {
        "env_var": "LOCUST_ARRIVAL_RATE",
        "type": float,
        "default": 0.0,
        "help": "open loop: Poisson arrivals of this many requests/s per UE (0: closed loop)",
    },
    "--think-time-s": {
        "env_var": "LOCUST_THINK_TIME_S",
        "type": float,
        "default": 1.0,
        "help": "closed loop: mean think time",
    },
    "--admin-token": {
        "env_var": "LOCUST_ADMIN_TOKEN",
        "default": "",
        "is_secret": True,
        "help": "the radio emulator's admin token",
    },
    "--admin-token-file": {
        "env_var": "LOCUST_ADMIN_TOKEN_FILE",
        "default": ".work/stack/admin-token",
        "help": "read the admin token from here when --admin-token is empty (make up writes it)",
    },
    "--radio-admin-url": {
        "env_var": "LOCUST_RADIO_ADMIN_URL",
        "default": "",
        "help": "the radio emulator that gets the admin token (empty: the host); fixing it keeps "
        "the token from following a host changed in the web UI",
    },
    "--cell-radius-m": {"env_var": "LOCUST_CELL_RADIUS_M", "type": float, "default": 100.0},
    "--ue-speed-mps": {
        "env_var": "LOCUST_UE_SPEED_MPS",
        "type": float,
        "default": 0.0,
        "help": "random-waypoint speed (0: static)",
    },
    "--seed": {
        "env_var": "LOCUST_SEED",
        "type": int,
        "default": 0,
        "help": "placements and prompt draws",
    },
}
