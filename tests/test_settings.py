"""Settings: where replies are sent, for each way of running hotelbot."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from hotelbot.settings import Settings, WhatsAppSettings

SECRETS = {
    "app_secret": SecretStr("prod-app-secret"),
    "verify_token": SecretStr("prod-verify-token"),
    "access_token": SecretStr("EAAG-prod-access-token"),
}


def test_sandbox_on_sends_to_the_local_sandbox(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, port=8123, whatsapp=WhatsAppSettings(sandbox=True))

    assert settings.graph_url == "http://127.0.0.1:8123/sandbox/graph/v23.0"
    assert (settings.graph_host, settings.sends_to_sandbox) == ("127.0.0.1:8123", True)


def test_sandbox_off_sends_to_meta(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, whatsapp=WhatsAppSettings(**SECRETS))

    assert settings.graph_url == "https://graph.facebook.com/v23.0"
    assert (settings.graph_host, settings.sends_to_sandbox) == ("graph.facebook.com", False)


def test_sandbox_off_ignores_the_public_url(tmp_path: Path) -> None:
    # The old fallback was `{public_url}/sandbox/graph`, which production does not mount.
    settings = Settings(
        data_dir=tmp_path,
        public_url="https://bot.hotel.example",
        whatsapp=WhatsAppSettings(**SECRETS, api_version="v24.0"),
    )

    assert settings.graph_url == "https://graph.facebook.com/v24.0"


def test_an_explicit_graph_url_wins_over_the_sandbox(tmp_path: Path) -> None:
    whatsapp = WhatsAppSettings(sandbox=True, graph_url="https://user:pw@graph.proxy.example:8443/")
    settings = Settings(data_dir=tmp_path, whatsapp=whatsapp)

    assert settings.graph_url == "https://user:pw@graph.proxy.example:8443/v23.0"
    assert (settings.graph_host, settings.sends_to_sandbox) == ("graph.proxy.example:8443", False)
