"""The waiting helper: it returns the first truthy value and fails naming what it waited for."""

from __future__ import annotations

import pytest

from tests.eventually import eventually, eventually_async


def test_it_returns_the_first_truthy_value() -> None:
    values = iter([0, None, "", 7, 8])
    assert eventually(lambda: next(values), timeout_s=5.0, interval_s=0.0) == 7


def test_it_fails_naming_what_it_awaited() -> None:
    with pytest.raises(AssertionError, match=r"the answer: not within 0\.2 s"):
        eventually(lambda: False, timeout_s=0.2, interval_s=0.05, what="the answer")


@pytest.mark.anyio
async def test_the_async_form_polls_a_coroutine() -> None:
    calls = []

    async def third_time() -> bool:
        calls.append(1)
        return len(calls) >= 3

    assert await eventually_async(third_time, timeout_s=5.0, interval_s=0.0)
    assert len(calls) == 3
