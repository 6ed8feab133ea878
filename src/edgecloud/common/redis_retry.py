"""How the services retry a Redis command, and which Redis errors mean Redis is away.

An outage (refused, reset, timed out) is worth retrying and then spooling; any other Redis error
is about the command itself (a wrong type, a bad id) and is not.
"""

from __future__ import annotations

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

OUTAGE: tuple[type[RedisError], ...] = (RedisConnectionError, RedisTimeoutError)


def retrying(
    attempts: int,
    first_wait_s: float = 0.1,
    max_wait_s: float = 2.0,
    on: tuple[type[Exception], ...] = OUTAGE,
) -> AsyncRetrying:
    """Up to ``attempts`` tries of a block, waiting exponentially from ``first_wait_s``; the last
    error is raised as itself. Use as ``async for attempt in retrying(n): with attempt: ...``."""
    return AsyncRetrying(
        stop=stop_after_attempt(attempts),
        wait=wait_exponential(multiplier=first_wait_s, max=max_wait_s),
        retry=retry_if_exception_type(on),
        reraise=True,
    )
