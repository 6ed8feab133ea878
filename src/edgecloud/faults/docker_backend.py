"""Faults on a compose deployment, through the Docker Engine API (the ``docker`` SDK).

A service is every container with compose's label ``com.docker.compose.service=<name>`` (of one
project when given). Kill, stop, start, pause and resume are the Engine's own; a cut disconnects
the containers from each of their networks and remembers which, for the reconnect.
"""

from __future__ import annotations

from typing import Any

from .actions import Action, FaultError

SERVICE_LABEL = "com.docker.compose.service"
PROJECT_LABEL = "com.docker.compose.project"


class DockerBackend:
    def __init__(self, client: Any, project: str | None = None, stop_timeout_s: int = 45) -> None:
        self._client = client  # a docker.DockerClient
        self._project = project
        self._stop_timeout_s = stop_timeout_s  # compose's stop_grace_period for the services
        self._cut: dict[str, list[str]] = {}  # container id -> the networks it was cut from

    @classmethod
    def from_env(cls, project: str | None = None) -> DockerBackend:
        import docker

        try:
            return cls(docker.from_env(), project)
        except docker.errors.DockerException as exc:
            raise FaultError(f"no Docker engine: {exc}") from exc

    def _containers(self, service: str | None = None) -> list[Any]:
        labels = [SERVICE_LABEL if service is None else f"{SERVICE_LABEL}={service}"]
        if self._project is not None:
            labels.append(f"{PROJECT_LABEL}={self._project}")
        containers: list[Any] = self._client.containers.list(all=True, filters={"label": labels})
        return containers

    def services(self) -> list[str]:
        return sorted({c.labels[SERVICE_LABEL] for c in self._containers()})

    def apply(self, action: Action, service: str) -> None:
        containers = self._containers(service)
        if not containers:
            raise FaultError(f"no container of compose service {service!r}")
        for container in containers:
            self._apply(action, container)

    def _apply(self, action: Action, container: Any) -> None:
        if action is Action.KILL:
            container.kill()
        elif action is Action.STOP:
            container.stop(timeout=self._stop_timeout_s)
        elif action is Action.START:
            container.start()
        elif action is Action.PAUSE:
            container.pause()
        elif action is Action.RESUME:
            container.unpause()
        elif action is Action.CUT:
            container.reload()
            names = list(container.attrs["NetworkSettings"]["Networks"])
            for name in names:
                self._client.networks.get(name).disconnect(container)
            self._cut[container.id] = names
        elif action is Action.RECONNECT:
            for name in self._cut.pop(container.id, []):
                self._client.networks.get(name).connect(container)
