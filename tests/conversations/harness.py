"""Scripted conversations: a script is data, the harness plays it through the real product.

A script (`scripts/*.yaml`) names a guest, optional PMS facts that exist before it starts
(`given`), the guest's turns (`say` a text or `tap` a button/list row of the bot's last
interactive reply, by title or id) with expectations on the bot's replies, and the END STATE
checked in the PMS (reservations, cancellations, service requests) and in the chatbot DB
(conversation mode, opt-out).

Dates in scripts are relative to the hotel's real today (the engine reads the wall clock):
`{today+10}` renders as ISO, `{today+10:%d/%m}` with any strftime format, `{friday+2}` counts
from the next Friday after today; `{ref:NAME}` is the reference of the reservation created as
`given` under NAME.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import httpx
import yaml
from lingua import Language, LanguageDetector, LanguageDetectorBuilder
from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotelbot.api.app import create_api_app
from hotelbot.kit.db import session_scope
from hotelbot.kit.jobs import InProcessQueue
from hotelbot.models import (
    Conversation,
    ConversationMode,
    Direction,
    Guest,
    Message,
    MessageStatus,
)
from hotelbot.pms import app as pms_app
from hotelbot.pms.adapters.builtin.adapter import BuiltinAdapter
from hotelbot.pms.adapters.builtin.models import PmsProperty, PmsServiceRequest
from hotelbot.pms.service import PmsRuntime
from hotelbot.property.demo import DEMO_PROPERTY_ID, DEMO_TIMEZONE, ensure_demo_property
from hotelbot.resources import Resources, open_resources
from hotelbot.sandbox import DEMO_DISPLAY_NUMBER, DEMO_PHONE_NUMBER_ID
from hotelbot.sandbox.app import build_sandbox, install_sandbox
from hotelbot.sandbox.state import Faults, Sandbox
from hotelbot.settings import PmsSettings, Settings
from hotelbot.worker.main import start_background
from tests.voice.samples import voice_note

SCRIPTS = Path(__file__).parent / "scripts"
LANGUAGES = ("en", "es", "de", "fr", "it", "pt")
PMS_TOKEN = "conversations-pms-token"
#: Where the one in-process app is reached; the PMS client and webhooks use it too.
BASE_URL = "http://hotelbot.test"
#: A number that is not the scripted guest's: owner of the "someone else's booking" facts.
OTHER_GUEST = "447700900999"

# ---- the script format ------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Expect(_Strict):
    """What one bot reply must look like. Text checks are case-insensitive and look at the
    body plus every button/row title and description."""

    kind: Literal["text", "buttons", "list"] | None = None
    language: str | None = None
    contains: list[str] = Field(default_factory=list)
    #: At least one of these must appear (for wording that may vary between synonyms).
    contains_any: list[str] = Field(default_factory=list)
    absent: list[str] = Field(default_factory=list)
    regex: str | None = None
    #: Ids (or titles) the reply must offer as buttons or rows.
    offers: list[str] = Field(default_factory=list)


class Turn(_Strict):
    say: str | None = None
    #: A button or list row of the bot's last interactive reply, by id or title.
    tap: str | None = None
    #: Words the guest speaks: espeak-ng in the script's language, sent as a voice note.
    speak: str | None = None
    #: Mix white noise into the spoken note at this signal-to-noise ratio (dB).
    noise_db: float | None = None
    #: Expectations, one per reply in order; fewer entries than replies check the first ones.
    replies: list[Expect] = Field(default_factory=list)
    #: Exact number of replies (0 = the bot stays silent).
    count: int | None = None
    #: Every reply of the turn in this language (shorthand for `language` on each).
    language: str | None = None

    @model_validator(mode="after")
    def _one_input(self) -> Turn:
        if sum(x is not None for x in (self.say, self.tap, self.speak)) != 1:
            raise ValueError("a turn either says, speaks or taps something")
        return self


class GivenReservation(_Strict):
    name: str
    #: "self" (the scripted guest's own number) or "other" (someone else's).
    owner: Literal["self", "other"] = "self"
    check_in: str
    check_out: str
    adults: int = 2
    children_ages: list[int] = Field(default_factory=list)
    room_type: str = "STD-DBL"
    rate_plan: str = "FLEX-BB"
    first_name: str = "Marta"
    last_name: str = "Ferreira"


class Given(_Strict):
    reservations: list[GivenReservation] = Field(default_factory=list)
    #: The demo hotel's `pms_settings` for this script (e.g. `guest_email_required: "true"`).
    pms_settings: dict[str, str] = Field(default_factory=dict)


class ExpectReservation(_Strict):
    check_in: str
    check_out: str
    adults: int
    children: int = 0
    room_type: str | None = None
    status: str = "confirmed"
    last_name: str | None = None
    email: str | None = None


class ExpectServiceRequest(_Strict):
    kind: str
    service_code: str | None = None
    #: Room-service order: item code → quantity.
    items: dict[str, int] | None = None


class EndState(_Strict):
    mode: Literal["bot", "human"] | None = None
    opted_out: bool | None = None
    #: The guest's own reservations (tied to their number), exactly these, in any order.
    reservations: list[ExpectReservation] | None = None
    #: Given reservations by name → status they must end in ("confirmed", "cancelled", ...).
    given_status: dict[str, str] = Field(default_factory=dict)
    #: Given reservations by name → the stay they must have after a change.
    given_stay: dict[str, ExpectReservation] = Field(default_factory=dict)
    #: Given reservations by name → whether the cancellation fee the PMS charged was more
    #: than zero; either way that exact fee must have been shown to the guest.
    fee_charged: dict[str, bool] = Field(default_factory=dict)
    #: Service requests at the hotel, exactly these kinds (None = not checked).
    service_requests: list[ExpectServiceRequest] | None = None


class Script(_Strict):
    name: str
    language: str
    #: What the script covers, for the inventory (greeting, faq, booking, manage, ...).
    covers: list[str]
    guest: str = "447700900123"
    guest_name: str = "Guest"
    given: Given = Field(default_factory=Given)
    turns: list[Turn]
    end: EndState = Field(default_factory=EndState)


def load_scripts(directory: Path = SCRIPTS) -> list[Script]:
    scripts = []
    for path in sorted(directory.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        scripts.append(Script.model_validate({"name": path.stem} | data))
    return scripts


# ---- placeholders -----------------------------------------------------------------------------

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_PLACEHOLDER = re.compile(
    r"\{(today|" + "|".join(_WEEKDAYS) + r")([+-]\d+)?(?::([^}]+))?\}|\{ref:(\w+)\}"
)


def hotel_today() -> dt.date:
    return dt.datetime.now(ZoneInfo(DEMO_TIMEZONE)).date()


def render(template: str, refs: dict[str, str], today: dt.date | None = None) -> str:
    """Fill in `{today+N:fmt}`, `{friday+N:fmt}` (the next Friday strictly after today, as a
    guest means "next Friday") and `{ref:NAME}`."""
    base = today or hotel_today()

    def one(m: re.Match[str]) -> str:
        if m.group(4):
            return refs[m.group(4)]
        anchor = base
        if m.group(1) != "today":
            ahead = (_WEEKDAYS.index(m.group(1)) - base.weekday()) % 7 or 7
            anchor = base + dt.timedelta(days=ahead)
        day = anchor + dt.timedelta(days=int(m.group(2) or 0))
        return day.strftime(m.group(3)) if m.group(3) else day.isoformat()

    return _PLACEHOLDER.sub(one, template)


# ---- one bot reply, as the guest's phone sees it ----------------------------------------------


@dataclass(frozen=True)
class Choice:
    id: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class BotReply:
    kind: str
    body: str
    choices: tuple[Choice, ...] = ()

    @classmethod
    def from_send(cls, payload: dict[str, Any]) -> BotReply:
        """A Graph API send body (what the sandbox recorded) as the guest would see it."""
        if payload.get("type", "text") == "text":
            return cls("text", payload["text"]["body"])
        if payload["type"] != "interactive":
            return cls(payload["type"], "")
        interactive = payload["interactive"]
        body = interactive.get("body", {}).get("text", "")
        action = interactive.get("action", {})
        if interactive["type"] == "button":
            choices = tuple(
                Choice(b["reply"]["id"], b["reply"]["title"]) for b in action.get("buttons", [])
            )
            return cls("buttons", body, choices)
        rows = [row for section in action.get("sections", []) for row in section["rows"]]
        choices = tuple(Choice(r["id"], r["title"], r.get("description", "")) for r in rows)
        return cls("list", body, choices)

    @property
    def everything(self) -> str:
        parts = [self.body] + [f"{c.title} {c.description}" for c in self.choices]
        return "\n".join(parts)


_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)


@cache
def _vocabularies() -> dict[str, frozenset[str]]:
    """Words only one language's reply texts use (engine templates and the demo FAQ)."""
    import json

    import hotelbot.engine.texts as texts
    from hotelbot.property.demo import DEMO_PROFILE

    words: dict[str, set[str]] = {lang: set() for lang in LANGUAGES}
    root = Path(texts.__file__).parent
    for lang in LANGUAGES:
        for path in [root / f"{lang}.json", *root.glob(f"*/{lang}.json")]:
            for sentence in json.loads(path.read_text(encoding="utf-8")).values():
                words[lang] |= {w.casefold() for w in _WORD.findall(sentence)}
        for answers in DEMO_PROFILE["faq"].values():
            words[lang] |= {w.casefold() for w in _WORD.findall(answers.get(lang, ""))}
    return {
        lang: frozenset(own - set().union(*(words[o] for o in LANGUAGES if o != lang)))
        for lang, own in words.items()
    }


