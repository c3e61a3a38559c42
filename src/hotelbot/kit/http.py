"""Connection-pool limits for our HTTP clients.

A pooled connection that sits idle as long as the server's keep-alive timeout (uvicorn: 5 s)
may be closed by the server just as the client sends on it, and the request fails with a read
error although nothing is wrong. Dropping idle connections well before that removes the race
for every uvicorn-served peer (our API, the PMS service, the sandbox); Meta keeps connections
open far longer, so reconnecting a little earlier costs nothing there.
"""

from __future__ import annotations

import httpx

#: Idle seconds after which the client drops a pooled connection itself.
KEEPALIVE_EXPIRY_SECONDS = 2.0


def pool_limits(max_connections: int = 100) -> httpx.Limits:
    return httpx.Limits(
        max_connections=max_connections,
        max_keepalive_connections=min(20, max_connections),
        keepalive_expiry=KEEPALIVE_EXPIRY_SECONDS,
    )
