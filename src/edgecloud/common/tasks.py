"""Fire-and-forget coroutines that are kept alive until done and awaited at shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Coroutine, Mapping
from typing import Any

logger = logging.getLogger(__name__)


class BackgroundTasks:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("background task failed", exc_info=task.exception())

    async def drain(self, timeout_s: float = 5.0) -> None:
        """Let pending work (reports, history writes) finish before shutdown."""
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=timeout_s)


@contextlib.asynccontextmanager
async def running(
    loops: Mapping[str, Coroutine[Any, Any, Any]],
) -> AsyncIterator[dict[str, asyncio.Task[Any]]]:
    """Run a service's background loops, by name, while the context is open; cancel them on
    exit. The tasks are yielded so that readiness can tell a loop that has stopped."""
    tasks = {name: asyncio.create_task(loop, name=name) for name, loop in loops.items()}
    try:
        yield tasks
    finally:
        for task in tasks.values():
            task.cancel()
        await asyncio.gather(*tasks.values(), return_exceptions=True)
