"""The Helm chart, linted and rendered by Helm 4 and validated against Kubernetes 1.32's schemas,
for the default values and each engine choice; then what the rendered objects must hold."""

from __future__ import annotations

import base64
import json
from typing import Any

import helm_python as helm
import kubernetes_validate
import pytest
import yaml

from .chart import (
    CHART,
    KUBERNETES,
    SETTINGS,
    containers,
    notes,
    of_kind,
    render,
    unknown_settings,
)

CHOICES: dict[str, dict[str, Any]] = {
    "default (emulated engines)": {},
    "cpu engines": {"tiers": {"edge": {"engine": "cpu"}, "cloud": {"engine": "cpu"}}},
    "gpu engines": {
        "tiers": {
            "edge": {
                "engine": "gpu",
                "gpu": {"nodeSelector": {"gpu": "l4"}},
                "hfTokenSecret": "hf-token",
            },
            "cloud": {
                "engine": "gpu",
                "replicas": 2,
                "gpu": {
                    "count": 4,
                    "tolerations": [
                        {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
                    ],
                },
            },
        }
    },
    "cpu edge, gpu cloud": {"tiers": {"edge": {"engine": "cpu"}, "cloud": {"engine": "gpu"}}},
    "operator's Prometheus": {"prometheus": {"serviceMonitor": True}},
    "no Prometheus, fixed replicas": {
        "prometheus": {"enabled": False},
        "orchestrator": {"autoscaling": {"enabled": False}, "replicas": 3},
    },
    "Locust master and workers": {"locust": {"enabled": True, "workers": 5}},
}
CRDS = {"ServiceMonitor"}  # custom resources: no schema in kubernetes-validate


def test_the_chart_lints_clean_in_strict_mode() -> None:
    report = helm.lint(CHART, strict=True, kube_version=f"v{KUBERNETES}")
    assert report["errors"] == []
    assert [m for m in report["messages"] if m["severity"] >= 2] == []


@pytest.mark.parametrize("choice", list(CHOICES))
def test_every_rendered_object_is_valid_kubernetes(choice: str) -> None:
    objects = render(CHOICES[choice])
    for obj in objects:
        if obj["kind"] in CRDS:
            continue
        kubernetes_validate.validate(obj, KUBERNETES, strict=True)  # raises when invalid
    assert {o["kind"] for o in objects} >= {"Deployment", "StatefulSet", "Service", "Secret"}


@pytest.mark.parametrize("choice", list(CHOICES))
def test_every_container_sets_only_real_settings_fields(choice: str) -> None:
    for workload, container in containers(render(CHOICES[choice])):
        names = {e["name"]: e.get("value", "") for e in container.get("env", [])}
        assert unknown_settings(names) == [], workload


def test_the_literal_values_are_ones_the_services_accept(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each settings class reads the container's literal values (secrets come at run time)."""
    for workload, container in containers(render(CHOICES["cpu edge, gpu cloud"])):
        env = {e["name"]: e["value"] for e in container.get("env", []) if "value" in e}
        for prefix, settings_class in SETTINGS.items():
            mine = {k: v for k, v in env.items() if k.startswith(prefix)}
            mine.pop("EDGECLOUD_LLM_SERVED_NAME", None)
            if not mine:
                continue
            with monkeypatch.context() as m:
                for key, value in mine.items():
                    m.setenv(key, value)
                settings_class()  # raises if a value is not one the field takes
            assert workload


def test_a_misspelt_setting_in_values_fails() -> None:
    objects = render({"radio": {"env": {"EDGECLOUD_RADIO_DOWNLINK_SHEDULER": "max_ci"}}})
    radio = dict(containers(objects))["tb-radio-emulator"]
    names = {e["name"]: e.get("value", "") for e in radio["env"]}
    assert unknown_settings(names) == ["EDGECLOUD_RADIO_DOWNLINK_SHEDULER"]


def test_values_outside_the_schema_are_refused() -> None:
    with pytest.raises(helm.HelmError, match="engine"):
        render({"tiers": {"edge": {"engine": "tpu"}}})
    with pytest.raises(helm.HelmError):
        render({"radio": {"service": {"type": "ExternalName"}}})
    with pytest.raises(helm.HelmError):
        render({"secrets": {"adminToken": "too-short"}})


@pytest.mark.parametrize("choice", list(CHOICES))
def test_only_the_radio_emulator_is_exposed(choice: str) -> None:
    services = of_kind(render(CHOICES[choice]), "Service")
    external = [n for n, s in services.items() if s["spec"].get("type", "ClusterIP") != "ClusterIP"]
    assert external == ["tb-radio-emulator"]


@pytest.mark.parametrize("choice", list(CHOICES))
def test_every_workload_has_probes_resources_and_no_root(choice: str) -> None:
    for workload, container in containers(render(CHOICES[choice])):
        assert container.get("readinessProbe"), workload
        assert container.get("livenessProbe"), workload
        assert container["resources"]["requests"], workload
        assert container["resources"]["limits"], workload
        security = container["securityContext"]
        assert security["runAsNonRoot"] is True, workload
        assert security["runAsUser"] != 0, workload
        assert security["allowPrivilegeEscalation"] is False, workload


def test_every_prometheus_scrape_target_is_a_rendered_service() -> None:
    objects = render()
    config = yaml.safe_load(
        of_kind(objects, "ConfigMap")["tb-prometheus"]["data"]["prometheus.yml"]
    )
    services = of_kind(objects, "Service")
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert set(jobs) == {"radio-emulator", "orchestrator", "edge-llm", "cloud-llm"}
    for job in jobs.values():
        for sd in job["dns_sd_configs"]:
            for name in sd["names"]:
                assert name in services, name
                assert services[name]["spec"]["clusterIP"] == "None"  # every pod, not one
                assert any(p["port"] == sd["port"] for p in services[name]["spec"]["ports"])
    rules = yaml.safe_load(of_kind(objects, "ConfigMap")["tb-prometheus"]["data"]["rules.yml"])
    assert rules == yaml.safe_load(
        (CHART.parents[1] / "prometheus/rules/edgecloud.yml").read_text()
    )


def test_with_the_operator_a_service_monitor_selects_every_scraped_service() -> None:
    objects = render(CHOICES["operator's Prometheus"])
    monitor = of_kind(objects, "ServiceMonitor")["tb-prometheus"]
    wanted = monitor["spec"]["selector"]["matchLabels"]
    selected = [
        n
        for n, s in of_kind(objects, "Service").items()
        if wanted.items() <= s["metadata"]["labels"].items()
    ]
    assert sorted(selected) == sorted(
        f"tb-{job}-pods" for job in ("radio-emulator", "orchestrator", "edge-llm", "cloud-llm")
    )
    assert "tb-prometheus" not in of_kind(objects, "Deployment")


def test_the_orchestrator_scales_and_keeps_a_replica_through_disruptions() -> None:
    objects = render()
    hpa = of_kind(objects, "HorizontalPodAutoscaler")["tb-orchestrator"]
    assert hpa["spec"]["scaleTargetRef"]["name"] == "tb-orchestrator"
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 8)
    pdb = of_kind(objects, "PodDisruptionBudget")["tb-orchestrator"]
    assert pdb["spec"]["minAvailable"] == 1
    assert of_kind(objects, "Deployment")["tb-radio-emulator"]["spec"]["replicas"] == 1
    fixed = of_kind(render(CHOICES["no Prometheus, fixed replicas"]), "Deployment")
    assert fixed["tb-orchestrator"]["spec"]["replicas"] == 3


def test_gpu_engines_ask_for_gpus_on_the_nodes_chosen() -> None:
    deployments = of_kind(render(CHOICES["gpu engines"]), "Deployment")
    cloud = deployments["tb-cloud-llm"]["spec"]
    assert cloud["replicas"] == 2
    engine = cloud["template"]["spec"]["containers"][0]
    assert engine["image"].startswith("vllm/vllm-openai:")
    assert engine["resources"]["limits"]["nvidia.com/gpu"] == 4
    assert cloud["template"]["spec"]["tolerations"][0]["key"] == "nvidia.com/gpu"
    edge = deployments["tb-edge-llm"]["spec"]["template"]["spec"]
    assert edge["nodeSelector"] == {"gpu": "l4"}
    assert "--served-model-name=edge" in edge["containers"][0]["args"]
    token = next(e for e in edge["containers"][0]["env"] if e["name"] == "HF_TOKEN")
    assert token["valueFrom"]["secretKeyRef"] == {"name": "hf-token", "key": "token"}
    # Not root, and torch can name the user (the image has no passwd entry for the uid).
    env = {e["name"]: e.get("value") for e in edge["containers"][0]["env"]}
    assert env["USER"] == "vllm"
    assert env["HOME"] == "/data"
    assert edge["containers"][0]["securityContext"]["runAsUser"] != 0


def test_redis_keeps_the_history_on_a_persistent_append_only_volume() -> None:
    redis = of_kind(render(), "StatefulSet")["tb-redis"]["spec"]
    assert "--appendonly" in redis["template"]["spec"]["containers"][0]["args"]
    claim = redis["volumeClaimTemplates"][0]["spec"]
    assert claim["resources"]["requests"]["storage"] == "8Gi"


def sources(policy: dict[str, Any]) -> list[str]:
    """The components a NetworkPolicy lets in, sorted."""
    return sorted(
        peer["podSelector"]["matchLabels"]["app.kubernetes.io/component"]
        for rule in policy["spec"]["ingress"]
        for peer in rule["from"]
    )


def test_network_policies_let_only_the_radio_reach_the_orchestrator() -> None:
    policies = of_kind(render(), "NetworkPolicy")
    assert policies["tb-default-deny"]["spec"]["policyTypes"] == ["Ingress"]
    assert sources(policies["tb-orchestrator-ingress"]) == ["prometheus", "radio-emulator"]
    assert sources(policies["tb-redis-ingress"]) == ["orchestrator", "radio-emulator"]
    assert "from" not in policies["tb-radio-emulator-ingress"]["spec"]["ingress"][0]


def test_secrets_are_generated_unless_given() -> None:
    generated = of_kind(render(), "Secret")["tb-secrets"]["data"]
    assert len(base64.b64decode(generated["adminToken"])) == 32
    assert generated["adminToken"] != generated["sharedSecret"]
    given = of_kind(render({"secrets": {"adminToken": "a" * 20}}), "Secret")["tb-secrets"]["data"]
    assert base64.b64decode(given["adminToken"]) == b"a" * 20


def test_notes_show_the_first_request() -> None:
    text = notes()
    assert "port-forward svc/tb-radio-emulator 8000:8000" in text
    assert "/v1/chat/completions" in text


def test_grafana_shows_the_generated_dashboards_on_the_releases_prometheus() -> None:
    objects = render()
    config_maps = of_kind(objects, "ConfigMap")
    dashboards = config_maps["tb-grafana-dashboards"]["data"]
    generated = CHART.parents[1] / "grafana" / "dashboards"
    assert set(dashboards) == {p.name for p in generated.glob("*.json")}
    for name, text in dashboards.items():
        assert json.loads(text) == json.loads((generated / name).read_text())  # one source
    provisioning = config_maps["tb-grafana-provisioning"]["data"]
    source = yaml.safe_load(provisioning["datasources.yml"])["datasources"][0]
    assert source["url"] == "http://tb-prometheus:9090"
    assert "tb-prometheus" in of_kind(objects, "Service")
    grafana = dict(containers(objects))["tb-grafana"]
    password = next(e for e in grafana["env"] if e["name"] == "GF_SECURITY_ADMIN_PASSWORD")
    assert password["valueFrom"]["secretKeyRef"]["key"] == "grafanaAdminPassword"


def test_locust_workers_hold_the_admin_token_and_the_master_does_not() -> None:
    objects = render(CHOICES["Locust master and workers"])
    assert of_kind(objects, "Deployment")["tb-locust-worker"]["spec"]["replicas"] == 5
    by_name = dict(containers(objects))
    worker_env = {e["name"]: e for e in by_name["tb-locust-worker"]["env"]}
    assert worker_env["LOCUST_ADMIN_TOKEN"]["valueFrom"]["secretKeyRef"]["key"] == "adminToken"
    assert worker_env["LOCUST_RADIO_ADMIN_URL"]["value"] == "http://tb-radio-emulator:8000"
    master_env = {e["name"] for e in by_name["tb-locust-master"]["env"]}
    assert "LOCUST_ADMIN_TOKEN" not in master_env
    assert "--expect-workers" in by_name["tb-locust-master"]["args"]


def test_a_values_change_that_breaks_a_manifest_fails_validation() -> None:
    """The schema lets tolerations through as objects; Kubernetes' own schema catches a typo."""
    broken = {"tiers": {"edge": {"engine": "gpu", "gpu": {"tolerations": [{"keyy": "gpu"}]}}}}
    edge = of_kind(render(broken), "Deployment")["tb-edge-llm"]
    with pytest.raises(kubernetes_validate.ValidationError, match="keyy"):
        kubernetes_validate.validate(edge, KUBERNETES, strict=True)
