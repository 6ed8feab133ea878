"""The Prometheus scrape configuration of the local stack."""

from __future__ import annotations

from .settings import StackSettings


def prometheus_config(settings: StackSettings) -> str:
    """Prometheus scrape configuration for the local stack (every service, vLLM included)."""
    s = settings
    rules = s.prometheus_rules_dir.resolve()
    if not any(rules.glob("*.yml")):
        # Prometheus would start without them and every quantile panel would stay empty.
        raise FileNotFoundError(f"no recording rules in {rules}: run from the repository root")
    scrape_interval_s = s.prometheus_scrape_interval_s
    jobs = {
        "radio-emulator": [s.radio_port],
        "orchestrator": s.orchestrator_ports,
        "edge-llm": [s.edge_port],
        "cloud-llm": [s.cloud_port],
    }
    if s.starts_decision_llm():
        jobs["decision-llm"] = [s.decision_llm_port]
    lines = [
        "global:",
        f"  scrape_interval: {scrape_interval_s}s",
        f"  evaluation_interval: {scrape_interval_s}s",
        "rule_files:",
        f"  - '{rules / '*.yml'}'",
        "scrape_configs:",
    ]
    for job, ports in jobs.items():
        targets = ", ".join(f"'{s.host}:{port}'" for port in ports)
        lines += [f"  - job_name: {job}", "    static_configs:", f"      - targets: [{targets}]"]
    return "\n".join(lines) + "\n"
