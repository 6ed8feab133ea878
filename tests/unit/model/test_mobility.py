import itertools
import math
import random

import pytest

from edgecloud.model.mobility import Area, Mobility, MobilityKind, Motion, advance

AREA = Area(100.0)


def test_static_never_moves() -> None:
    motion = Motion(1.0, 2.0)
    assert advance(motion, Mobility(), AREA, 10.0, random.Random(0)) is motion


def test_constant_velocity_moves_at_its_speed_and_bounces() -> None:
    mobility = Mobility(MobilityKind.CONSTANT_VELOCITY, speed_mps=10.0)
    moved = advance(Motion(0.0, 0.0, heading_rad=0.0), mobility, AREA, 2.0, random.Random(0))
    assert (moved.x_m, moved.y_m) == pytest.approx((20.0, 0.0))
    bounced = advance(Motion(95.0, 0.0, heading_rad=0.0), mobility, AREA, 1.0, random.Random(0))
    assert bounced.x_m == pytest.approx(95.0)  # 5 m to the wall and 5 m back
    assert math.cos(bounced.heading_rad) == pytest.approx(-1.0)


def test_random_waypoint_is_seeded_bounded_and_pauses() -> None:
    mobility = Mobility(MobilityKind.RANDOM_WAYPOINT, speed_mps=5.0, min_speed_mps=1.0, pause_s=2)

    def walk(seed: int) -> list[tuple[float, float]]:
        rng, motion, path = random.Random(seed), Motion(0.0, 0.0), []
        for _ in range(500):
            motion = advance(motion, mobility, AREA, 0.5, rng)
            path.append((motion.x_m, motion.y_m))
        return path

    path = walk(1)
    assert path == walk(1)
    assert path != walk(2)
    assert all(AREA.contains(x, y) for x, y in path)
    steps = [math.dist(a, b) for a, b in itertools.pairwise(path)]
    assert max(steps) <= 5.0 * 0.5 + 1e-9
    assert sum(s == 0 for s in steps) >= 3  # pauses at waypoints


def test_invalid_mobility_is_rejected() -> None:
    with pytest.raises(ValueError, match="min_speed"):
        Mobility(MobilityKind.RANDOM_WAYPOINT, speed_mps=0.1, min_speed_mps=1.0)