@cache
def _detector() -> LanguageDetector:
    languages = [
        Language.ENGLISH,
        Language.SPANISH,
        Language.GERMAN,
        Language.FRENCH,
        Language.ITALIAN,
        Language.PORTUGUESE,
    ]
    return LanguageDetectorBuilder.from_languages(*languages).build()


def reply_language(reply: BotReply) -> str | None:
    """The language whose own words the reply uses most (our templates are the reference);
    a language detector only when no word is distinctive."""
    # Codes such as booking references ("DEM-…") are not words of any language.
    words = {w.casefold() for w in _WORD.findall(reply.everything) if not w.isupper()}
    votes = {lang: len(words & vocabulary) for lang, vocabulary in _vocabularies().items()}
    best = max(votes.values())
    leaders = [lang for lang, count in votes.items() if count == best]
    if best > 0 and len(leaders) == 1:
        return leaders[0]
    found = _detector().detect_language_of(reply.everything)
    return None if found is None else found.iso_code_639_1.name.lower()


def check_reply(reply: BotReply, expect: Expect, *, where: str) -> None:
    seen = reply.everything.casefold()
    if expect.kind is not None:
        assert reply.kind == expect.kind, f"{where}: kind {reply.kind}, wanted {expect.kind}"
    if expect.language is not None:
        language = reply_language(reply)
        assert language == expect.language, f"{where}: reply in {language}: {reply.everything!r}"
    for needle in expect.contains:
        assert needle.casefold() in seen, f"{where}: {needle!r} not in {reply.everything!r}"
    if expect.contains_any:
        assert any(n.casefold() in seen for n in expect.contains_any), (
            f"{where}: none of {expect.contains_any} in {reply.everything!r}"
        )
    for needle in expect.absent:
        assert needle.casefold() not in seen, f"{where}: {needle!r} in {reply.everything!r}"
    if expect.regex is not None:
        assert re.search(expect.regex, reply.everything, re.IGNORECASE | re.DOTALL), (
            f"{where}: /{expect.regex}/ not in {reply.everything!r}"
        )
    offered = {c.id.casefold() for c in reply.choices} | {c.title.casefold() for c in reply.choices}
    for option in expect.offers:
        assert option.casefold() in offered, f"{where}: {option!r} not offered in {reply.choices}"


