"""Locust UEs for the edge-cloud testbed.

Each simulated user is a UE with its own ``X-UE-Id``, placed in a cell through the radio
emulator's admin API (when an admin token is at hand), that sends a mix of chat, extraction,
coding and science prompts from ``prompts.json`` with the task type and the quality requirement
in the request metadata, and streams every answer. Statistics, beside Locust's usual ones:

- ``POST answer <task type>``: request sent to last byte received (the end-to-end delay);
- ``ttft <task type>``: time to the first token;
- ``tokens/s <task type>``: decode rate after the first token (Locust prints the value in its
  millisecond columns: read 42 as 42 tokens/s).

Closed loop by default: a UE waits an exponential think time (``--think-time-s``) after each
answer. ``--arrival-rate R`` makes it open loop: each UE's requests arrive as a Poisson process of
R per second, whatever the answers take (the offered load is R times the number of UEs, so the load
shapes apply in both modes, and workers of a distributed run need no coordination).
``--load-shape`` steady | ramp | spike shapes the number of UEs over the run, from ``-u`` (the
peak), ``-r`` and ``-t``. The custom statistics swell Locust's "Aggregated" row (three entries
per answer): read the answers' own rows, or the RESULT line of ``edgecloud load``.

    locust -f loadtest/locustfile.py --host http://127.0.0.1:8000 --headless -u 8 -r 2 -t 60s
"""

from __future__ import annotations

import argparse
import functools
import itertools
import logging
import random
import time
from pathlib import Path
from typing import Any, ClassVar, cast

import requests
from gevent.pool import Group
from locust import HttpUser, LoadTestShape, events, task
from locust.argument_parser import LocustArgumentParser
from locust.env import Environment

from edgecloud.load.options import LOCUST_OPTIONS
from edgecloud.load.placement import ue_position
from edgecloud.load.prompts import PromptSet, TaskMix
from edgecloud.load.shapes import Shape, stage_at, stages
from edgecloud.load.stream import StreamTiming
from edgecloud.load.summary import (
    CHAT_NAME_PREFIX,
    TOKENS_PER_S_REQUEST_TYPE,
    TTFT_REQUEST_TYPE,
)

logger = logging.getLogger(__name__)
_ue_numbers = itertools.count()


def add_options(parser: LocustArgumentParser) -> None:
    for flag, arguments in LOCUST_OPTIONS.items():
        if flag == "--prompts":  # the prompt set beside this file, wherever it is run from
            arguments = arguments | {"default": str(Path(__file__).with_name("prompts.json"))}
        parser.add_argument(flag, **arguments)


events.init_command_line_parser.add_listener(add_options)  # type: ignore[no-untyped-call]


def options_of(environment: Environment) -> argparse.Namespace:
    options = environment.parsed_options
    assert isinstance(options, argparse.Namespace), "Locust parses its options before users start"
    return options


@functools.cache
def workload(prompts_path: str, task_mix: str) -> tuple[PromptSet, TaskMix]:
    return PromptSet.load(Path(prompts_path)), TaskMix.parse(task_mix)


@functools.cache
def admin_token(token: str, token_file: str) -> str | None:
    if token:
        return token
    path = Path(token_file)
    if path.is_file():
        return path.read_text().strip() or None
    logger.warning("no radio admin token: UEs are placed where the emulator puts them")
    return None


