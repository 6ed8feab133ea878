"""The trust boundary between the radio emulator and the orchestrator.

The radio emulator signs what it asserts about a request (its id and the UE's radio state in the
``X-Radio-*`` headers) with HMAC-SHA256 under a secret both services are configured with; the
orchestrator believes those headers only when the signature checks out. Anything else on the
orchestrator's network can send the same headers, and is then treated as a direct client.
The orchestrator presents the same secret on the backhaul (``X-Backhaul-Token``), which the radio
emulator serves to nobody else.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from edgecloud.api import headers as h

# What the signature covers, in this order; a header that is absent counts as empty.
SIGNED_HEADERS = (
    h.REQUEST_ID,
    h.RADIO_UE_ID,
    h.RADIO_CELL_ID,
    h.RADIO_SINR_DB,
    h.RADIO_DL_RBS,
    h.RADIO_UL_RBS,
    h.RADIO_DL_RATE_BPS,
    h.RADIO_UL_RATE_BPS,
    h.RADIO_UPLINK_S,
)


def _lookup(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name)
    if value is None:
        value = headers.get(name.lower(), "")
    return value


def signature(secret: str, headers: Mapping[str, str]) -> str:
    message = "\n".join(f"{n.lower()}={_lookup(headers, n)}" for n in SIGNED_HEADERS)
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def signed(secret: str, headers: Mapping[str, str]) -> dict[str, str]:
    """``headers`` with their signature added."""
    return dict(headers) | {h.RADIO_SIGNATURE: signature(secret, headers)}


def is_signed(secret: str, headers: Mapping[str, str]) -> bool:
    given = _lookup(headers, h.RADIO_SIGNATURE)
    return bool(given) and hmac.compare_digest(given, signature(secret, headers))


def token_matches(secret: str, given: str | None) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), secret.encode())