# ---- the product, in one process --------------------------------------------------------------


@dataclass
class Stack:
    resources: Resources
    queue: InProcessQueue
    sandbox: Sandbox
    #: The one app: webhook, sandbox API, PMS.
    client: httpx.AsyncClient
    #: The PMS REST API (`/pms/v1`), authenticated.
    pms_http: httpx.AsyncClient
    pms_sessionmaker: async_sessionmaker[AsyncSession]
    _seen: dict[str, int] = field(default_factory=dict)

    async def settle(self) -> None:
        """Wait until no job and no webhook is in flight."""
        while self.queue._tasks or self.sandbox._tasks:
            await self.queue.drain()
            await self.sandbox.drain()

    async def send(self, wa_id: str, body: dict[str, Any]) -> list[BotReply]:
        """A guest message through the sandbox; the bot's replies to it once all is quiet."""
        response = await self.client.post("/sandbox/api/messages", json={"from": wa_id} | body)
        return await self._answered(wa_id, response)

    async def speak(self, wa_id: str, note: bytes, *, name: str) -> list[BotReply]:
        """A voice note (OGG/Opus bytes) through the sandbox; the bot's replies to it."""
        response = await self.client.post(
            "/sandbox/api/voice",
            data={"from": wa_id, "name": name},
            files={"file": ("voice.ogg", note, "audio/ogg; codecs=opus")},
        )
        return await self._answered(wa_id, response)

    async def _answered(self, wa_id: str, response: httpx.Response) -> list[BotReply]:
        assert response.status_code == 202, response.text
        assert response.json()["webhook_status"] == 200
        await self.settle()
        return await self._new_replies(wa_id)

    async def _new_replies(self, wa_id: str) -> list[BotReply]:
        sent = (await self.client.get("/sandbox/api/sent")).json()
        mine = [s for s in sent if s["to"] == wa_id]
        start = self._seen.get(wa_id, 0)
        self._seen[wa_id] = len(mine)
        return [BotReply.from_send(s["payload"]) for s in mine[start:]]


