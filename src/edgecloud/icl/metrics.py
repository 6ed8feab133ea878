"""The decider's Prometheus counters, on the registry of whoever runs it (a service, a tool)."""

from __future__ import annotations

from enum import StrEnum

from prometheus_client import CollectorRegistry, Counter


class FallbackReason(StrEnum):
    """Why a policy handed a decision to greedy (label ``reason`` of the fallbacks counter)."""

    NO_MODEL = "no_model"  # drl without a trained model
    POOL_UNAVAILABLE = "pool_unavailable"  # kNN/ICL while the experience pool is stale
    NO_DECISION_LLM = "no_decision_llm"
    TIMEOUT = "timeout"
    LLM_ERROR = "llm_error"
    INVALID_ANSWER = "invalid_answer"
    CACHE_MISS = "cache_miss"  # cached ICL before its first decision for the state


class DecisionMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.fallbacks = Counter(
            "edgecloud_policy_fallbacks",
            "Decisions a policy handed to greedy, by reason (timeout, invalid_answer, ...)",
            ["policy", "reason"],
            registry=registry,
        )
        self.icl_decisions = Counter(
            "edgecloud_icl_decisions",
            "ICL decisions by mode and answer kind, and whether greedy would have agreed",
            ["mode", "answer", "agrees_with_greedy"],
            registry=registry,
        )
        self.icl_explorations = Counter(
            "edgecloud_icl_explorations", "Epsilon-greedy random decisions", registry=registry
        )
        self.icl_selections = Counter(
            "edgecloud_icl_example_selections",
            "Example selections by method (state, ranking, none)",
            ["method"],
            registry=registry,
        )
        # Read 0 from the start rather than absent until the first fallback (see
        # OrchestratorMetrics): ICL's reasons are the ones a dashboard shows.
        for reason in FallbackReason:
            if reason is not FallbackReason.NO_MODEL:
                self.fallbacks.labels("icl", reason.value)
