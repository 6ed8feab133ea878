"""The emulated engine's /metrics under vLLM's own names, so dashboards and pollers need no change.

Names, label and buckets follow vLLM's ``vllm/v1/metrics/loggers.py`` (0.11-0.32): every series
has a ``model_name`` label; times are histograms in seconds.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from edgecloud.model.engine import BatchEngine, Iteration

from .completions import Plan
from .profile import EngineProfile

_REQUEST_S = (0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0,
              120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0)  # fmt: skip
_TTFT_S = (0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5,
           10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0)  # fmt: skip
_ITL_S = (0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
          20.0, 40.0, 80.0)  # fmt: skip
_TOKENS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)


class EngineMetrics:
    def __init__(self, registry: CollectorRegistry, profile: EngineProfile, model_name: str):
        label = ["model_name"]

        def histogram(name: str, doc: str, buckets: tuple[float, ...]) -> Histogram:
            return Histogram(name, doc, label, buckets=buckets, registry=registry)

        self.running = Gauge("vllm:num_requests_running", "Requests in the batch", label,
                             registry=registry)  # fmt: skip
        self.waiting = Gauge("vllm:num_requests_waiting", "Requests waiting", label,
                             registry=registry)  # fmt: skip
        self.kv_usage = Gauge("vllm:kv_cache_usage_perc", "KV-cache usage (1 = 100%)", label,
                              registry=registry)  # fmt: skip
        self.preemptions = Counter("vllm:num_preemptions", "Preemptions", label, registry=registry)
        self.prompt_tokens = Counter("vllm:prompt_tokens", "Prefill tokens processed", label,
                                     registry=registry)  # fmt: skip
        self.generation_tokens = Counter("vllm:generation_tokens", "Tokens generated", label,
                                         registry=registry)  # fmt: skip
        self.success = Counter("vllm:request_success", "Finished requests",
                               [*label, "finished_reason"], registry=registry)  # fmt: skip
        self.ttft = histogram("vllm:time_to_first_token_seconds", "Time to first token", _TTFT_S)
        self.itl = histogram("vllm:inter_token_latency_seconds", "Inter-token latency", _ITL_S)
        self.tpot = histogram("vllm:request_time_per_output_token_seconds",
                              "Mean time per output token of a request", _ITL_S)  # fmt: skip
        self.e2e = histogram("vllm:e2e_request_latency_seconds", "End-to-end latency", _REQUEST_S)
        self.queue = histogram("vllm:request_queue_time_seconds", "Time waiting", _REQUEST_S)
        self.prefill = histogram("vllm:request_prefill_time_seconds", "Prefill time", _REQUEST_S)
        self.decode = histogram("vllm:request_decode_time_seconds", "Decode time", _REQUEST_S)
        self.request_prompt = histogram("vllm:request_prompt_tokens", "Prompt tokens", _TOKENS)
        self.request_generation = histogram("vllm:request_generation_tokens",
                                            "Generated tokens", _TOKENS)  # fmt: skip
        self.iteration_tokens = histogram("vllm:iteration_tokens_total",
                                          "Tokens per engine iteration", _TOKENS)  # fmt: skip
        config = Gauge("vllm:cache_config_info", "KV-cache configuration",
                       ["block_size", "num_gpu_blocks"], registry=registry)  # fmt: skip
        limits = profile.limits
        config.labels(str(limits.block_size), str(limits.kv_blocks)).set(1)
        self._model = model_name
        for family in (self.running, self.waiting, self.kv_usage):
            family.labels(model_name).set(0)

    def first_token(self, ttft_s: float) -> None:
        self.ttft.labels(self._model).observe(ttft_s)

    def inter_token(self, gap_s: float) -> None:
        self.itl.labels(self._model).observe(gap_s)

    def finished(
        self, plan: Plan, arrival_s: float, scheduled_s: float, first_s: float, last_s: float
    ) -> None:
        """A request's own measurements, as vLLM takes them when it finishes."""
        m = self._model
        self.success.labels(m, plan.finish_reason).inc()
        self.e2e.labels(m).observe(last_s - arrival_s)
        self.queue.labels(m).observe(max(0.0, scheduled_s - arrival_s))
        self.prefill.labels(m).observe(max(0.0, first_s - scheduled_s))
        self.decode.labels(m).observe(last_s - first_s)
        if plan.output_tokens > 1:
            self.tpot.labels(m).observe((last_s - first_s) / (plan.output_tokens - 1))
        self.request_prompt.labels(m).observe(plan.prompt_tokens)
        self.request_generation.labels(m).observe(plan.output_tokens)

    def observe_iteration(self, iteration: Iteration, engine: BatchEngine) -> None:
        m = self._model
        self.running.labels(m).set(engine.num_running)
        self.waiting.labels(m).set(engine.num_waiting)
        self.kv_usage.labels(m).set(engine.kv_usage)
        self.prompt_tokens.labels(m).inc(iteration.prefill_tokens)
        self.generation_tokens.labels(m).inc(len(iteration.sampled))
        self.iteration_tokens.labels(m).observe(iteration.prefill_tokens + iteration.decode_seqs)

    def observe_preemptions(self, count: int) -> None:
        self.preemptions.labels(self._model).inc(count)
