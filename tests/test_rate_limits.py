"""`per_client_ip(scope)`: the dependency login and admin routes declare (the console's login
uses `Depends(per_client_ip("login"))`): 429 with Retry-After once an address is over the rule,
rendered like every other error."""

from __future__ import annotations

import httpx
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from hotelbot.api.errors import hotelbot_error_response
from hotelbot.errors import HotelbotError
from hotelbot.kit.rate_limits import RateLimiter, storage_from_url
from hotelbot.rate_limits import per_client_ip


def _app(rule: str) -> FastAPI:
    app = FastAPI()
    app.state.rate_limiter = RateLimiter(storage_from_url("", key_prefix="t"), {"login": rule})

    @app.exception_handler(HotelbotError)
    async def _error(request: Request, exc: HotelbotError) -> JSONResponse:
        return hotelbot_error_response(exc, request.url.path)

    @app.post("/login", dependencies=[Depends(per_client_ip("login"))])
    async def login() -> dict[str, bool]:
        return {"ok": True}

    return app


async def _post(app: FastAPI, address: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as client:
        return await client.post("/login")


async def test_an_address_over_the_rule_gets_429_with_retry_after() -> None:
    app = _app("2/minute")

    answers = [await _post(app, "198.51.100.4") for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[-1].json()["error"] == "rate_limited"
    assert 1 <= int(answers[-1].headers["Retry-After"]) <= 60
    assert (await _post(app, "198.51.100.5")).status_code == 200, "other addresses unaffected"
