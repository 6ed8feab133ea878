"""Names the dashboards share with the rest of the deployment.

The datasource uid is the one `deploy/grafana/provisioning/datasources/prometheus.yml` provisions;
the recording rules are those of `deploy/prometheus/rules/`; the vLLM names are what the engine
exports (its metrics are not in our source, so the tests check panels against this list instead).
"""

from __future__ import annotations

from typing import Final

DATASOURCE_TYPE: Final = "prometheus"
DATASOURCE_UID: Final = "prometheus"
FOLDER_TAG: Final = "edgecloud"

RECORDING_RULES: Final = frozenset(
    {
        *(f"route_policy:edgecloud_request_delay_seconds:{q}_1m" for q in ("p50", "p95", "p99")),
        *(f"policy:edgecloud_decision_seconds:{q}_1m" for q in ("p50", "p95", "p99")),
        *(f"job:vllm_time_to_first_token_seconds:{q}_1m" for q in ("p50", "p95", "p99")),
        "part:edgecloud_request_delay_part_seconds:mean_1m",
    }
)

# Series names as scraped from vLLM 0.11+ (histograms carry _bucket/_sum/_count, counters _total).
VLLM_METRICS: Final = frozenset(
    {
        *(
            f"vllm:{name}_{suffix}"
            for name in (
                "time_to_first_token_seconds",
                "inter_token_latency_seconds",
                "request_queue_time_seconds",
                "e2e_request_latency_seconds",
            )
            for suffix in ("bucket", "sum", "count")
        ),
        "vllm:num_requests_running",
        "vllm:num_requests_waiting",
        "vllm:kv_cache_usage_perc",
        "vllm:generation_tokens_total",
        "vllm:prompt_tokens_total",
    }
)
