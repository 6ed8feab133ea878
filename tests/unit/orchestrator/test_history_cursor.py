import pytest

from edgecloud.orchestrator.history import entry_id_before

TOP = 2**64 - 1


@pytest.mark.parametrize(
    ("entry_id", "bound"),
    [
        ("1700000000000-3", "1700000000000-2"),
        ("1700000000000-0", f"1699999999999-{TOP}"),
        ("0-1", "0-0"),
        ("0-0", None),
        # Beyond Redis' 64-bit parts: clamped, so the page starts at the newest record.
        (f"{10**20 - 1}-{10**20 - 1}", f"{TOP}-{TOP - 1}"),
    ],
)
def test_the_bound_is_the_newest_id_older_than_the_cursor(entry_id: str, bound: str | None) -> None:
    assert entry_id_before(entry_id) == bound
