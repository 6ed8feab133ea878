"""The ICL prompt: task goal, definitions, examples, rules and the current state (pure).

States are written as one compact line; small models follow a short, regular format far better
than prose (a trial here: a naive prompt made both bundled models always answer "edge").
"""

from __future__ import annotations

from edgecloud.policies.experience import Experience, StateSummary

from .selection import Examples

SYSTEM = "You route generation requests. Answer with exactly one word: edge or cloud."

GOAL = (
    "Goal: choose where a user's generation request runs, the edge LLM (small, next to the base "
    "station) or the cloud LLM (large, behind a backhaul), so that the service delay is as low as "
    "possible while the answer quality meets the requirement."
)
DEFINITIONS = (
    "Each state lists: task type, required quality, expected answer tokens, estimated delay of "
    "edge and cloud in seconds, the quality each gives (1-10), and the requests queued at each. "
    "Reward = -(delay in seconds) - 10 when the quality is below the requirement."
)
RULES = (
    "Rules: never pick a tier whose quality is below the requirement; among the others pick the "
    "faster one; follow the recommended examples and avoid the inadvisable ones. Answer edge or "
    "cloud."
)
CONTENT_FREE_STATE = "[N/A]"


def state_line(s: StateSummary) -> str:
    return (
        f"[{s.task_type.value} need q>={s.quality_required:g} tokens={s.expected_output_tokens} "
        f"edge {s.estimated_edge_s:.2f}s q{s.quality_edge:g} queue {s.edge_load:g} | "
        f"cloud {s.estimated_cloud_s:.2f}s q{s.quality_cloud:g} queue {s.cloud_load:g}]"
    )


def example_line(e: Experience, label: str) -> str:
    return f"{state_line(e.summary)} -> {e.route.value} (reward {e.reward:.2f}, {label})"


def build_messages(current: str, examples: Examples) -> list[dict[str, str]]:
    """Chat messages for the decision LLM; ``current`` is a state line or the content-free one."""
    lines = [GOAL, DEFINITIONS]
    if examples.recommended or examples.inadvisable:
        lines.append("Examples:")
        lines += [example_line(e, "recommended") for e in examples.recommended]
        lines += [example_line(e, "inadvisable") for e in examples.inadvisable]
    lines += [RULES, f"Current: {current} ->"]
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": "\n".join(lines)}]
