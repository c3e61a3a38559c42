"""Prometheus plumbing: the `/metrics` endpoint and an HTTP metrics ASGI middleware.

The series themselves are declared in `hotelbot.metrics`; this module only knows how to expose
a registry and how to time requests. Requests are labelled with the route *template*
(`/pms/v1/reservations/{reference}`), never the raw path, so ids cannot explode cardinality.
With several worker processes per host, set `PROMETHEUS_MULTIPROC_DIR` (prometheus_client's
own switch) and `/metrics` aggregates every process's files. Processes without an HTTP app of
their own (the worker) serve the same exposition on a side port with `serve_metrics()`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    make_asgi_app,
    multiprocess,
    start_http_server,
)
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount

#: Label used for requests that matched no route (scanners, typos): one series, not one per path.
UNMATCHED = "unmatched"


def _registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


def render_metrics() -> bytes:
    """The Prometheus text exposition of every registered series."""
    return generate_latest(_registry())


async def metrics_endpoint(request: Request) -> Response:
    """`GET /metrics` as a Starlette/FastAPI endpoint."""
    return Response(render_metrics(), media_type=CONTENT_TYPE_LATEST)


def metrics_app() -> Any:
    """A standalone ASGI app serving the exposition (for mounting or a side port)."""
    return make_asgi_app(registry=_registry())


def serve_metrics(host: str, port: int) -> Callable[[], None]:
    """Serve `GET /metrics` on `host:port` from a daemon thread; returns the function that stops it.

    A thread, not the event loop: a scrape still answers while a turn holds the loop.
    Raises OSError when the port is taken.
    """
    server, thread = start_http_server(port, addr=host, registry=_registry())

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return stop


def route_template(scope: dict[str, Any], root_path: str) -> str:
    """The matched route's path template, prefixed by any mounts, or `UNMATCHED`."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if route is None or not isinstance(path, str):
        return UNMATCHED
    # Mounted sub-apps extend root_path with the mount's prefix; keep that part of the label.
    mount_prefix = str(scope.get("root_path", ""))[len(root_path) :]
    if isinstance(route, Mount):
        # A mount whose app has no routes of its own (static files): the prefix already names it.
        return f"{mount_prefix}/{{path}}"
    return f"{mount_prefix}{path}" or "/"


class HttpMetricsMiddleware:
    """Pure ASGI: count requests by (route, method, status) and time them by route."""

    def __init__(self, app: Any, *, requests_total: Counter, duration_seconds: Histogram) -> None:
        self.app = app
        self.requests_total = requests_total
        self.duration_seconds = duration_seconds

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        root_path = str(scope.get("root_path", ""))
        status = 500  # what the client sees if the app raises before answering
        started = time.perf_counter()

        async def send_and_record(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_record)
        finally:
            route = route_template(scope, root_path)
            self.duration_seconds.labels(route=route).observe(time.perf_counter() - started)
            self.requests_total.labels(
                route=route, method=str(scope.get("method", "")), status=str(status)
            ).inc()