def find_choice(replies: list[BotReply], wanted: str) -> tuple[str, Choice]:
    """The choice called `wanted` (id or title) in the newest interactive reply offering it,
    with the sandbox field that taps it (`button_id` or `row_id`)."""
    for reply in reversed(replies):
        for choice in reply.choices:
            if wanted.casefold() in (choice.id.casefold(), choice.title.casefold()):
                return ("button_id" if reply.kind == "buttons" else "row_id"), choice
    offered = [c for r in replies for c in r.choices]
    raise AssertionError(f"no choice {wanted!r} in the last replies: {offered}")


# ---- given facts and end state ----------------------------------------------------------------


def e164(wa_id: str) -> str:
    return f"+{wa_id}"


async def create_given(stack: Stack, script: Script) -> dict[str, str]:
    """Reservations that exist before the conversation; name → reference."""
    refs: dict[str, str] = {}
    # Always set, so a stack reused across scripts (bench/turn.py) starts each from the given.
    async with session_scope(stack.pms_sessionmaker) as session:
        await session.execute(
            update(PmsProperty)
            .where(PmsProperty.id == DEMO_PROPERTY_ID)
            .values(pms_settings=script.given.pms_settings)
        )
    for given in script.given.reservations:
        owner = script.guest if given.owner == "self" else OTHER_GUEST
        body = {
            "check_in": render(given.check_in, refs),
            "check_out": render(given.check_out, refs),
            "occupancy": {"adults": given.adults, "children_ages": given.children_ages},
            "room_type_code": given.room_type,
            "rate_plan_code": given.rate_plan,
            "guest": {
                "first_name": given.first_name,
                "last_name": given.last_name,
                "phone": e164(owner),
            },
        }
        response = await stack.pms_http.post(
            f"/properties/{DEMO_PROPERTY_ID}/reservations",
            json=body,
            headers={"Idempotency-Key": f"given-{script.name}-{given.name}"},
        )
        assert response.status_code == 201, response.text
        refs[given.name] = response.json()["reference"]
    return refs


async def _reservations_of(stack: Stack, wa_id: str) -> list[dict[str, Any]]:
    response = await stack.pms_http.get(
        f"/properties/{DEMO_PROPERTY_ID}/reservations", params={"phone": e164(wa_id)}
    )
    assert response.status_code == 200, response.text
    result: list[dict[str, Any]] = response.json()
    return result


async def _reservation(stack: Stack, reference: str) -> dict[str, Any]:
    response = await stack.pms_http.get(f"/properties/{DEMO_PROPERTY_ID}/reservations/{reference}")
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def _stay(reservation: dict[str, Any]) -> dict[str, Any]:
    occupancy = reservation["occupancy"]
    return {
        "check_in": reservation["check_in"],
        "check_out": reservation["check_out"],
        "adults": occupancy["adults"],
        "children": len(occupancy.get("children_ages", [])),
        "room_type": reservation["room_type_code"],
        "status": reservation["status"],
        "last_name": reservation["guest"]["last_name"],
        "email": reservation["guest"].get("email"),
    }


def _wanted(
    expect: ExpectReservation, refs: dict[str, str], actual: dict[str, Any]
) -> dict[str, Any]:
    return {
        "check_in": render(expect.check_in, refs),
        "check_out": render(expect.check_out, refs),
        "adults": expect.adults,
        "children": expect.children,
        "room_type": expect.room_type or actual["room_type"],
        "status": expect.status,
        "last_name": expect.last_name or actual["last_name"],
        "email": expect.email or actual["email"],
    }


