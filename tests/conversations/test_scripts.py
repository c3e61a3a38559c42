"""Every script in `scripts/` played through webhook → worker → engine → PMS → sandbox, and
the inventory those scripts must keep covering (issue 4: 40+ conversations, 5+ languages)."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.conversations.harness import LANGUAGES, Script, Stack, load_scripts, play

SCRIPTS = load_scripts()

#: What the conversation tests promise to cover (a script lists what it covers in `covers`).
REQUIRED = {
    "greeting",
    *(
        f"faq.{topic}"
        for topic in (
            "checkin_time",
            "checkout_time",
            "breakfast",
            "parking",
            "pets",
            "wifi",
            "pool",
            "gym",
            "location",
            "airport",
            "cancellation_policy",
            "payment",
            "accessibility",
        )
    ),
    "booking.one_message",
    "booking.step_by_step",
    "booking.change_detail",
    "booking.faq_resume",
    "manage.find",
    "manage.change_dates",
    "manage.cancel",
    "manage.cancel_fee",
    "manage.other_guest_refused",
    "service.housekeeping",
    "service.towels",
    "service.maintenance",
    "service.late_checkout",
    "service.taxi",
    "service.room_service",
    "handoff.request",
    "handoff.repeated_failure",
    "opt_out",
    "silence",
}


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.name for s in SCRIPTS])
async def test_script(stack: Stack, script: Script) -> None:
    await play(stack, script)


def test_the_scripts_cover_what_issue_4_asks() -> None:
    covered = {item for script in SCRIPTS for item in script.covers}
    assert REQUIRED <= covered, f"not covered: {sorted(REQUIRED - covered)}"
    assert len(SCRIPTS) >= 40
    languages = Counter(script.language for script in SCRIPTS)
    assert set(languages) == set(LANGUAGES), languages
    # Every flow that changes the PMS ends in a checked PMS state, in several languages.
    for family in ("booking", "manage", "service"):
        checked = [
            s
            for s in SCRIPTS
            if family in s.covers
            and (
                s.end.reservations
                or s.end.given_status
                or s.end.given_stay
                or s.end.service_requests
            )
        ]
        assert len({s.language for s in checked}) >= 4, family


def test_voice_scripts_cover_six_languages_and_complete_bookings() -> None:
    """Issue 12: spoken FAQ in every language, and bookings completed from voice notes."""
    voice = [s for s in SCRIPTS if "voice" in s.covers]
    assert all(any(t.speak for t in s.turns) for s in voice)
    assert {s.language for s in voice if "voice.faq" in s.covers} == set(LANGUAGES)
    booked = {s.language for s in voice if "voice.booking" in s.covers and s.end.reservations}
    assert len(booked) >= 3, booked
    assert any(t.noise_db is not None for s in voice for t in s.turns)
