"""Transports that fail the way a vendor's network does, shared by the vendor adapter tests."""

from __future__ import annotations

import httpx


def raising_transport(failure: httpx.HTTPError) -> httpx.MockTransport:
    """Every request fails with `failure` (a refused connection, a timeout) before any answer."""

    def handler(request: httpx.Request) -> httpx.Response:
        raise failure

    return httpx.MockTransport(handler)
