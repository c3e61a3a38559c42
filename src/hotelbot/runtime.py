"""Process assembly for the long-running commands: `run`, `api`, `pms`, plus `migrate` and
`conformance`. Assembly only: which apps share a port, what starts and stops in which order.

`hotelbot run` puts everything on one port: the chatbot API (webhook, health, metrics), the
PMS service (built-in adapter, demo hotel) and the WhatsApp sandbox; the jobs run in one
worker process it starts and restarts (docs/decisions/0006-embedded-worker-process.md).
`hotelbot api` also mounts the sandbox when `whatsapp.sandbox` is on and the PMS when
`pms.url` is empty, so a single API process can be tried without the other services.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import structlog
from fastapi import FastAPI

from hotelbot import metrics, migrate
from hotelbot.api.app import create_api_app
from hotelbot.embedded import cipher_from
from hotelbot.kit import crypto
from hotelbot.kit.db import create_engine, create_sessionmaker, session_scope
from hotelbot.kit.heap import freeze_startup_heap
from hotelbot.kit.metrics import HttpMetricsMiddleware, metrics_endpoint
from hotelbot.kit.queue_pipe import PipeQueue
from hotelbot.kit.supervise import Supervised
from hotelbot.pms import app as pms_app
from hotelbot.pms import migrate as pms_migrate
from hotelbot.prompt import service as prompt_service
from hotelbot.property.demo import ensure_demo_property
from hotelbot.resources import Resources, open_resources, queue_from
from hotelbot.sandbox import DEMO_DISPLAY_NUMBER, DEMO_PHONE_NUMBER_ID
from hotelbot.sandbox.app import build_sandbox, install_sandbox
from hotelbot.settings import DbSettings, QueueEngine, Settings

log = structlog.get_logger(__name__)


class Server(Protocol):
    async def serve(self) -> None: ...


MakeServer = Callable[[Any, Settings], Server]


async def migrate_all(settings: Settings) -> None:
    """Chatbot tables, the built-in PMS's tables and (when used) the queue's schema."""
    crypto.install(cipher_from(settings))  # migrations that re-encrypt rows need the keys
    engine = create_engine(settings.database_url)
    try:
        await migrate.upgrade(engine)
        async with session_scope(create_sessionmaker(engine)) as session:
            await prompt_service.seed_defaults(session)
    finally:
        await engine.dispose()
    pms_engine = create_engine(pms_app.pms_database_url(settings))
    try:
        await pms_migrate.upgrade(pms_engine)
    finally:
        await pms_engine.dispose()
    if settings.queue.engine is QueueEngine.PROCRASTINATE:
        queue = queue_from(settings)
        await queue.start()  # applies procrastinate's schema idempotently
        await queue.stop()
    log.info("migrate.done")


@contextlib.asynccontextmanager
async def _with_pms(app: FastAPI, settings: Settings) -> AsyncIterator[None]:
    """Mount the PMS service (REST + GraphQL) on `app` when this process should serve it."""
    if settings.pms.url:
        yield
        return
    async with pms_app.open_runtime(settings) as runtime:
        pms_app.install_pms(app, runtime, settings)
        for router in pms_app.pms_routers(settings):
            app.include_router(router)
        yield


@contextlib.asynccontextmanager
async def _with_sandbox(app: FastAPI, settings: Settings) -> AsyncIterator[None]:
    if not settings.sends_to_sandbox:
        yield
        return
    sandbox = build_sandbox(settings)
    install_sandbox(app, sandbox)
    try:
        yield
    finally:
        await sandbox.aclose()


async def _ensure_demo(resources: Resources) -> None:
    async with session_scope(resources.sessionmaker) as session:
        await ensure_demo_property(
            session,
            phone_number_id=DEMO_PHONE_NUMBER_ID,
            display_phone_number=DEMO_DISPLAY_NUMBER,
        )


async def serve_embedded(
    settings: Settings, make_server: MakeServer, *, worker_argv: Sequence[str]
) -> None:
    """`hotelbot run`: migrate, seed the demo hotel, serve everything but the jobs here, and
    keep one worker process (`worker_argv`) running beside this one, fed through a pipe.

    Two processes use both cores: the webhook, PMS and sandbox never wait behind a turn.
    """
    await migrate_all(settings)
    queue = PipeQueue()
    async with open_resources(settings, queue) as resources:
        await _ensure_demo(resources)
        app = create_api_app(resources)
        async with _with_pms(app, settings), _with_sandbox(app, settings):
            worker = Supervised(
                "worker",
                worker_argv,
                stdin_pipe=True,
                on_start=lambda process: queue.attach(process.stdin),
            )
            worker.start()
            _print_banner(settings)
            freeze_startup_heap()
            try:
                await make_server(app, settings).serve()
            finally:
                await worker.stop()


async def serve_api(settings: Settings, make_server: MakeServer) -> None:
    """`hotelbot api`: the webhook and admin API; jobs go to the queue for `hotelbot worker`.

    With the in-process queue there is no separate worker, so this process runs the jobs too.
    """
    from hotelbot.worker.main import start_background

    async with open_resources(settings, queue_from(settings)) as resources:
        app = create_api_app(resources)
        async with _with_pms(app, settings), _with_sandbox(app, settings):
            worker = (
                start_background(resources)
                if settings.queue.engine is QueueEngine.INPROCESS
                else None
            )
            freeze_startup_heap()
            try:
                await make_server(app, settings).serve()
            finally:
                if worker is not None:
                    await worker.stop()


async def serve_pms(settings: Settings, make_server: MakeServer) -> None:
    """`hotelbot pms`: the PMS integration service alone (migrates its tables at start-up)."""
    from hotelbot.api import health

    app = pms_app.create_pms_app(settings)
    app.add_route("/metrics", metrics_endpoint, include_in_schema=False)
    app.add_middleware(
        HttpMetricsMiddleware,
        requests_total=metrics.HTTP_REQUESTS,
        duration_seconds=metrics.HTTP_DURATION,
    )
    app.add_api_route("/healthz", health.healthz, include_in_schema=False)
    await make_server(app, settings).serve()


async def run_conformance(settings: Settings, path: Path) -> dict[str, Any]:
    """Replay real Cloud API webhook bodies against the webhook on a scratch database."""
    from hotelbot.api.conformance import check_webhooks

    with tempfile.TemporaryDirectory(prefix="hotelbot-conformance-") as scratch:
        scratch_settings = settings.model_copy(
            update={
                "data_dir": Path(scratch),
                "db": DbSettings(url=f"sqlite+aiosqlite:///{Path(scratch) / 'conformance.db'}"),
            }
        )
        engine = create_engine(scratch_settings.database_url)
        await migrate.upgrade(engine)
        await engine.dispose()
        async with open_resources(scratch_settings, queue_from(scratch_settings)) as resources:
            app = create_api_app(resources)
            report = await check_webhooks(
                app, path, app_secret=settings.whatsapp.app_secret.get_secret_value()
            )
    result: dict[str, Any] = report.to_dict()
    return result


def _print_banner(settings: Settings) -> None:
    base = settings.base_url.rstrip("/")
    lines = [
        "",
        "hotelbot is running (embedded: SQLite, a worker process, built-in PMS, sandbox)",
        f"  guest simulator     {base}/sandbox/",
        f"  webhook             {base}/webhooks/whatsapp",
        f"  PMS REST / GraphQL  {base}/pms/v1/  {base}/pms/graphql",
        f"  metrics / health    {base}/metrics  {base}/healthz  {base}/readyz",
        f"  demo hotel          phone_number_id {DEMO_PHONE_NUMBER_ID} ({DEMO_DISPLAY_NUMBER})",
        f"  data dir            {settings.data_dir}",
        f"  replies sent to     {settings.graph_host}"
        + (" (the sandbox)" if settings.sends_to_sandbox else ""),
        "  chat from a terminal: hotelbot chat",
        "",
    ]
    print("\n".join(lines), flush=True)
