"""The RESULT line of a load run, from Locust's ``--json-file`` statistics.

Locust keeps response times in a histogram rounded to two significant digits (e.g. 1234 ms is
counted as 1200 ms), so the quantiles here have that resolution.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

CHAT_REQUEST_TYPE = "POST"
TTFT_REQUEST_TYPE = "ttft"
TOKENS_PER_S_REQUEST_TYPE = "tokens/s"
CUSTOM_REQUEST_TYPES = frozenset({TTFT_REQUEST_TYPE, TOKENS_PER_S_REQUEST_TYPE})
CHAT_NAME_PREFIX = "answer "


def quantile(histogram: Mapping[float, int], q: float) -> float | None:
    """The smallest value with at least a fraction ``q`` of the counts at or below it."""
    total = sum(histogram.values())
    if total == 0:
        return None
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= q * total:
            return value
    return max(histogram)


def merged(entries: Iterable[Mapping[str, Any]]) -> Counter[float]:
    histogram: Counter[float] = Counter()
    for entry in entries:
        for value, count in entry["response_times"].items():
            histogram[float(value)] += int(count)
    return histogram


def result_line(stats: list[dict[str, Any]]) -> str:
    chats = [
        e
        for e in stats
        if e["method"] == CHAT_REQUEST_TYPE and str(e["name"]).startswith(CHAT_NAME_PREFIX)
    ]
    ttft = [e for e in stats if e["method"] == TTFT_REQUEST_TYPE]
    requests = sum(int(e["num_requests"]) for e in chats)
    failures = sum(int(e["num_failures"]) for e in stats if e["method"] not in CUSTOM_REQUEST_TYPES)
    e2e, first = merged(chats), merged(ttft)

    def seconds(histogram: Counter[float], q: float) -> str:
        value = quantile(histogram, q)
        return "nan" if value is None else f"{value / 1e3:.3f}"

    return (
        f"RESULT load requests={requests} failures={failures} e2e_p50_s={seconds(e2e, 0.5)} "
        f"e2e_p95_s={seconds(e2e, 0.95)} ttft_p50_s={seconds(first, 0.5)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Print the RESULT line of a Locust run.")
    parser.add_argument("stats", type=Path, help="the file Locust's --json-file wrote")
    args = parser.parse_args()
    print(result_line(json.loads(args.stats.read_text())))


if __name__ == "__main__":
    main()
