"""Fault injection: campaigns as data, and the docker backend against a fake Engine API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import docker
import pytest
from pydantic import ValidationError

from edgecloud.faults import Action, FaultError, load_campaign, run_campaign, timeline
from edgecloud.faults.docker_backend import PROJECT_LABEL, SERVICE_LABEL, DockerBackend

from .fake_docker import Container, Engine, fake_engine


def compose_container(
    cid: str, service: str, project: str = "edgecloud", replica: int = 1
) -> Container:
    labels = {SERVICE_LABEL: service, PROJECT_LABEL: project}
    name = f"{project}-{service}-{replica}"
    return Container(cid, name, labels, networks={f"{project}_default"})


@pytest.fixture
def engine() -> Engine:
    containers = [
        compose_container("c-redis", "redis"),
        compose_container("c-edge", "edge-llm"),
        compose_container("c-orch-1", "orchestrator"),
        compose_container("c-orch-2", "orchestrator", replica=2),
        compose_container("c-other", "redis", project="someone-else"),
    ]
    return Engine({c.id: c for c in containers})


@pytest.fixture
def backend(engine: Engine) -> Iterator[DockerBackend]:
    with fake_engine(engine) as url:
        client = docker.DockerClient(base_url=url, version="1.43", timeout=5)
        yield DockerBackend(client, project="edgecloud")


def test_services_are_the_compose_services_of_the_project(backend: DockerBackend) -> None:
    assert backend.services() == ["edge-llm", "orchestrator", "redis"]


def test_each_action_reaches_every_container_of_the_service_and_only_those(
    backend: DockerBackend, engine: Engine
) -> None:
    backend.apply(Action.KILL, "orchestrator")
    backend.apply(Action.START, "orchestrator")
    backend.apply(Action.STOP, "redis")
    backend.apply(Action.PAUSE, "edge-llm")
    backend.apply(Action.RESUME, "edge-llm")
    assert engine.calls == [
        ("kill", "edgecloud-orchestrator-1"),
        ("kill", "edgecloud-orchestrator-2"),
        ("start", "edgecloud-orchestrator-1"),
        ("start", "edgecloud-orchestrator-2"),
        ("stop", "edgecloud-redis-1"),
        ("pause", "edgecloud-edge-llm-1"),
        ("unpause", "edgecloud-edge-llm-1"),
    ]
    assert engine.containers["c-redis"].state == "exited"
    assert engine.containers["c-other"].state == "running"  # another project's redis
    assert engine.containers["c-edge"].state == "running"


def test_a_cut_disconnects_every_network_and_a_reconnect_restores_them(
    backend: DockerBackend, engine: Engine
) -> None:
    backend.apply(Action.CUT, "redis")
    assert engine.containers["c-redis"].networks == set()
    backend.apply(Action.RECONNECT, "redis")
    assert engine.containers["c-redis"].networks == {"edgecloud_default"}


def test_an_unknown_service_is_a_fault_error(backend: DockerBackend) -> None:
    with pytest.raises(FaultError, match="no container"):
        backend.apply(Action.KILL, "nope")


def test_a_campaign_file_becomes_a_timeline_with_lasting_faults_undone(tmp_path: Path) -> None:
    path = tmp_path / "campaign.toml"
    path.write_text(
        "[[fault]]\nat_s = 30\naction = 'kill'\nservice = 'edge-llm'\n"
        "[[fault]]\nat_s = 10\naction = 'stop'\nservice = 'redis'\nduration_s = 60\n"
        "[[fault]]\nat_s = 40\naction = 'pause'\nservice = 'orchestrator'\nduration_s = 5\n"
    )
    events = [(e.at_s, e.action, e.service) for e in timeline(load_campaign(path))]
    assert events == [
        (10, Action.STOP, "redis"),
        (30, Action.KILL, "edge-llm"),
        (40, Action.PAUSE, "orchestrator"),
        (45, Action.RESUME, "orchestrator"),
        (70, Action.START, "redis"),
    ]


def test_a_kill_cannot_last_and_an_unknown_field_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[[fault]]\nat_s = 1\naction = 'kill'\nservice = 'x'\nduration_s = 3\n")
    with pytest.raises(ValidationError, match="has no end"):
        load_campaign(path)
    path.write_text("[[fault]]\nat_s = 1\naction = 'kill'\nservice = 'x'\nat = 3\n")
    with pytest.raises(ValidationError):
        load_campaign(path)


class Recorder:
    def __init__(self) -> None:
        self.applied: list[tuple[Action, str]] = []

    def services(self) -> list[str]:
        return ["redis"]

    def apply(self, action: Action, service: str) -> None:
        self.applied.append((action, service))


def test_a_campaign_applies_each_event_at_its_time(tmp_path: Path) -> None:
    path = tmp_path / "campaign.toml"
    path.write_text("[[fault]]\nat_s = 2\naction = 'stop'\nservice = 'redis'\nduration_s = 3\n")
    now = [0.0]
    recorder = Recorder()

    def sleep(seconds: float) -> None:
        now[0] += seconds

    applied = run_campaign(recorder, load_campaign(path), clock=lambda: now[0], sleep=sleep)
    assert recorder.applied == [(Action.STOP, "redis"), (Action.START, "redis")]
    assert [(begun, done) for _, begun, done in applied] == [(2.0, 2.0), (5.0, 5.0)]


def test_the_bundled_example_campaign_is_valid() -> None:
    path = Path(__file__).resolve().parents[3] / "loadtest" / "faults" / "campaign.toml"
    assert [e.action for e in timeline(load_campaign(path))] == [
        Action.KILL, Action.STOP, Action.START, Action.PAUSE, Action.RESUME,
    ]  # fmt: skip