async def check_end_state(
    stack: Stack, script: Script, refs: dict[str, str], transcript: list[list[BotReply]]
) -> None:
    """The PMS and chatbot DB after the conversation; `transcript` is what the guest saw."""
    end = script.end
    shown = "\n".join(r.everything for replies in transcript for r in replies)
    sends = sum(len(replies) for replies in transcript)
    await _check_chatbot_state(stack, script, sends)
    if end.reservations is not None:
        given_refs = set(refs.values())
        made = [
            r
            for r in await _reservations_of(stack, script.guest)
            if r["reference"] not in given_refs
        ]
        for reservation in made:
            # A booking the guest never got the reference of would be a silent booking.
            assert reservation["reference"] in shown, "the new booking's reference was not shown"
        actual = [_stay(r) for r in made]
        wanted = [_wanted(e, refs, a) for e, a in zip(end.reservations, actual, strict=False)]
        key = lambda s: (s["check_in"], s["check_out"], s["adults"])  # noqa: E731
        assert sorted(actual, key=key) == sorted(wanted, key=key), "reservations in the PMS"
        assert len(actual) == len(end.reservations), f"reservations in the PMS: {actual}"
    for name, status in end.given_status.items():
        reservation = await _reservation(stack, refs[name])
        assert reservation["status"] == status, f"given {name}: {reservation['status']}"
    for name, charged in end.fee_charged.items():
        reservation = await _reservation(stack, refs[name])
        fee = reservation["cancellation_fee"]
        assert fee is not None, f"given {name} has no cancellation fee"
        assert (float(fee) > 0) is charged, f"given {name}: fee {fee}"
        # The guest saw the PMS's own figure, in their language's notation.
        assert fee in shown or fee.replace(".", ",") in shown, f"fee {fee} was not shown"
    for name, expect in end.given_stay.items():
        actual_stay = _stay(await _reservation(stack, refs[name]))
        assert actual_stay == _wanted(expect, refs, actual_stay), f"given {name} after change"
    if end.service_requests is not None:
        await _check_service_requests(stack, end.service_requests)


async def _check_chatbot_state(stack: Stack, script: Script, sends: int) -> None:
    """One conversation; every guest message consumed by a turn; every stored reply sent
    exactly once (as many rows as the sandbox accepted) and none failed."""
    async with stack.resources.sessionmaker() as session:
        conversations = list((await session.execute(select(Conversation))).scalars())
        guests = list((await session.execute(select(Guest))).scalars())
        messages = list((await session.execute(select(Message))).scalars())
    mine = [c for c in conversations if c.property_id == DEMO_PROPERTY_ID]
    assert len(mine) == 1, "one conversation per guest and hotel"
    inbound = [m for m in messages if m.direction == Direction.INBOUND]
    outbound = [m for m in messages if m.direction == Direction.OUTBOUND]
    assert len(inbound) == len(script.turns)
    assert {m.status for m in inbound} == {MessageStatus.PROCESSED}
    assert len(outbound) == sends, "stored replies and replies sent differ"
    assert {m.status for m in outbound} <= {
        MessageStatus.SENT,
        MessageStatus.DELIVERED,
        MessageStatus.READ,
    }
    if script.end.mode is not None:
        assert mine[0].mode == ConversationMode(script.end.mode), f"mode {mine[0].mode}"
    if script.end.opted_out is not None:
        guest = next(g for g in guests if g.id == mine[0].guest_id)
        assert guest.opted_out is script.end.opted_out


async def _check_service_requests(stack: Stack, expected: list[ExpectServiceRequest]) -> None:
    async with stack.pms_sessionmaker() as session:
        rows = list((await session.execute(select(PmsServiceRequest))).scalars())
    actual = sorted(
        (
            r.kind,
            r.service_code if any(e.service_code for e in expected) else None,
            tuple(sorted((line["code"], line["quantity"]) for line in r.lines or []))
            if any(e.items for e in expected)
            else None,
        )
        for r in rows
    )
    wanted = sorted(
        (
            e.kind,
            e.service_code if any(x.service_code for x in expected) else None,
            tuple(sorted((e.items or {}).items())) if any(x.items for x in expected) else None,
        )
        for e in expected
    )
    assert actual == wanted, "service requests in the PMS"


