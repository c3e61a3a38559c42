"""The rate limits a user can run into, over one `RateLimiter` per process (`kit/rate_limits`).

Scopes (rules in `settings.limits`): `guest` (messages per guest, enforced by the worker:
`conversation/flood.py`), `pms_token` (requests per PMS API token), `login` (per client address:
failed PMS tokens, console log-ins) and `admin` (per client address on admin and PMS routes).
A refused request is `errors.RateLimited`: 429 with `Retry-After`. HTTP apps keep the limiter on
`app.state.rate_limiter`; `per_client_ip(scope)` is the dependency routes declare.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable

import structlog
from fastapi import Request

from hotelbot import metrics
from hotelbot.errors import RateLimited
from hotelbot.kit.rate_limits import RateLimiter, storage_from_url
from hotelbot.settings import Settings

log = structlog.get_logger(__name__)


def limiter_from(settings: Settings) -> RateLimiter:
    """Counts in `limits.storage_url`, else `redis.url`, else this process's memory."""
    limits = settings.limits
    storage = storage_from_url(
        limits.storage_url or settings.redis.url, key_prefix=limits.key_prefix
    )
    rules = {
        "guest": limits.guest,
        "guest_notice": limits.guest_notice,
        "pms_token": limits.pms_token,
        "login": limits.login,
        "admin": limits.admin,
    }
    return RateLimiter(storage, rules)


def opaque_key(value: str) -> str:
    """A short hash for a limiter key: no token or client address is stored in clear."""
    return hashlib.blake2b(value.encode(), digest_size=12).hexdigest()


def client_key(request: Request) -> str:
    """The client's address (uvicorn resolves X-Forwarded-For from trusted proxies), hashed."""
    host = request.client.host if request.client else "unknown"
    return opaque_key(host)


async def enforce(limiter: RateLimiter | None, scope: str, key: str) -> None:
    """Count one hit; raise `RateLimited` (429, Retry-After) when `key` is over `scope`'s rule."""
    if limiter is None:
        return
    decision = await limiter.hit(scope, key)
    if decision.allowed:
        return
    metrics.RATE_LIMITED.labels(scope=scope).inc()
    log.info("ratelimit.refused", scope=scope, retry_after=decision.retry_after_seconds)
    raise RateLimited(
        f"too many requests; retry in {decision.retry_after_seconds} s",
        retry_after_seconds=decision.retry_after_seconds,
    )


def per_client_ip(scope: str) -> Callable[[Request], Awaitable[None]]:
    """A FastAPI dependency limiting each client address under `scope` (`login`, `admin`).

    `Depends(per_client_ip("login"))` on a login route; on a router for a group of routes.
    """

    async def check(request: Request) -> None:
        limiter: RateLimiter | None = getattr(request.app.state, "rate_limiter", None)
        await enforce(limiter, scope, client_key(request))

    return check
