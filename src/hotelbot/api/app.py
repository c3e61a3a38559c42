"""`create_api_app(settings)`: the chatbot's HTTP app. Assembly only — no business rules."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc

from hotelbot import metrics
from hotelbot.api import health
from hotelbot.errors import HotelbotError
from hotelbot.kit.logging import CorrelationIdMiddleware
from hotelbot.kit.metrics import HttpMetricsMiddleware, metrics_endpoint
from hotelbot.resources import Resources
from hotelbot.whatsapp import webhook

log = structlog.get_logger(__name__)


def create_api_app(resources: Resources) -> FastAPI:
    """The chatbot API over already-built resources (their lifetime belongs to the caller)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.hotelbot = resources
        yield

    app = FastAPI(title="hotelbot", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.hotelbot = resources
    _install_error_handlers(app)
    app.include_router(webhook.router)
    _install_observability(app)
    return app


def _install_observability(app: FastAPI) -> None:
    app.include_router(health.router)
    app.add_api_route("/metrics", metrics_endpoint, methods=["GET"], include_in_schema=False)
    # Added last = outermost: the correlation id is bound before anything else runs or logs.
    app.add_middleware(
        HttpMetricsMiddleware,
        requests_total=metrics.HTTP_REQUESTS,
        duration_seconds=metrics.HTTP_DURATION,
    )
    app.add_middleware(CorrelationIdMiddleware)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HotelbotError)
    async def _hotelbot_error(request: Request, exc: HotelbotError) -> JSONResponse:
        if exc.status_code >= 500:
            log.error("api.error", code=exc.code, path=request.url.path, exc_info=exc)
        else:
            log.info("api.rejected", code=exc.code, path=request.url.path)
        return JSONResponse({"error": exc.code, "detail": exc.message}, exc.status_code)

    @app.exception_handler(sa_exc.TimeoutError)
    @app.exception_handler(sa_exc.InterfaceError)
    @app.exception_handler(sa_exc.OperationalError)
    @app.exception_handler(ConnectionError)  # asyncpg: connection refused, before any DBAPI error
    async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
        # Overload (pool exhausted) or a database that is down is not the client's fault and
        # not a bug: 503 + Retry-After lets Meta (and load balancers) come back later, and the
        # unique wamid makes that redelivery safe.
        log.warning("api.database_unavailable", error=type(exc).__name__, path=request.url.path)
        return JSONResponse(
            {"error": "unavailable", "detail": "the database is busy or down; retry later"},
            503,
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        # Validation messages can echo input (guest text); report only where it failed.
        where = [".".join(str(p) for p in err.get("loc", ())) for err in exc.errors()]
        return JSONResponse({"error": "invalid_input", "detail": where}, 422)
