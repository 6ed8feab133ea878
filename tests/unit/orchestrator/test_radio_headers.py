"""The trust boundary: radio headers are believed only when the radio emulator signed them."""

from __future__ import annotations

import pytest

from edgecloud.api.errors import BadRequestError
from edgecloud.common.radio_trust import signed
from edgecloud.orchestrator.radio_headers import RadioTrust, radio_info, radio_trust, request_id

SECRET = "k3y-for-the-radio-and-orchestrator"
RADIO = {
    "X-Request-Id": "0123456789abcdef0123456789abcdef",
    "X-Radio-UE-Id": "ue-7",
    "X-Radio-Cell-Id": "2",
    "X-Radio-SINR-dB": "12.5",
    "X-Radio-DL-Rate-bps": "2e7",
    "X-Radio-UL-Rate-bps": "1e7",
    "X-Radio-Uplink-s": "0.004",
}


def lower(headers: dict[str, str]) -> dict[str, str]:
    """As Starlette hands them over."""
    return {k.lower(): v for k, v in headers.items()}


def test_signed_headers_become_the_radio_state() -> None:
    headers = lower(signed(SECRET, RADIO))
    assert radio_trust(SECRET, headers) is RadioTrust.SIGNED
    info = radio_info(headers, True, None, 1.0, 1.0)
    assert (info.ue_id, info.cell_id, info.sinr_db, info.dl_rate_bps) == ("ue-7", 2, 12.5, 2e7)
    assert info.via_radio
    assert request_id(headers, True, "ours") == RADIO["X-Request-Id"]


@pytest.mark.parametrize(
    ("headers", "secret", "trust"),
    [
        (RADIO, SECRET, RadioTrust.UNSIGNED),
        (RADIO | {"X-Radio-Signature": "0" * 64}, SECRET, RadioTrust.BAD_SIGNATURE),
        (signed("another-secret-altogether", RADIO), SECRET, RadioTrust.BAD_SIGNATURE),
        (signed(SECRET, RADIO) | {"X-Radio-SINR-dB": "40"}, SECRET, RadioTrust.BAD_SIGNATURE),
        (signed(SECRET, RADIO), None, RadioTrust.NO_SECRET),
        ({"X-UE-Id": "ue-8"}, SECRET, RadioTrust.ABSENT),
    ],
)
def test_forged_or_altered_headers_are_not_believed(
    headers: dict[str, str], secret: str | None, trust: RadioTrust
) -> None:
    assert radio_trust(secret, lower(headers)) is trust


def test_an_untrusted_request_is_a_direct_one_with_an_id_of_ours() -> None:
    forged = lower(RADIO | {"X-Radio-SINR-dB": "nan", "X-Request-Id": "P:done", "X-UE-Id": "ue-8"})
    info = radio_info(forged, False, None, 5e7, 1e7)
    assert (info.ue_id, info.sinr_db, info.dl_rate_bps, info.via_radio) == ("ue-8", 0.0, 5e7, False)
    assert request_id(forged, False, "ours") == "ours"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("X-Radio-SINR-dB", "nan"),
        ("X-Radio-SINR-dB", "inf"),
        ("X-Radio-SINR-dB", "loud"),
        ("X-Radio-DL-Rate-bps", "-1"),
        ("X-Radio-DL-Rate-bps", "1e300"),
        ("X-Radio-Uplink-s", "1e9"),
        ("X-Radio-Cell-Id", "²"),
        ("X-Radio-Cell-Id", "99999999"),
    ],
)
def test_a_signed_value_out_of_range_is_a_400_naming_the_header(name: str, value: str) -> None:
    headers = lower(signed(SECRET, RADIO | {name: value}))
    with pytest.raises(BadRequestError) as raised:
        radio_info(headers, True, None, 1.0, 1.0)
    assert raised.value.param == name


def test_a_signed_id_that_is_not_one_of_ours_is_replaced() -> None:
    headers = lower(signed(SECRET, RADIO | {"X-Request-Id": "pending"}))
    assert request_id(headers, True, "ours") == "ours"
