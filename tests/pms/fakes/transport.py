"""Transports that fail the way a vendor's network does, shared by the vendor adapter tests."""

from __future__ import annotations

from collections.abc import Callable

import httpx


def raising_transport(failure: httpx.HTTPError) -> httpx.MockTransport:
    """Every request fails with `failure` (a refused connection, a timeout) before any answer."""

    def handler(request: httpx.Request) -> httpx.Response:
        raise failure

    return httpx.MockTransport(handler)


class LoseAnswer(httpx.AsyncBaseTransport):
    """Lets the first request that `matches` reach the vendor, then drops its answer: a timeout
    after the vendor committed, which an idempotent retry must not book twice."""

    def __init__(
        self, inner: httpx.AsyncBaseTransport, matches: Callable[[httpx.Request], bool]
    ) -> None:
        self.inner = inner
        self.matches = matches
        self.armed = True

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if self.armed and self.matches(request):
            self.armed = False
            raise httpx.ReadTimeout("answer lost", request=request)
        return response