# ---- playing a script -------------------------------------------------------------------------


async def play(stack: Stack, script: Script) -> list[list[BotReply]]:
    """Play every turn, checking each reply; then check the end state. Returns the replies."""
    refs = await create_given(stack, script)
    transcript: list[list[BotReply]] = []
    previous: list[BotReply] = []
    for number, turn in enumerate(script.turns, start=1):
        where = f"{script.name} turn {number}"
        if turn.speak is not None:
            note = voice_note(render(turn.speak, refs), script.language, snr_db=turn.noise_db)
            replies = await stack.speak(script.guest, note, name=script.guest_name)
        elif turn.say is not None:
            body = {"text": render(turn.say, refs), "name": script.guest_name}
            replies = await stack.send(script.guest, body)
        else:
            assert turn.tap is not None
            key, choice = find_choice(previous, render(turn.tap, refs))
            replies = await stack.send(script.guest, {key: choice.id, "name": script.guest_name})
        transcript.append(replies)
        _check_turn(turn, replies, refs, where)
        previous = replies or previous
    await check_end_state(stack, script, refs, transcript)
    return transcript


def _check_turn(turn: Turn, replies: list[BotReply], refs: dict[str, str], where: str) -> None:
    shown = [r.everything for r in replies]
    if turn.count is not None:
        assert len(replies) == turn.count, f"{where}: {len(replies)} replies: {shown}"
    else:
        assert replies, f"{where}: the bot did not answer"
    assert len(replies) >= len(turn.replies), f"{where}: only {len(replies)} replies: {shown}"
    for index, expect in enumerate(turn.replies):
        rendered = expect.model_copy(
            update={
                "contains": [render(c, refs) for c in expect.contains],
                "regex": render(expect.regex, refs) if expect.regex else None,
            }
        )
        check_reply(replies[index], rendered, where=f"{where} reply {index + 1}")
    if turn.language is not None:
        for index, reply in enumerate(replies):
            if reply.kind in ("text", "buttons", "list") and reply.body:
                check_reply(
                    reply, Expect(language=turn.language), where=f"{where} reply {index + 1}"
                )


class _LateApp:
    """An ASGI app set after the resources that need a transport to it are built."""

    app: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


@asynccontextmanager
async def open_stack(
    settings: Settings, pms_sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Stack]:
    """Assemble API + PMS + sandbox + in-process worker as `hotelbot run` does, over one
    ASGI transport. The chatbot database must be migrated; the PMS one migrated and seeded."""
    settings.public_url = BASE_URL
    settings.pms = PmsSettings(token=SecretStr(PMS_TOKEN))
    # Each scripted message is its own turn: the guest waits for the answer before the next.
    settings.queue.burst_window_seconds = 0
    late = _LateApp()
    transport = httpx.ASGITransport(app=late)
    queue = InProcessQueue(concurrency=4, backoff_base_seconds=0.01, backoff_cap_seconds=0.05)
    runtime = PmsRuntime(
        settings=settings.pms,
        sessionmaker=pms_sessionmaker,
        builtin=BuiltinAdapter(pms_sessionmaker),
    )
    async with open_resources(settings, queue, http_transport=transport) as resources:
        async with session_scope(resources.sessionmaker) as session:
            await ensure_demo_property(
                session,
                phone_number_id=DEMO_PHONE_NUMBER_ID,
                display_phone_number=DEMO_DISPLAY_NUMBER,
            )
        app = create_api_app(resources)
        pms_app.install_pms(app, runtime, settings)
        for router in pms_app.pms_routers(settings):
            app.include_router(router)
        sandbox = build_sandbox(settings, webhook_transport=transport)
        sandbox.set_faults(Faults(status_delay_ms=0, statuses=False))
        install_sandbox(app, sandbox)
        late.app = app
        worker = start_background(resources)
        try:
            async with (
                httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client,
                httpx.AsyncClient(
                    transport=transport,
                    base_url=f"{BASE_URL}/pms/v1",
                    headers={"Authorization": f"Bearer {PMS_TOKEN}"},
                ) as pms_http,
            ):
                yield Stack(resources, queue, sandbox, client, pms_http, pms_sessionmaker)
        finally:
            await worker.stop()
            await sandbox.aclose()
            await runtime.aclose()
