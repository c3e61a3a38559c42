"""How the chatbot API answers an error: one place for the bodies, status codes and log lines.

The FastAPI exception handlers (`api/app.py`) and the raw webhook receiver
(`api/receiver.py`, which answers without FastAPI) both render errors here, so a client
sees the same answer whichever of them served it.
"""

from __future__ import annotations

import structlog
from sqlalchemy import exc as sa_exc
from starlette.responses import JSONResponse

from hotelbot.errors import HotelbotError, RateLimited

log = structlog.get_logger(__name__)

#: Errors that mean the database is down or saturated (asyncpg's refused connection comes as
#: a plain ConnectionError, before any DBAPI error).
DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (
    sa_exc.TimeoutError,
    sa_exc.InterfaceError,
    sa_exc.OperationalError,
    ConnectionError,
)


def hotelbot_error_response(exc: HotelbotError, path: str) -> JSONResponse:
    """`{"error": code, "detail": message}` with the error's status; 5xx are logged with a trace."""
    if exc.status_code >= 500:
        log.error("api.error", code=exc.code, path=path, exc_info=exc)
    else:
        log.info("api.rejected", code=exc.code, path=path)
    headers = exc.headers if isinstance(exc, RateLimited) else None
    return JSONResponse(
        {"error": exc.code, "detail": exc.message}, exc.status_code, headers=headers
    )


def database_unavailable_response(exc: Exception, path: str) -> JSONResponse:
    """503 + Retry-After: overload or a database that is down is not the client's fault.

    Not a bug either: Meta (and load balancers) come back later, and the unique wamid makes
    that redelivery safe.
    """
    log.warning("api.database_unavailable", error=type(exc).__name__, path=path)
    return JSONResponse(
        {"error": "unavailable", "detail": "the database is busy or down; retry later"},
        503,
        headers={"Retry-After": "5"},
    )
