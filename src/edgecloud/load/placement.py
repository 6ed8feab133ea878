"""Where a load-test UE stands: in a cell chosen round-robin, uniformly over the cell's disc."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence


def ue_position(
    cell_sites: Sequence[tuple[float, float]],
    cell_index: int,
    ue_id: str,
    seed: int,
    cell_radius_m: float,
) -> tuple[float, float]:
    """Position of a UE in cell ``cell_index`` (modulo the cells), the same for the same
    (seed, UE id).

    At least 10 m from the site (TR 38.901's minimum distance for UMi); uniform over the area,
    hence the square root of a uniform radius fraction.
    """
    if not cell_sites:
        raise ValueError("no cells to place a UE in")
    x0, y0 = cell_sites[cell_index % len(cell_sites)]
    rng = random.Random(f"{seed}:{ue_id}")
    r_min = min(10.0, cell_radius_m)
    radius = math.sqrt(rng.uniform((r_min / cell_radius_m) ** 2, 1.0)) * cell_radius_m
    angle = rng.uniform(0.0, 2.0 * math.pi)
    return x0 + radius * math.cos(angle), y0 + radius * math.sin(angle)
