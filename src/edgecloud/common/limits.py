"""Request size limits at the ASGI boundary: headers (431) and body (413), in the one error shape.

Checked before any route runs, so an oversized request costs little: headers and a declared
``Content-Length`` at once, a chunked body as soon as it grows past the limit (the body is read
here whole, as the routes would read it anyway, and handed on).
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from edgecloud.api.errors import ErrorInfo, ErrorResponse

OnError = Callable[[int, str], None]  # (status, code) of every error answered: counted


def _error(message: str, code: str) -> bytes:
    info = ErrorInfo(message=message, type="invalid_request_error", code=code)
    return ErrorResponse(error=info).model_dump_json().encode()


class SizeLimits:
    def __init__(
        self,
        app: ASGIApp,
        max_body_bytes: int,
        max_header_bytes: int,
        on_refusal: OnError | None = None,
    ) -> None:
        self._app = app
        self._max_body = max_body_bytes
        self._max_headers = max_header_bytes
        self._on_refusal = on_refusal  # called with (status, code): the service counts it

    async def _refuse(self, send: Send, status: int, message: str, code: str) -> None:
        if self._on_refusal is not None:
            self._on_refusal(status, code)
        payload = _error(message, code)
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", b"%d" % len(payload)),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        headers: list[tuple[bytes, bytes]] = scope["headers"]
        if sum(len(k) + len(v) for k, v in headers) > self._max_headers:
            message = f"the request's headers exceed {self._max_headers} bytes"
            await self._refuse(send, 431, message, "headers_too_large")
            return
        declared = dict(headers).get(b"content-length")
        too_large = f"the request body exceeds {self._max_body} bytes"
        if declared is not None and declared.isdigit() and int(declared) > self._max_body:
            await self._refuse(send, 413, too_large, "body_too_large")
            return
        body = await _read_body(receive, self._max_body)
        if body is None:
            await self._refuse(send, 413, too_large, "body_too_large")
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()  # what follows the body: a disconnect, eventually
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self._app(scope, replay, send)


async def _read_body(receive: Receive, max_bytes: int) -> bytes | None:
    """The whole body (our requests are small and parsed whole anyway), or None past the limit."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks)  # the client left; the app will see the disconnect
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > max_bytes:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)
