"""A process's resources: the Graph client sends where the settings say, and says so at start."""

from __future__ import annotations

import io

import httpx
from pydantic import SecretStr

from hotelbot.kit.jobs import InProcessQueue
from hotelbot.resources import open_resources
from hotelbot.settings import Settings, WhatsAppSettings
from tests.conftest import log_lines

PAYLOAD = {"messaging_product": "whatsapp", "to": "447700900123", "type": "text",
           "text": {"body": "Hello"}}  # fmt: skip
ACCESS_TOKEN = "EAAG-prod-access-token"


def production(settings: Settings) -> Settings:
    """`settings` as production runs: no sandbox, real secrets, no `whatsapp.graph_url`."""
    whatsapp = WhatsAppSettings(
        app_secret=SecretStr("prod-app-secret"),
        verify_token=SecretStr("prod-verify-token"),
        access_token=SecretStr(ACCESS_TOKEN),
    )
    return settings.model_copy(update={"whatsapp": whatsapp})


async def sent_to(settings: Settings) -> list[str]:
    """URLs the process's Graph client calls for one send (answered here, nothing leaves)."""
    urls: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        urls.append(str(request.url))
        return httpx.Response(200, json={"messages": [{"id": "wamid.test"}]})

    transport = httpx.MockTransport(answer)
    async with open_resources(settings, InProcessQueue(), http_transport=transport) as resources:
        await resources.graph.send("109876543210987", PAYLOAD)
    return urls


async def test_production_sends_to_meta_and_logs_only_its_host(
    settings: Settings, log_output: io.StringIO
) -> None:
    urls = await sent_to(production(settings))

    assert urls == ["https://graph.facebook.com/v23.0/109876543210987/messages"]
    target = [line for line in log_lines(log_output) if line["event"] == "whatsapp.send_target"]
    assert [(t["host"], t["sandbox"]) for t in target] == [("graph.facebook.com", False)]
    assert ACCESS_TOKEN not in log_output.getvalue()


async def test_sandbox_mode_sends_to_the_local_sandbox(
    settings: Settings, log_output: io.StringIO
) -> None:
    urls = await sent_to(settings)

    assert urls == ["http://127.0.0.1:8000/sandbox/graph/v23.0/109876543210987/messages"]
    target = [line for line in log_lines(log_output) if line["event"] == "whatsapp.send_target"]
    assert [(t["host"], t["sandbox"]) for t in target] == [("127.0.0.1:8000", True)]
