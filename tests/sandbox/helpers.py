"""A tiny webhook receiver and a sandbox wired to it, for tests that need Meta's side."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson
from fastapi import FastAPI, Request, Response

from hotelbot.sandbox.app import create_sandbox_app
from hotelbot.sandbox.state import Sandbox
from hotelbot.settings import Settings, WhatsAppSettings
from hotelbot.whatsapp.client import GraphClient
from hotelbot.whatsapp.signature import is_valid_signature

GRAPH = "http://sandbox.test/sandbox/graph/v23.0"


def sandbox_settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, whatsapp=WhatsAppSettings(sandbox=True))


@dataclass
class Receiver:
    """Stands in for the bot's webhook: records every delivery and checks its signature."""

    app_secret: str
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    bad_signatures: int = 0
    #: Answer the next N deliveries with a 500, as a bot that is down would.
    fail_next: int = 0

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/webhooks/whatsapp")
        async def receive(request: Request) -> Response:
            body = await request.body()
            header = request.headers.get("x-hub-signature-256")
            if self.fail_next > 0:
                self.fail_next -= 1
                return Response(status_code=500)
            if not is_valid_signature(self.app_secret, body, header):
                self.bad_signatures += 1
                return Response(status_code=401)
            self.deliveries.append(orjson.loads(body))
            return Response(status_code=200)

        return app

    def values(self) -> list[dict[str, Any]]:
        return [d["entry"][0]["changes"][0]["value"] for d in self.deliveries]

    def statuses(self) -> list[dict[str, Any]]:
        return [s for v in self.values() for s in v.get("statuses", [])]

    def messages(self) -> list[dict[str, Any]]:
        return [m for v in self.values() for m in v.get("messages", [])]


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class World:
    sandbox: Sandbox
    receiver: Receiver
    http: httpx.AsyncClient  # talks to the sandbox app
    transport: httpx.ASGITransport  # to build more clients against the same sandbox
    graph: GraphClient  # our real client, pointed at the sandbox
    clock: Clock

    async def guest_says(self, wa_id: str, text: str, name: str = "Mia Example") -> str:
        response = await self.http.post(
            "/sandbox/api/messages", json={"from": wa_id, "name": name, "text": text}
        )
        assert response.status_code == 202, response.text
        assert response.json()["webhook_status"] == 200
        return str(response.json()["wamid"])

    async def sent(self) -> list[dict[str, Any]]:
        response = await self.http.get("/sandbox/api/sent")
        assert response.status_code == 200
        result: list[dict[str, Any]] = response.json()
        return result


@asynccontextmanager
async def sandbox_world(tmp_path: Path, *, statuses: bool = False) -> AsyncIterator[World]:
    settings = sandbox_settings(tmp_path)
    receiver = Receiver(settings.whatsapp.app_secret.get_secret_value())
    clock = Clock()
    app = create_sandbox_app(
        settings, webhook_transport=httpx.ASGITransport(app=receiver.app()), clock=clock
    )
    sandbox: Sandbox = app.state.sandbox
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.test") as http:
        await http.post("/sandbox/api/faults", json={"statuses": statuses, "status_delay_ms": 0})
        graph = GraphClient(
            GRAPH, settings.whatsapp.access_token.get_secret_value(), transport=transport
        )
        try:
            yield World(sandbox, receiver, http, transport, graph, clock)
        finally:
            await graph.aclose()
            await sandbox.aclose()
