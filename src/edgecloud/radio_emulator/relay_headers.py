"""Which headers the radio emulator relays, in each direction. Pure functions."""

from __future__ import annotations

from collections.abc import Mapping

from edgecloud.api import headers as h

# Headers of one hop's connection (RFC 9110 section 7.6.1), which a proxy must not relay.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "transfer-encoding",
        "te",
        "trailer",
        "upgrade",
        "content-length",
        "host",
        "proxy-authorization",
        "proxy-authenticate",
        "content-encoding",
        # Set again by our own server; relaying them would duplicate them.
        "date",
        "server",
    }
)
RADIO_PREFIX = "x-radio-"
_IDS = frozenset({h.REQUEST_ID.lower(), h.CLIENT_REQUEST_ID.lower(), h.BACKHAUL_TOKEN.lower()})


def end_to_end(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers without the hop-by-hop ones."""
    return {k: v for k, v in headers.items() if k.lower() not in HOP_BY_HOP}


def towards_orchestrator(
    ue_headers: Mapping[str, str], radio: Mapping[str, str], client_request_id: str | None
) -> dict[str, str]:
    """A UE's request headers as the orchestrator gets them.

    Dropped: hop-by-hop headers, any ``X-Radio-*`` a UE might send to forge its radio state, and
    the UE's own request ids under any case (ours is in ``radio``; a second copy would be sent
    joined, "id, id"). Added: the radio state with the request id (signed), and the client's id,
    validated, beside it.
    """
    kept = {
        k: v
        for k, v in end_to_end(ue_headers).items()
        if not k.lower().startswith(RADIO_PREFIX) and k.lower() not in _IDS
    }
    client = {h.CLIENT_REQUEST_ID: client_request_id} if client_request_id else {}
    return kept | dict(radio) | client


def towards_ue(
    upstream_headers: Mapping[str, str],
    request_id: str,
    ue_id: str,
    client_request_id: str | None = None,
) -> dict[str, str]:
    """The orchestrator's response headers as the UE gets them: one request id (ours), its UE id
    and its own request id back."""
    kept = {k: v for k, v in end_to_end(upstream_headers).items() if k.lower() not in _IDS}
    client = {h.CLIENT_REQUEST_ID: client_request_id} if client_request_id else {}
    return kept | {h.REQUEST_ID: request_id, h.RADIO_UE_ID: ue_id} | client


def as_sent(headers: Mapping[str, str]) -> list[tuple[bytes, bytes]]:
    """Headers as the bytes they arrived as: the server decoded them as Latin-1, and httpx would
    refuse a non-ASCII str ("User-Agent: café")."""
    return [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
