"""The admin bearer token both services' admin APIs require (``settings.admin_token``).

With no token configured an admin API refuses every call (there is no default token); the token is
compared in constant time.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from edgecloud.api.errors import ForbiddenError, UnauthorizedError

_bearer = HTTPBearer(auto_error=False)


async def require_admin(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    token = request.app.state.settings.admin_token
    if token is None:
        raise ForbiddenError(
            "the admin API is disabled: set the service's ADMIN_TOKEN setting",
            code="admin_disabled",
        )
    if credentials is None or not secrets.compare_digest(
        credentials.credentials.encode(), token.get_secret_value().encode()
    ):
        raise UnauthorizedError("a valid bearer token is required", code="invalid_token")
