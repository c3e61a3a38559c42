"""Engine test kit: a TurnContext over the demo profile with tools that record their calls."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from hotelbot.engine.context import GuestFacts, PropertyFacts, TurnContext
from hotelbot.engine.inbound import GuestMessage
from hotelbot.property.demo import DEMO_LANGUAGES, DEMO_NAME, DEMO_PROFILE, DEMO_TIMEZONE
from tests.engine.fakes import FakeTools

NOW = datetime(2027, 3, 4, 9, 30, tzinfo=UTC)


#: The fake tools (an in-memory PMS); the old name stays for existing tests.
RecordingTools = FakeTools


def make_ctx(
    *,
    tools: RecordingTools | None = None,
    profile: dict[str, Any] | None = None,
    languages: tuple[str, ...] = tuple(DEMO_LANGUAGES),
    default_language: str = "en",
    guest_language: str | None = None,
    opted_out: bool = False,
) -> TurnContext:
    return TurnContext(
        property=PropertyFacts(
            id=uuid.uuid4(),
            name=DEMO_NAME,
            timezone=DEMO_TIMEZONE,
            languages=languages,
            default_language=default_language,
            profile=DEMO_PROFILE if profile is None else profile,
        ),
        guest=GuestFacts(
            id=uuid.uuid4(),
            language=guest_language,
            display_name="Ana Example",
            opted_out=opted_out,
        ),
        now=NOW,
        tools=tools or RecordingTools(),
    )


def text(body: str) -> GuestMessage:
    return GuestMessage(id=str(uuid.uuid4()), kind="text", text=body, received_at=NOW)


def choice(choice_id: str, title: str = "") -> GuestMessage:
    return GuestMessage(
        id=str(uuid.uuid4()), kind="choice", choice_id=choice_id, text=title, received_at=NOW
    )


def media(media_type: str, caption: str = "") -> GuestMessage:
    return GuestMessage(
        id=str(uuid.uuid4()),
        kind="media",
        media_type=media_type,
        media_id="media-1",
        text=caption,
        received_at=NOW,
    )


def message(kind: str, **fields: Any) -> GuestMessage:
    return GuestMessage(id=str(uuid.uuid4()), kind=kind, received_at=NOW, **fields)  # type: ignore[arg-type]


@pytest.fixture
def tools() -> RecordingTools:
    return RecordingTools()


@pytest.fixture
def ctx_for(tools: RecordingTools) -> Callable[..., TurnContext]:
    def build(**overrides: Any) -> TurnContext:
        return make_ctx(tools=tools, **overrides)

    return build
