"""Liveness and readiness probes for load balancers and orchestrators.

`/healthz` answers while the process can serve HTTP at all; `/readyz` answers 200 only when the
dependencies a request needs (the database) answer too, and 503 naming the failed check.
"""

from __future__ import annotations

import asyncio

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from hotelbot.resources import Resources

log = structlog.get_logger(__name__)
router = APIRouter(tags=["health"])

#: A probe must answer before the balancer's own timeout; a hung database counts as down.
CHECK_TIMEOUT_SECONDS = 3.0


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


async def _check_database(engine: AsyncEngine) -> bool:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECONDS), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as error:  # any failure means "not ready"; the kind is enough to debug
        log.warning("health.readyz.database_failed", error=type(error).__name__)
        return False
    return True


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    resources: Resources = request.app.state.hotelbot
    checks = {"database": "ok" if await _check_database(resources.engine) else "failed"}
    ready = all(result == "ok" for result in checks.values())
    return JSONResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks},
        status_code=200 if ready else 503,
    )
