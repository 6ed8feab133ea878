"""The experience pool: the newest experiences kNN and ICL learn from, held in memory. Pure.

It knows nothing of where experiences come from: the orchestrator feeds it from the shared Redis
history (``icl.feed``), the simulator and the benchmarks add outcomes directly.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from .experience import Experience


class ExperiencePool:
    def __init__(self, size: int) -> None:
        self._items: deque[Experience] = deque(maxlen=size)
        self.version = 0  # how many experiences were ever added
        self._snapshot: tuple[tuple[Experience, ...], int] = ((), 0)

    @property
    def size(self) -> int:
        """The most experiences it keeps (the oldest go first)."""
        return self._items.maxlen or 0

    def __len__(self) -> int:
        return len(self._items)

    def add(self, experience: Experience) -> None:
        self._items.append(experience)
        self.version += 1

    def extend(self, experiences: Iterable[Experience]) -> None:
        for experience in experiences:
            self.add(experience)

    def replace(self, experiences: Iterable[Experience]) -> None:
        """The pool holds ``experiences`` only (the newest ``size`` of them)."""
        self._items.clear()
        self.extend(experiences)

    def snapshot(self) -> tuple[Experience, ...]:
        """The pool as a tuple, copied only when it changed (kNN and ICL read it per request)."""
        items, version = self._snapshot
        if version != self.version:
            items = tuple(self._items)
            self._snapshot = (items, self.version)
        return items
