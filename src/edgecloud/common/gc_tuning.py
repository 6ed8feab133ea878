"""Garbage-collector tuning for the services that relay streams."""

from __future__ import annotations

import gc


def freeze_startup_objects() -> None:
    """Keep everything built at start-up (modules, app, clients) out of later collections.

    Those objects live as long as the process, yet every full collection walked them again, and
    each such pause stalls every stream the event loop relays at once.
    """
    gc.collect()
    gc.freeze()
