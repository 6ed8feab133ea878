"""One JSON error shape for every service, and the handlers that translate errors into it.

The shape is the OpenAI one (``{"error": {"message", "type", "param", "code"}}``), which clients of
an OpenAI-compatible API already parse. Exceptions::

    APIError                      -> its own status (subclasses below)
    ├── BadRequestError           400 invalid_request_error
    ├── UnauthorizedError         401 authentication_error
    ├── ForbiddenError            403 permission_error
    ├── NotFoundError             404 not_found_error
    ├── TooManyUesError           429 rate_limit_error (the radio's UE registry is full)
    ├── UpstreamRejectedError     the engine's 4xx, with what the engine said (its code as text)
    ├── BadGatewayError           502 upstream_error (an engine answered with a server error)
    └── ServiceUnavailableError   503 service_unavailable
        ├── TierUnavailableError  503 tier_unavailable (no engine could be reached)
        └── TierBusyError         503 tier_busy, with Retry-After (no admission slot in time)
    RequestValidationError        400 invalid_request_error (FastAPI's, re-shaped)
    StarletteHTTPException        its status, re-shaped
    any other exception           500 internal_error (a bug: logged with its traceback)
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger(__name__)


class ErrorInfo(BaseModel):
    message: str
    type: str
    param: str | None = None
    code: str | None = None


class ErrorResponse(BaseModel):
    error: ErrorInfo


class APIError(Exception):
    """``headers`` go on the error response (the orchestrator's X-Route and X-Request-Id)."""

    status_code = 500
    error_type = "internal_error"

    def __init__(
        self,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.code = code
        self.headers = headers

    def body(self) -> ErrorResponse:
        info = ErrorInfo(
            message=self.message, type=self.error_type, param=self.param, code=self.code
        )
        return ErrorResponse(error=info)

    def to_response(self) -> JSONResponse:
        return JSONResponse(
            self.body().model_dump(), status_code=self.status_code, headers=self.headers
        )

    def sse_event(self) -> bytes:
        """The error as the final event of a stream already under way (same body)."""
        return b"data: " + self.body().model_dump_json().encode() + b"\n\n"


class BadRequestError(APIError):
    status_code = 400
    error_type = "invalid_request_error"


class UnauthorizedError(APIError):
    status_code = 401
    error_type = "authentication_error"


class ForbiddenError(APIError):
    status_code = 403
    error_type = "permission_error"


class NotFoundError(APIError):
    status_code = 404
    error_type = "not_found_error"


class TooManyUesError(APIError):
    status_code = 429
    error_type = "rate_limit_error"


class UpstreamRejectedError(APIError):
    """An engine refused the request (its 4xx): its status, and what it said when its body is
    the error shape (vLLM answers in the OpenAI shape), in ours: vLLM's ``code`` is a number,
    ours a string."""

    error_type = "invalid_request_error"

    def __init__(
        self,
        status_code: int,
        message: str,
        *,
        engine_error: ErrorInfo | None = None,
        param: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message, param=param, headers=headers)
        self.status_code = status_code
        self.engine_error = engine_error

    def body(self) -> ErrorResponse:
        if self.engine_error is None:
            return super().body()
        return ErrorResponse(error=self.engine_error)


def engine_error_info(payload: object) -> ErrorInfo | None:
    """An engine's ``{"error": {...}}`` body as our ``ErrorInfo`` (numbers made text), or None
    when it is not that shape."""
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict) or not isinstance(error.get("message"), str):
        return None

    def text(value: object) -> str | None:
        return None if value is None else str(value)

    return ErrorInfo(
        message=error["message"],
        type=text(error.get("type")) or UpstreamRejectedError.error_type,
        param=text(error.get("param")),
        code=text(error.get("code")),
    )


class BadGatewayError(APIError):
    status_code = 502
    error_type = "upstream_error"


class ServiceUnavailableError(APIError):
    status_code = 503
    error_type = "service_unavailable"


class TierUnavailableError(ServiceUnavailableError):
    """No LLM tier could take the request (unreachable, or cooling down and the other unfit)."""

    def __init__(
        self, message: str, *, param: str | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message, param=param, code="tier_unavailable", headers=headers)


class TierBusyError(ServiceUnavailableError):
    """The tier's admission slots stayed full for the admission timeout."""

    def __init__(self, message: str, *, param: str | None, retry_after_s: int = 1) -> None:
        headers = {"Retry-After": str(retry_after_s)}
        super().__init__(message, param=param, code="tier_busy", headers=headers)


def error_response(
    status_code: int,
    message: str,
    error_type: str,
    param: str | None = None,
    code: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = ErrorResponse(error=ErrorInfo(message=message, type=error_type, param=param, code=code))
    return JSONResponse(body.model_dump(), status_code=status_code, headers=headers)


_STATUS_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    405: "invalid_request_error",
    413: "invalid_request_error",
    415: "invalid_request_error",
}


def _describe_validation_error(error: dict[str, Any]) -> tuple[str, str | None]:
    location = [str(part) for part in error.get("loc", ()) if part != "body"]
    param = ".".join(location) or None
    message = str(error.get("msg", "invalid value"))
    if error.get("type") == "json_invalid":
        return "request body is not valid JSON", None
    return (f"{param}: {message}" if param else message), param


def _render(exc: Exception) -> JSONResponse:
    if isinstance(exc, APIError):
        return exc.to_response()
    if isinstance(exc, RequestValidationError):
        errors = list(exc.errors())
        message, param = _describe_validation_error(errors[0]) if errors else ("invalid", None)
        return error_response(400, message, "invalid_request_error", param, "invalid_value")
    if isinstance(exc, StarletteHTTPException):
        error_type = _STATUS_TYPES.get(exc.status_code, "invalid_request_error")
        headers = dict(exc.headers) if exc.headers else None
        return error_response(exc.status_code, str(exc.detail), error_type, headers=headers)
    return error_response(500, "internal error", "internal_error")


def _code_of(exc: Exception) -> str:
    if isinstance(exc, APIError):
        return exc.code or exc.error_type
    if isinstance(exc, RequestValidationError):
        return "invalid_value"
    if isinstance(exc, StarletteHTTPException):
        return _STATUS_TYPES.get(exc.status_code, "http_error")
    return "internal_error"


def install_error_handlers(
    app: FastAPI, on_error: Callable[[int, str], None] | None = None
) -> None:
    """Render every error in the one shape; ``on_error(status, code)`` counts each one."""

    async def handle(request: Request, exc: Exception) -> JSONResponse:
        response = _render(exc)
        if response.status_code >= 500 and not isinstance(exc, APIError | StarletteHTTPException):
            logger.exception(
                "unhandled error on %s %s", request.method, request.url.path, exc_info=exc
            )
        if on_error is not None:
            on_error(response.status_code, _code_of(exc))
        return response

    for kind in (APIError, RequestValidationError, StarletteHTTPException, Exception):
        app.add_exception_handler(kind, handle)
