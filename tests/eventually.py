"""Waiting for a condition in a test: poll until it holds, fail with what was awaited (tenacity).

Replaces fixed sleeps: a test waits exactly as long as the system needs, up to ``timeout_s``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_result,
    stop_after_delay,
    wait_fixed,
)

T = TypeVar("T")


def _falsy(value: object) -> bool:
    return not value


def _timed_out(what: str, timeout_s: float) -> Callable[[RetryCallState], None]:
    def fail(state: RetryCallState) -> None:
        raise AssertionError(f"{what}: not within {timeout_s:g} s ({state.attempt_number} tries)")

    return fail


def _until_truthy(what: str, timeout_s: float, interval_s: float) -> dict[str, Any]:
    return {
        "stop": stop_after_delay(timeout_s),
        "wait": wait_fixed(interval_s),
        "retry": retry_if_result(_falsy),
        "retry_error_callback": _timed_out(what, timeout_s),
    }


def eventually(
    predicate: Callable[[], T | None],
    timeout_s: float = 10.0,
    interval_s: float = 0.2,
    what: str = "condition",
) -> T:
    """Call ``predicate`` until it returns a truthy value, and return that value."""
    retrying = Retrying(**_until_truthy(what, timeout_s, interval_s))
    return cast(T, retrying(predicate))  # the retry ends only on a truthy value


async def eventually_async(
    predicate: Callable[[], Awaitable[T | None]],
    timeout_s: float = 10.0,
    interval_s: float = 0.05,
    what: str = "condition",
) -> T:
    """``eventually`` for a coroutine function, polled without blocking the event loop."""
    retrying = AsyncRetrying(**_until_truthy(what, timeout_s, interval_s))
    return cast(T, await retrying(predicate))
