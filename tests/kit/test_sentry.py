"""Sentry events leave the process with no phone number, name, e-mail or message text."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import sentry_sdk
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport

from hotelbot.kit.sentry import before_send, init_sentry

PHONE = "+34 612 345 678"
WA_ID = "34612345678"
EMAIL = "ana.garcia@example.org"
TEXT = "Hola, quiero una habitación doble para el viernes"
NAME = "Ana García"
# Whole numbers, not fragments: three digits also turn up in random event and trace ids.
SECRETS = ("612 345 678", "612345678", WA_ID, EMAIL, "habitación", "García")


def realistic_event() -> dict[str, Any]:
    """Shaped like what the SDK builds for a failed webhook request, guest data everywhere."""
    return {
        "event_id": "a" * 32,
        "level": "error",
        "message": f"could not route message from {PHONE}",
        "logentry": {"message": "inbound from %s", "params": [WA_ID]},
        "user": {"id": WA_ID, "username": NAME, "email": EMAIL, "ip_address": "10.0.0.7"},
        "request": {
            "method": "POST",
            "url": f"https://bot.example.com/webhooks/whatsapp?from={WA_ID}",
            "query_string": f"from={WA_ID}",
            "headers": {
                "Content-Type": "application/json",
                "X-Hub-Signature-256": "sha256=deadbeef",
                "Authorization": "Bearer secret",
                "Cookie": "session=abc",
                "X-Request-ID": "req-77",
            },
            "data": {"entry": [{"changes": [{"value": {"messages": [{"text": {"body": TEXT}}]}}]}]},
            "cookies": {"session": "abc"},
        },
        "exception": {
            "values": [
                {
                    "type": "ValueError",
                    "value": f"unknown guest {PHONE} <{EMAIL}>",
                    "stacktrace": {
                        "frames": [
                            {
                                "function": "accept",
                                "lineno": 42,
                                "vars": {"body": TEXT, "wa_id": WA_ID, "profile": NAME},
                            }
                        ]
                    },
                }
            ]
        },
        "breadcrumbs": {
            "values": [
                {"category": "log", "message": f"guest {PHONE} said {EMAIL}"},
                {"category": "httplib", "data": {"url": "/messages", "body": TEXT, "to": WA_ID}},
            ]
        },
        "extra": {"wa_id": WA_ID, "profile_name": NAME, "messages": 1},
        "contexts": {"guest": {"phone": PHONE, "name": NAME}},
    }


def test_before_send_leaves_no_guest_data() -> None:
    event = before_send(realistic_event())

    dumped = json.dumps(event, ensure_ascii=False)
    for secret in SECRETS:
        assert secret not in dumped, secret
    assert "user" not in event
    assert event["request"]["headers"] == {
        "Content-Type": "application/json",
        "X-Request-ID": "req-77",
    }
    assert event["request"]["method"] == "POST"
    # What is left is still useful for debugging.
    frame = event["exception"]["values"][0]["stacktrace"]["frames"][0]
    assert frame == {"function": "accept", "lineno": 42}
    assert event["exception"]["values"][0]["type"] == "ValueError"
    assert event["extra"]["messages"] == 1


class RecordingTransport(Transport):
    def __init__(self) -> None:
        super().__init__()
        self.envelopes: list[Envelope] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        self.envelopes.append(envelope)


@pytest.fixture
def transport() -> Iterator[RecordingTransport]:
    transport = RecordingTransport()
    yield transport
    sentry_sdk.init()  # back to a disabled client


def test_no_dsn_means_no_sentry() -> None:
    assert init_sentry("", "production") is False


def test_a_captured_exception_is_scrubbed_before_sending(transport: RecordingTransport) -> None:
    assert init_sentry("https://key@sentry.example.invalid/1", "test", transport=transport)

    def lookup(wa_id: str, text: str) -> None:
        raise LookupError(f"no guest {PHONE}")

    sentry_sdk.add_breadcrumb(message=f"received from {WA_ID}", data={"text": TEXT})
    sentry_sdk.set_user({"id": WA_ID, "email": EMAIL})
    try:
        lookup(WA_ID, TEXT)
    except LookupError as error:
        sentry_sdk.capture_exception(error)
    sentry_sdk.flush()

    [envelope] = transport.envelopes
    sent = envelope.serialize().decode()
    assert "LookupError" in sent
    for secret in SECRETS:
        assert secret not in sent, secret


def test_only_safe_exception_types_keep_their_message() -> None:
    class OurError(Exception):
        """Stands for HotelbotError: messages written never to carry guest data."""

    def event_for(error: Exception) -> dict[str, Any]:
        value = {
            "type": type(error).__name__,
            "module": type(error).__module__,
            "value": str(error),
        }
        return {"exception": {"values": [value]}}

    ours, theirs = OurError("room type STD-DBL is sold out"), KeyError("Ana García")
    kept = before_send(
        event_for(ours), {"exc_info": (OurError, ours, None)}, safe_exceptions=(OurError,)
    )
    dropped = before_send(
        event_for(theirs), {"exc_info": (KeyError, theirs, None)}, safe_exceptions=(OurError,)
    )

    assert kept["exception"]["values"][0]["value"] == "room type STD-DBL is sold out"
    assert dropped["exception"]["values"][0]["value"] == "[redacted]"
