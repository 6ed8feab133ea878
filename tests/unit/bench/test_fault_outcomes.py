"""The fault benchmark's bookkeeping: each failure told by what it met; records counted."""

from __future__ import annotations

from edgecloud.bench.fault_outcomes import RADIO, Sample, Window, classify, outcome
from edgecloud.faults import Action
from edgecloud.load.replay import Sent

WINDOWS = [
    Window("edge-llm", Action.KILL, 20.0, 20.3, 23.0),
    Window("redis", Action.STOP, 45.0, 47.0, 106.0),
    Window(RADIO, Action.STOP, 150.0, 152.0, 153.5),
]


def sample(
    start_s: float, e2e_s: float, status: int = 200, completed: bool = True, rid: str = "r"
) -> Sample:
    sent = Sent(0, rid, status, 0.0, 0.1 if status == 200 else None, e2e_s, 3, completed)
    return Sample(sent, start_s)


def test_a_stream_running_across_a_kill_is_the_kills() -> None:
    assert classify(sample(19.0, 2.0, completed=False), WINDOWS) == "running_stream"
    # Begun while the kill was being applied (the process still served it), cut by it.
    assert classify(sample(20.1, 0.15, completed=False), WINDOWS) == "running_stream"


def test_a_request_refused_while_the_radio_was_down_is_the_radios() -> None:
    assert classify(sample(151.0, 0.01, status=0, completed=False), WINDOWS) == "radio_down"


def test_any_other_failure_is_one_the_testbed_should_have_covered() -> None:
    # Sent after the kill (a failover should have served it), or during the Redis outage.
    assert classify(sample(21.0, 0.5, status=200, completed=False), WINDOWS) == (
        "failed_not_started"
    )
    assert classify(sample(21.0, 0.5, status=503, completed=False), WINDOWS) == (
        "failed_not_started"
    )
    assert classify(sample(60.0, 1.0, completed=False), WINDOWS) == "failed_not_started"
    # No head before the kill: not a running stream.
    assert classify(sample(19.5, 1.0, status=0, completed=False), WINDOWS) == ("failed_not_started")


def test_outcome_counts_lost_and_duplicated_records_of_answered_requests_only() -> None:
    samples = [
        sample(1.0, 1.0, rid="a"),
        sample(2.0, 1.0, rid="b"),
        sample(3.0, 1.0, rid="c"),
        sample(151.0, 0.01, status=0, completed=False, rid="d"),
    ]
    result = outcome(samples, WINDOWS, {"a": 1, "b": 2})
    assert result.requests == 4
    assert result.failed == 1
    assert result.by_kind == {"ok": 3, "radio_down": 1}
    assert (result.records_expected, result.records_lost, result.records_duplicated) == (3, 1, 1)
    assert result.result_line(12.34) == (
        "RESULT faults requests=4 failed=1 failed_not_started=0 radio_down=1 records_lost=1 "
        "recovery_max_s=12.3"
    )
