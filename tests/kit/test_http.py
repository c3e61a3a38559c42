"""Our HTTP clients drop idle connections before a uvicorn peer closes them."""

from __future__ import annotations

import uvicorn

from hotelbot.kit.http import KEEPALIVE_EXPIRY_SECONDS, pool_limits
from hotelbot.pms.client import PmsClient


def test_idle_connections_expire_before_uvicorn_closes_them() -> None:
    server_side = uvicorn.Config(app=lambda *_: None).timeout_keep_alive
    assert KEEPALIVE_EXPIRY_SECONDS < server_side
    assert pool_limits().keepalive_expiry == KEEPALIVE_EXPIRY_SECONDS


async def test_the_pms_client_pools_with_those_limits() -> None:
    client = PmsClient(base_url="http://pms.test/pms/v1", token="t")
    try:
        pool = client._http._transport._pool  # type: ignore[attr-defined]
        assert pool._keepalive_expiry == KEEPALIVE_EXPIRY_SECONDS
    finally:
        await client.aclose()
