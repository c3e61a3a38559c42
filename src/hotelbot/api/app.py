"""`create_api_app(settings)`: the chatbot's HTTP app. Assembly only — no business rules."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from hotelbot import metrics
from hotelbot.api import admin, health, webhook
from hotelbot.api.errors import (
    DATABASE_UNAVAILABLE,
    database_unavailable_response,
    hotelbot_error_response,
)
from hotelbot.api.receiver import WebhookReceiver
from hotelbot.errors import HotelbotError
from hotelbot.kit.logging import CorrelationIdMiddleware
from hotelbot.kit.metrics import HttpMetricsMiddleware, metrics_endpoint
from hotelbot.resources import Resources


def create_api_app(resources: Resources) -> FastAPI:
    """The chatbot API over already-built resources (their lifetime belongs to the caller)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.hotelbot = resources
        yield

    app = FastAPI(title="hotelbot", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.hotelbot = resources
    app.state.rate_limiter = resources.limiter
    _install_error_handlers(app)
    app.include_router(webhook.router)
    _install_observability(app)
    # Outermost: webhook deliveries skip the stack above (api/receiver.py says why).
    app.add_middleware(WebhookReceiver, resources=resources)
    return app


def _install_observability(app: FastAPI) -> None:
    app.include_router(health.router)
    app.include_router(admin.router)
    app.add_api_route("/metrics", metrics_endpoint, methods=["GET"], include_in_schema=False)
    # Added after the metrics = outside them: the correlation id is bound before anything else
    # runs or logs.
    app.add_middleware(
        HttpMetricsMiddleware,
        requests_total=metrics.HTTP_REQUESTS,
        duration_seconds=metrics.HTTP_DURATION,
    )
    app.add_middleware(CorrelationIdMiddleware)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HotelbotError)
    async def _hotelbot_error(request: Request, exc: HotelbotError) -> JSONResponse:
        return hotelbot_error_response(exc, request.url.path)

    async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
        return database_unavailable_response(exc, request.url.path)

    for kind in DATABASE_UNAVAILABLE:
        app.add_exception_handler(kind, _database_unavailable)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        # Validation messages can echo input (guest text); report only where it failed.
        where = [".".join(str(p) for p in err.get("loc", ())) for err in exc.errors()]
        return JSONResponse({"error": "invalid_input", "detail": where}, 422)
