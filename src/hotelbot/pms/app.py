"""`create_pms_app(settings)`: the PMS integration service (REST + GraphQL). Assembly only.

Standalone (`hotelbot pms`) it owns its engine, migrations and runtime. Inside the chatbot
(`hotelbot run`) mount it with `app.mount("/", ...)` or include `pms_routers(settings)` after
calling `install_pms(app, runtime, settings)`; see docs/pms.md.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import structlog
from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from hotelbot import rate_limits
from hotelbot.embedded import cipher_from
from hotelbot.errors import HotelbotError, RateLimited
from hotelbot.kit import crypto
from hotelbot.kit.db import create_engine, create_sessionmaker, is_sqlite, session_scope
from hotelbot.pms import auth, migrate, rest
from hotelbot.pms.adapters.builtin import demo
from hotelbot.pms.adapters.builtin.adapter import BuiltinAdapter
from hotelbot.pms.graphql import graphql_router
from hotelbot.pms.service import PmsRuntime
from hotelbot.settings import Settings

log = structlog.get_logger(__name__)


def pms_database_url(settings: Settings) -> str:
    """`pms.database_url`, else the chatbot's Postgres, else a SQLite file of its own.

    On SQLite the PMS must not share the chatbot's file: a turn holds the file's single write
    lock while it calls the PMS over HTTP, and a PMS write on the same file would wait for it.
    """
    if settings.pms.database_url:
        return settings.pms.database_url
    if is_sqlite(settings.database_url):
        return f"sqlite+aiosqlite:///{settings.data_dir / 'pms.db'}"
    return settings.database_url


def pms_routers(settings: Settings) -> list[APIRouter]:
    """REST (`/pms/v1/...`) and GraphQL (`/pms/graphql`) routers, for mounting elsewhere."""
    return [rest.router, graphql_router(settings)]


def install_pms(app: FastAPI, runtime: PmsRuntime, settings: Settings) -> None:
    """Attach the PMS runtime, token table and error handlers to `app` (no routes)."""
    app.state.pms_runtime = runtime
    _install_auth(app, settings)
    install_error_handlers(app)


def _install_auth(app: FastAPI, settings: Settings) -> None:
    """Token table, the chatbot's own (unlimited) token, and the rate limiter (if not set)."""
    app.state.pms_tokens = auth.token_scopes(settings.pms)
    own = settings.pms.token.get_secret_value()
    app.state.pms_exempt_keys = frozenset({rate_limits.opaque_key(own)} if own else ())
    if getattr(app.state, "rate_limiter", None) is None:
        app.state.rate_limiter = rate_limits.limiter_from(settings)


def create_pms_app(
    settings: Settings, *, runtime: PmsRuntime | None = None, seed_demo: bool = True
) -> FastAPI:
    """The PMS service app. With `runtime` given (tests, `hotelbot run`) the caller owns it;
    otherwise the lifespan builds one, migrates the PMS tables and seeds the demo hotel."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if runtime is not None:
            yield
            return
        async with open_runtime(settings, seed_demo=seed_demo) as built:
            app.state.pms_runtime = built
            yield

    app = FastAPI(
        title="hotelbot PMS",
        version="1",
        lifespan=lifespan,
        openapi_url="/pms/openapi.json",
        docs_url="/pms/docs",
        redoc_url=None,
    )
    app.state.pms_runtime = runtime
    _install_auth(app, settings)
    install_error_handlers(app)
    for router in pms_routers(settings):
        app.include_router(router)
    return app


@asynccontextmanager
async def open_runtime(settings: Settings, *, seed_demo: bool = True) -> AsyncIterator[PmsRuntime]:
    """Engine on the PMS database, migrations applied, demo hotel ensured; disposed on exit."""
    crypto.install(cipher_from(settings))
    engine = create_engine(
        pms_database_url(settings),
        pool_size=settings.db.pool_size,
        max_overflow=settings.db.max_overflow,
    )
    await migrate.upgrade(engine)
    sessionmaker = create_sessionmaker(engine)
    if seed_demo:
        async with session_scope(sessionmaker) as session:
            await demo.ensure_demo_hotel(session)
    runtime = PmsRuntime(
        settings=settings.pms, sessionmaker=sessionmaker, builtin=BuiltinAdapter(sessionmaker)
    )
    try:
        yield runtime
    finally:
        await runtime.aclose()
        await engine.dispose()


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HotelbotError)
    async def _typed(request: Request, exc: HotelbotError) -> JSONResponse:
        if exc.status_code >= 500:
            log.warning("pms.api.error", code=exc.code, path=request.url.path)
        else:
            log.info("pms.api.rejected", code=exc.code, path=request.url.path)
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        if isinstance(exc, RateLimited):
            headers = exc.headers
        return JSONResponse(
            {"error": exc.code, "detail": exc.message}, exc.status_code, headers=headers
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        # Validation messages can echo guest input; report only where it failed.
        where: list[Any] = [".".join(str(p) for p in e.get("loc", ())) for e in exc.errors()]
        return JSONResponse({"error": "invalid_request", "detail": where}, 422)
