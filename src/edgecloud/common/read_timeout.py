"""uvicorn's HTTP protocol with a request read timeout, against slow or stalled clients.

uvicorn times out only idle keep-alive connections, and only after a first response: a client that
opens a connection and sends nothing, half its headers or half its body holds the connection (and
a slot of ``--limit-concurrency``) for ever. Here a request must arrive in full within
``READ_TIMEOUT_S`` from the connection's start or from its first byte; otherwise the connection is
closed. Every service runs with it (``stack.uvicorn_command`` passes ``--http PROTOCOL``).
"""

from __future__ import annotations

import asyncio
from asyncio import TimerHandle

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

READ_TIMEOUT_S = 10.0
PROTOCOL = "edgecloud.common.read_timeout:TimedHttpToolsProtocol"


class TimedHttpToolsProtocol(HttpToolsProtocol):
    _read_timer: TimerHandle | None = None

    def _start_read_timer(self) -> None:
        self._stop_read_timer()
        self._read_timer = self.loop.call_later(READ_TIMEOUT_S, self._read_timed_out)

    def _stop_read_timer(self) -> None:
        if self._read_timer is not None:
            self._read_timer.cancel()
            self._read_timer = None

    def _read_timed_out(self) -> None:
        self._read_timer = None
        if not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_read_timer()  # a connection that sends nothing

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._start_read_timer()  # the next request of a kept-alive connection

    def on_message_complete(self) -> None:
        self._stop_read_timer()
        super().on_message_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_read_timer()
        super().connection_lost(exc)
