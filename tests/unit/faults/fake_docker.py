"""An in-process fake of the Docker Engine API: the few endpoints the fault backend calls, over
real HTTP, so that the real ``docker`` SDK talks to it (there is no Docker engine here)."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse


@dataclass
class Container:
    id: str
    name: str
    labels: dict[str, str]
    state: str = "running"
    networks: set[str] = field(default_factory=set)

    def inspect(self) -> dict[str, Any]:
        return {
            "Id": self.id,
            "Name": f"/{self.name}",
            "Config": {"Labels": self.labels},
            "State": {"Status": self.state},
            "NetworkSettings": {"Networks": {n: {} for n in sorted(self.networks)}},
        }


@dataclass
class Engine:
    containers: dict[str, Container]
    calls: list[tuple[str, str]] = field(default_factory=list)  # (operation, container name)

    def matching(self, filters: dict[str, list[str]], all_states: bool) -> list[Container]:
        found = []
        for c in self.containers.values():
            ok = all(
                (k in c.labels) if "=" not in want else c.labels.get(k) == v
                for want in filters.get("label", [])
                for k, _, v in [want.partition("=")]
            )
            if ok and (all_states or c.state == "running"):
                found.append(c)
        return found


TRANSITIONS = {"kill": "exited", "stop": "exited", "start": "running", "pause": "paused",
               "unpause": "running"}  # fmt: skip


def handler(engine: Engine) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _reply(self, status: int, body: Any = None) -> None:
            data = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlparse(self.path)
            path = re.sub(r"^/v[\d.]+", "", url.path)
            query = parse_qs(url.query)
            if path == "/containers/json":
                filters = json.loads(query.get("filters", ["{}"])[0])
                found = engine.matching(filters, query.get("all", ["0"])[0] in ("1", "true"))
                return self._reply(200, [{"Id": c.id, "Labels": c.labels} for c in found])
            if m := re.fullmatch(r"/containers/([^/]+)/json", path):
                return self._reply(200, engine.containers[m[1]].inspect())
            if m := re.fullmatch(r"/networks/([^/]+)", path):
                return self._reply(200, {"Id": m[1], "Name": m[1]})
            return self._reply(404, {"message": f"no route {path}"})

        def do_POST(self) -> None:
            url = urlparse(self.path)
            path = re.sub(r"^/v[\d.]+", "", url.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            if m := re.fullmatch(r"/containers/([^/]+)/(kill|stop|start|pause|unpause)", path):
                container = engine.containers[m[1]]
                container.state = TRANSITIONS[m[2]]
                engine.calls.append((m[2], container.name))
                return self._reply(204)
            if m := re.fullmatch(r"/networks/([^/]+)/(connect|disconnect)", path):
                container = engine.containers[body["Container"]]
                (container.networks.add if m[2] == "connect" else container.networks.discard)(m[1])
                engine.calls.append((f"{m[2]} {m[1]}", container.name))
                return self._reply(200)
            return self._reply(404, {"message": f"no route {path}"})

    return Handler


@contextmanager
def fake_engine(engine: Engine) -> Iterator[str]:
    """Serve ``engine`` on a free port; yields the base URL for ``docker.DockerClient``."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler(engine))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"tcp://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