class Ue(HttpUser):
    """One UE: placed on start, then streaming answers to prompts of the task mix.

    ``HttpUser`` (requests) rather than ``FastHttpUser``: requests hands over a streamed body as
    each chunk arrives, so the time to first token is exact; geventhttpclient's reads wait for
    a full buffer. LLM answers come at a few per second, far below where the client costs count.
    """

    answer_timeout_s = 300.0  # a long answer on a loaded CPU engine

    # The cells stand still: one GET /cells per process serves every UE it places.
    _cell_sites: ClassVar[list[tuple[float, float]] | None] = None

    def on_start(self) -> None:
        self.options = options = options_of(self.environment)
        self.prompts, self.mix = workload(options.prompts, options.task_mix)
        worker = getattr(self.environment.runner, "worker_index", 0)
        number = next(_ue_numbers)
        self.ue_id = f"locust-{worker}-{number}"
        self.rng = random.Random(f"{options.seed}:{self.ue_id}")
        self.in_flight = Group()
        self.admin_url = (options.radio_admin_url or self.host or "").rstrip("/")
        self.token = admin_token(options.admin_token, options.admin_token_file)
        self.placed = self.token is not None and self.place(self.token, cell_index=number)

    def cell_sites(self) -> list[tuple[float, float]] | None:
        if Ue._cell_sites is None:
            cells_url = f"{self.admin_url}/cells"
            with self.client.get(cells_url, name="GET /cells", catch_response=True) as cells:
                if cells.status_code != 200:
                    cells.failure(f"HTTP {cells.status_code}")
                    return None
                Ue._cell_sites = [(c["x_m"], c["y_m"]) for c in cells.json()]
        return Ue._cell_sites

    def place(self, token: str, cell_index: int) -> bool:
        options = self.options
        sites = self.cell_sites()
        if sites is None:
            return False
        x_m, y_m = ue_position(sites, cell_index, self.ue_id, options.seed, options.cell_radius_m)
        body: dict[str, Any] = {"x_m": x_m, "y_m": y_m}
        if options.ue_speed_mps > 0:
            body["mobility"] = {"kind": "random_waypoint", "speed_mps": options.ue_speed_mps}
        with self.client.put(
            f"{self.admin_url}/admin/ues/{self.ue_id}",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
            name="PUT /admin/ues/{ue}",
            catch_response=True,
        ) as placed:
            if placed.status_code != 200:
                placed.failure(f"HTTP {placed.status_code}: {placed.text}")
                return False
        return True

    def on_stop(self) -> None:
        # The environment's stop timeout, which the master sends to its workers.
        self.in_flight.join(timeout=self.environment.stop_timeout or 0)
        self.in_flight.kill()
        if self.placed:
            self.client.delete(
                f"{self.admin_url}/admin/ues/{self.ue_id}",
                headers={"Authorization": f"Bearer {self.token}"},
                name="DELETE /admin/ues/{ue}",
            )

    def wait_time(self) -> float:
        options = self.options
        if options.arrival_rate > 0:
            return self.rng.expovariate(options.arrival_rate)
        return self.rng.expovariate(1 / options.think_time_s) if options.think_time_s > 0 else 0

    @task
    def ask(self) -> None:
        if self.options.arrival_rate > 0:
            self.in_flight.spawn(self.guarded_chat)  # open loop: the next arrival does not wait
        else:
            self.chat()

    def guarded_chat(self) -> None:
        """``chat`` in its own greenlet, where an error would otherwise go unrecorded."""
        try:
            self.chat()
        except Exception as exc:
            logger.exception("open-loop request failed")
            self.environment.events.request.fire(
                request_type="POST",
                name=f"{CHAT_NAME_PREFIX}(error)",
                response_time=0.0,
                response_length=0,
                exception=exc,
                context={},
            )

    def chat(self) -> None:
        task_type = self.mix.pick(self.rng)
        prompt = self.prompts.pick(task_type, self.rng)
        body = {
            "model": "auto",
            "messages": [{"role": "user", "content": prompt.prompt}],
            "max_tokens": prompt.max_tokens,
            "stream": True,
            "metadata": {
                "task_type": task_type.value,
                "quality_required": str(prompt.quality_required),
            },
        }
        headers = {"X-UE-Id": self.ue_id}
        if policy := self.options.policy:
            headers["X-Policy"] = policy
        timing = StreamTiming(sent_at=time.perf_counter())
        with self.client.post(
            "/v1/chat/completions",
            json=body,
            headers=headers,
            name=f"{CHAT_NAME_PREFIX}{task_type.value}",
            stream=True,
            catch_response=True,
            timeout=self.answer_timeout_s,
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}: {response.text[:300]}")
                return
            try:
                for chunk in response.iter_content(chunk_size=None):
                    timing.feed(chunk, time.perf_counter())
            except requests.RequestException as exc:  # cut or stalled mid-stream
                response.failure(f"{type(exc).__name__} after {timing.bytes_received} bytes")
                return
            # Locust timed the response headers only (stream=True): report the whole answer.
            meta = cast(dict[str, Any], response.request_meta)
            meta["response_time"] = (time.perf_counter() - timing.sent_at) * 1e3
            meta["response_length"] = timing.bytes_received
            if (why := timing.failure()) is not None:
                response.failure(why)
                return
        if timing.ttft_s is not None:
            self.record(TTFT_REQUEST_TYPE, task_type.value, timing.ttft_s * 1e3)
        if (rate := timing.tokens_per_s) is not None:
            self.record(TOKENS_PER_S_REQUEST_TYPE, task_type.value, rate)

    def record(self, kind: str, name: str, value: float) -> None:
        self.environment.events.request.fire(
            request_type=kind,
            name=f"{kind} {name}",
            response_time=value,
            response_length=0,
            exception=None,
            context={},
        )


class UeShape(LoadTestShape):
    """``--load-shape`` over the run: peak ``-u`` UEs, spawn rate ``-r``, length ``-t``."""

    use_common_options = True

    def tick(self) -> tuple[int, float] | None:
        assert self.runner is not None
        options = options_of(self.runner.environment)
        users, rate = options.num_users or 1, options.spawn_rate or 1.0
        if not options.run_time:
            return users, rate  # no length: hold the peak until stopped
        stage = stage_at(
            stages(Shape(options.load_shape), users, rate, options.run_time),
            time.perf_counter() - self.start_time,
        )
        return None if stage is None else (stage.users, stage.spawn_rate)
