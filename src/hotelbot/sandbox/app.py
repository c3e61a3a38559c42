"""Assembly of the WhatsApp sandbox: `create_sandbox_app()` for `hotelbot sandbox`, and
`install_sandbox()` to add the same routes to another app (`hotelbot run`, one port).

Every route lives under `/sandbox/`, so the sandbox can share an app with the chatbot API.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from hotelbot.sandbox import api, graph
from hotelbot.sandbox.openai_api import install_openai_sandbox
from hotelbot.sandbox.openai_audio import install_openai_audio
from hotelbot.sandbox.state import Sandbox, utcnow
from hotelbot.settings import Settings

STATIC_DIR = Path(__file__).parent / "static"


def build_sandbox(
    settings: Settings,
    *,
    webhook_transport: httpx.AsyncBaseTransport | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> Sandbox:
    """The sandbox state: secrets from settings, webhooks to `{base_url}/webhooks/whatsapp`."""
    return Sandbox(
        app_secret=settings.whatsapp.app_secret.get_secret_value(),
        access_token=settings.whatsapp.access_token.get_secret_value(),
        webhook_url=settings.base_url.rstrip("/") + "/webhooks/whatsapp",
        webhook_transport=webhook_transport,
        clock=clock,
    )


def install_sandbox(app: FastAPI, sandbox: Sandbox) -> None:
    """Add the sandbox's routes, static files and state to `app`.

    The caller owns the lifetime: `await sandbox.aclose()` on shutdown.
    """
    app.state.sandbox = sandbox
    app.include_router(graph.router)
    app.include_router(api.router)
    # The stand-in model for `HOTELBOT_LLM__PROVIDER=sandbox` (docs/llm.md).
    install_openai_sandbox(app)
    install_openai_audio(app)
    app.mount("/sandbox/static", StaticFiles(directory=STATIC_DIR), name="sandbox-static")


def create_sandbox_app(
    settings: Settings,
    *,
    webhook_transport: httpx.AsyncBaseTransport | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> FastAPI:
    """A standalone sandbox app (state on `app.state.sandbox`)."""
    sandbox = build_sandbox(settings, webhook_transport=webhook_transport, clock=clock)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await sandbox.aclose()

    app = FastAPI(title="hotelbot WhatsApp sandbox", lifespan=lifespan, docs_url=None)
    install_sandbox(app, sandbox)
    return app
