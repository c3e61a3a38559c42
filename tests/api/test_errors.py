"""A database that is down or saturated gets a 503 with Retry-After, never a 500."""

from __future__ import annotations

from pathlib import Path

import httpx
import orjson
import pytest

from hotelbot.api.app import create_api_app
from hotelbot.kit.jobs import InProcessQueue
from hotelbot.resources import open_resources
from hotelbot.settings import DbSettings, Settings
from hotelbot.whatsapp.signature import sign


def _signed_text_delivery(settings: Settings) -> tuple[bytes, dict[str, str]]:
    message = {"from": "447700900999", "id": "wamid.db-down", "timestamp": "1767225600",
               "type": "text", "text": {"body": "hello"}}  # fmt: skip
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550100", "phone_number_id": "100200300"},
        "messages": [message],
    }
    body = orjson.dumps(
        {"object": "whatsapp_business_account",
         "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}]}
    )  # fmt: skip
    secret = settings.whatsapp.app_secret.get_secret_value()
    return body, {"X-Hub-Signature-256": sign(secret, body), "Content-Type": "application/json"}


@pytest.mark.parametrize(
    "url",
    [
        "sqlite+aiosqlite:///{tmp}/no/such/dir/hotelbot.db",
        # Port 1 on loopback: nothing listens there, so the connection is refused at once.
        "postgresql+asyncpg://postgres@127.0.0.1:1/hotelbot",
    ],
)
async def test_webhook_answers_503_with_retry_after_when_the_database_is_down(
    settings: Settings, tmp_path: Path, url: str
) -> None:
    broken = settings.model_copy(update={"db": DbSettings(url=url.format(tmp=tmp_path))})
    body, headers = _signed_text_delivery(broken)
    async with open_resources(broken, InProcessQueue()) as resources:
        transport = httpx.ASGITransport(app=create_api_app(resources), raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            response = await client.post("/webhooks/whatsapp", content=body, headers=headers)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.json()["error"] == "unavailable"
    assert "hello" not in response.text and "447700900999" not in response.text
