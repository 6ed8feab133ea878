"""The LLM tiers: vLLM's own latency, queue and cache metrics, one series per tier.

Prometheus's `job` label (edge-llm, cloud-llm) tells the tier: both engines export the same names.
"""

from __future__ import annotations

from grafana_foundation_sdk.builders.dashboard import Dashboard
from grafana_foundation_sdk.models import units

from ._panels import Panel, Query, build_dashboard, histogram_quantile

UID = "edgecloud-llm"

# Grafana has no token unit; a custom suffix keeps the axis honest.
TOKENS_PER_SECOND = "suffix:tok/s"


def _quantile(q: float, metric: str) -> str:
    return histogram_quantile(q, metric, by="job")


ROWS: tuple[tuple[Panel, ...], ...] = (
    (
        Panel(
            "Time to first token per tier",
            "vLLM's time to first token (p50, p95, p99): queueing plus prefill.",
            units.Seconds,
            tuple(
                Query(f"job:vllm_time_to_first_token_seconds:{q}_1m", f"{{{{job}}}} {q}")
                for q in ("p50", "p95", "p99")
            ),
        ),
        Panel(
            "Inter-token latency per tier",
            "Time between two generated tokens of a request (p50, p95): the decode speed.",
            units.Seconds,
            (
                Query(_quantile(0.5, "vllm:inter_token_latency_seconds"), "{{job}} p50"),
                Query(_quantile(0.95, "vllm:inter_token_latency_seconds"), "{{job}} p95"),
            ),
        ),
    ),
    (
        Panel(
            "Waiting requests (queue)",
            "Requests vLLM holds before it schedules them.",
            units.Short,
            (Query("sum by (job) (vllm:num_requests_waiting)", "{{job}}"),),
            width=8,
        ),
        Panel(
            "Running requests",
            "Requests in vLLM's running batch.",
            units.Short,
            (Query("sum by (job) (vllm:num_requests_running)", "{{job}}"),),
            width=8,
        ),
        Panel(
            "KV cache usage",
            "Fraction of the KV-cache blocks in use; near one, vLLM preempts or queues.",
            units.PercentUnit,
            (Query("max by (job) (vllm:kv_cache_usage_perc)", "{{job}}"),),
            width=8,
            ratio=True,
        ),
    ),
    (
        Panel(
            "Generation tokens/s per tier",
            "Tokens generated and prompt tokens processed per second.",
            TOKENS_PER_SECOND,
            (
                Query("sum by (job) (rate(vllm:generation_tokens_total[1m]))", "{{job}} generated"),
                Query("sum by (job) (rate(vllm:prompt_tokens_total[1m]))", "{{job}} prompt"),
            ),
            width=8,
        ),
        Panel(
            "Queue time p95 per tier",
            "95th percentile of the time a request waited in vLLM's queue.",
            units.Seconds,
            (Query(_quantile(0.95, "vllm:request_queue_time_seconds"), "{{job}}"),),
            width=8,
        ),
        Panel(
            "Engine request latency p95 per tier",
            "95th percentile of vLLM's own end-to-end request latency, without radio or backhaul.",
            units.Seconds,
            (Query(_quantile(0.95, "vllm:e2e_request_latency_seconds"), "{{job}}"),),
            width=8,
        ),
    ),
)


def llm() -> Dashboard:
    return build_dashboard(
        UID,
        "edgecloud: LLM tiers",
        "The edge and cloud vLLM engines, from their own /metrics.",
        ROWS,
    )
