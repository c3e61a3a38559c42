"""A client for the webhook through the real API app, and delivery bodies to send it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotelbot.models import Message
from hotelbot.resources import Resources
from hotelbot.whatsapp.signature import sign
from tests.fakes.queue import RecordingQueue

DATA = Path(__file__).parent.parent / "data" / "whatsapp"
PATH = "/webhooks/whatsapp"
JOB = "conversation.process_inbound"


@dataclass
class Api:
    client: httpx.AsyncClient
    queue: RecordingQueue
    resources: Resources
    secret: str

    async def post(
        self,
        body: bytes,
        *,
        signature: str | None = "sign",
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        sent = {"Content-Type": "application/json", **(headers or {})}
        if signature == "sign":
            sent["X-Hub-Signature-256"] = sign(self.secret, body)
        elif signature is not None:
            sent["X-Hub-Signature-256"] = signature
        return await self.client.post(PATH, content=body, headers=sent)


def fixture(name: str) -> bytes:
    return (DATA / f"{name}.json").read_bytes()


def text_from(guest: int, wamid: str, name: str = "Guest") -> bytes:
    """The `text` fixture from another guest (wa_id, profile name) with another wamid."""
    data = json.loads(fixture("text"))
    value = data["entry"][0]["changes"][0]["value"]
    wa_id = f"4477009{guest:05d}"
    value["contacts"] = [{"profile": {"name": name}, "wa_id": wa_id}]
    value["messages"][0].update({"from": wa_id, "id": wamid})
    return json.dumps(data).encode()


async def count_messages(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    async with sessionmaker() as session:
        return (await session.execute(select(func.count()).select_from(Message))).scalar_one()
