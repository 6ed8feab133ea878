"""Per-UE radio state as arrays indexed by a slot, so that schedulers work on many UEs at once.

Every registered UE holds a slot (reused after it leaves): its cell, its static RBs and its current
per-RBG rates in each direction, and when its fast fading is next redrawn. The objects in
``model.cells`` stay the source of truth; the environment writes what changes through to here.
"""

from __future__ import annotations

import math
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
ArrayT = TypeVar("ArrayT", bound=npt.NDArray[Any])

N_DIRECTIONS = 2  # 0: downlink, 1: uplink (cells.DIRECTION_INDEX)


def grown(array: ArrayT, size: int, fill: float = 0.0, axis: int = -1) -> ArrayT:
    """``array`` with ``axis`` extended to ``size`` entries of ``fill`` (as it is if as long)."""
    extra = size - array.shape[axis]
    if extra <= 0:
        return array
    shape = list(array.shape)
    shape[axis] = extra
    padding = np.full(shape, fill, dtype=array.dtype)
    return np.concatenate([array, padding], axis=axis)  # type: ignore[return-value]


class UeTable:
    def __init__(self, n_rbgs: int, capacity: int = 64) -> None:
        self.n_rbgs = n_rbgs
        self._free: list[int] = []
        self.size = 0  # slots handed out so far (a freed slot below it is reused first)
        self.cell_id: IntArray = np.zeros(capacity, dtype=np.int64)
        self.static_rbs: IntArray = np.zeros((N_DIRECTIONS, capacity), dtype=np.int64)
        self.redraw_at: FloatArray = np.full(capacity, -math.inf)
        self.rb_rate_bps: FloatArray = np.zeros((N_DIRECTIONS, capacity, n_rbgs))

    @property
    def capacity(self) -> int:
        return len(self.cell_id)

    def add(self) -> int:
        if self._free:
            slot = self._free.pop()
        else:
            if self.size == self.capacity:
                self._grow(2 * self.capacity)
            slot = self.size
            self.size += 1
        self.cell_id[slot] = 0
        self.static_rbs[:, slot] = 0
        self.redraw_at[slot] = -math.inf
        self.rb_rate_bps[:, slot] = 0.0
        return slot

    def remove(self, slot: int) -> None:
        self._free.append(slot)

    def _grow(self, capacity: int) -> None:
        self.cell_id = grown(self.cell_id, capacity)
        self.static_rbs = grown(self.static_rbs, capacity)
        self.redraw_at = grown(self.redraw_at, capacity, -math.inf)
        self.rb_rate_bps = grown(self.rb_rate_bps, capacity, axis=1)
