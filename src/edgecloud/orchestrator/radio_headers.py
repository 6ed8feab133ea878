"""The UE's radio state as the orchestrator believes it: from signed radio headers, or defaults.

Only the radio emulator can sign (``common.radio_trust``); from anyone else the ``X-Radio-*``
headers and the request id are ignored, and the request is a direct one. A signed value that is
not a finite number in its range is a 400 naming the header.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from edgecloud.api import headers as h
from edgecloud.api.errors import BadRequestError
from edgecloud.common.radio_trust import is_signed

# Ranges a real radio state stays within; wider than any deployment, narrow enough for arithmetic.
SINR_RANGE_DB = (-60.0, 80.0)
RATE_RANGE_BPS = (0.0, 1e12)
UPLINK_RANGE_S = (0.0, 3600.0)
MAX_CELL_ID = 10_000
_REQUEST_ID = re.compile(r"^[0-9a-f]{32}$")  # what the radio emulator assigns (uuid4 hex)


class RadioTrust(StrEnum):
    """Whether a request's radio headers were believed (label ``reason`` when they were not)."""

    SIGNED = "signed"
    ABSENT = "absent"  # no radio header at all: a direct request
    UNSIGNED = "unsigned"
    BAD_SIGNATURE = "bad_signature"
    NO_SECRET = "no_secret"  # this orchestrator has no shared secret configured


def radio_trust(secret: str | None, headers: Mapping[str, str]) -> RadioTrust:
    claims = any(k.lower().startswith("x-radio-") for k in headers)
    if not claims:
        return RadioTrust.ABSENT
    if secret is None:
        return RadioTrust.NO_SECRET
    if not headers.get(h.RADIO_SIGNATURE.lower()):
        return RadioTrust.UNSIGNED
    return RadioTrust.SIGNED if is_signed(secret, headers) else RadioTrust.BAD_SIGNATURE


@dataclass(frozen=True, slots=True)
class RadioInfo:
    ue_id: str | None
    cell_id: int | None
    sinr_db: float
    dl_rate_bps: float
    ul_rate_bps: float
    uplink_s: float
    via_radio: bool


def _number(
    headers: Mapping[str, str], name: str, default: float, bounds: tuple[float, float]
) -> float:
    value = headers.get(name.lower())
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError as exc:
        raise BadRequestError(f"header {name} is not a number", param=name) from exc
    low, high = bounds
    if not (math.isfinite(number) and low <= number <= high):
        raise BadRequestError(f"header {name} must lie in [{low:g}, {high:g}]", param=name)
    return number


def _cell(headers: Mapping[str, str]) -> int | None:
    value = headers.get(h.RADIO_CELL_ID.lower())
    if value is None:
        return None
    if not (value.isascii() and value.isdigit() and int(value) <= MAX_CELL_ID):
        raise BadRequestError(
            f"header {h.RADIO_CELL_ID} is a cell number up to {MAX_CELL_ID}", param=h.RADIO_CELL_ID
        )
    return int(value)


def radio_info(
    headers: Mapping[str, str],
    trusted: bool,
    body_user: str | None,
    dl_default: float,
    ul_default: float,
) -> RadioInfo:
    """The UE's radio state from the emulator's signed headers (keys lower-case), else defaults."""
    direct_ue = headers.get(h.UE_ID.lower()) or body_user
    if not trusted:
        return RadioInfo(direct_ue, None, 0.0, dl_default, ul_default, 0.0, via_radio=False)
    return RadioInfo(
        ue_id=headers.get(h.RADIO_UE_ID.lower()) or direct_ue,
        cell_id=_cell(headers),
        sinr_db=_number(headers, h.RADIO_SINR_DB, 0.0, SINR_RANGE_DB),
        dl_rate_bps=max(_number(headers, h.RADIO_DL_RATE_BPS, dl_default, RATE_RANGE_BPS), 1.0),
        ul_rate_bps=max(_number(headers, h.RADIO_UL_RATE_BPS, ul_default, RATE_RANGE_BPS), 1.0),
        uplink_s=_number(headers, h.RADIO_UPLINK_S, 0.0, UPLINK_RANGE_S),
        via_radio=h.RADIO_UE_ID.lower() in headers,
    )


def request_id(headers: Mapping[str, str], trusted: bool, new_id: str) -> str:
    """The radio emulator's id for a signed request, else ``new_id`` (a client never picks it)."""
    given = headers.get(h.REQUEST_ID.lower())
    return given if trusted and given and _REQUEST_ID.match(given) else new_id
