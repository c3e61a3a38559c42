"""`create_api_app(settings)`: the chatbot's HTTP app. Assembly only — no business rules."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from hotelbot.errors import HotelbotError
from hotelbot.resources import Resources

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
    return app


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HotelbotError)
    async def _hotelbot_error(request: Request, exc: HotelbotError) -> JSONResponse:
        if exc.status_code >= 500:
            log.error("api.error", code=exc.code, path=request.url.path, exc_info=exc)
        else:
            log.info("api.rejected", code=exc.code, path=request.url.path)
        return JSONResponse({"error": exc.code, "detail": exc.message}, exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        # Validation messages can echo input (guest text); report only where it failed.
        where = [".".join(str(p) for p in err.get("loc", ())) for err in exc.errors()]
        return JSONResponse({"error": "invalid_input", "detail": where}, 422)
