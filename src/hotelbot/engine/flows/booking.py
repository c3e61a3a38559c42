"""Book a stay: collect the stay, show real offers, quote, confirm, take a name, book.

Asks only for what is missing (dates or nights, then guests; rooms default to one; a room
preference sorts the offers), and accepts typed answers and taps alike. Any detail the guest
gives at any stage ("actually 3 adults") replaces that one detail, keeps the rest and searches
again. Every price, offer and reference shown comes from a tool result of the same turn: the
state keeps only what the guest said and which offer they picked.

Stages (`state.flow_data["stage"]`): collect → pick → confirm → name → [email] → (booked,
flow ends). The e-mail is asked for only when the hotel's PMS needs it (or taken when the guest
types it with the name); the name waits for it in the state, which is encrypted at rest.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import structlog
from pydantic import ValidationError

from hotelbot.engine.context import TurnContext
from hotelbot.engine.decision import Decision, Menu, Option, Options, Say, Speech
from hotelbot.engine.flows.answers import day, money
from hotelbot.engine.flows.handoff import hand_over
from hotelbot.engine.state import ConversationState
from hotelbot.engine.tools import (
    SURNAME_PARTICLES,
    HandoffReason,
    guest_details,
    idempotency_key,
)
from hotelbot.engine.understand import Understanding
from hotelbot.engine.understand.intents import Intent
from hotelbot.engine.understand.slots import Slots
from hotelbot.engine.understand.vocab import fold
from hotelbot.pms.errors import InvalidRequest, PmsError, RateChanged, RoomUnavailable
from hotelbot.pms.schemas import (
    MAX_GUESTS,
    MAX_STAY_NIGHTS,
    Availability,
    Occupancy,
    Offer,
    Quote,
    QuoteRequest,
    ReservationCreate,
    in_language,
)

log = structlog.get_logger(__name__)

NAME = "booking"
MAX_OFFERS = 10
#: Misses in a row before staff take over (the second one, as everywhere in the engine).
MAX_MISSES = 2
_STAY_KEYS = ("check_in", "check_out", "adults", "children", "child_ages", "rooms", "room_type")
_APOSTROPHES = "'\u2019"
_NAME = re.compile(rf"^[^\W\d_]+(?:[ {_APOSTROPHES}.-]+[^\W\d_]+)*\.?$")
#: Stages that take a typed answer which is not a stay detail.
_GUEST_STAGES = ("name", "email")
#: An address the PMS contract accepts (`local@domain.tld`), found anywhere in the message.
_EMAIL = re.compile(r"[\w.%+'-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}")


async def step(
    ctx: TurnContext, state: ConversationState, understanding: Understanding
) -> Decision:
    lang = understanding.language
    if state.flow != NAME:
        state.start_flow(NAME, stage="collect")
    choice = understanding.choice or ""
    if choice == "book:cancel" or _abandons(state, understanding):
        state.end_flow()
        return Decision(NAME, lang, [Say("booking.cancelled")])
    try:
        speech = await _run(ctx, state, understanding, choice)
    except RoomUnavailable:
        _data(state)["stage"] = "collect"
        speech = [Say("booking.sold_out"), *await _search(ctx, state, lang)]
    except PmsError as exc:
        log.warning("engine.booking.pms_error", code=exc.code)
        _data(state)["stage"] = "collect"
        speech = [Menu("booking.pms_down", options=("book", "human"))]
    if state.flow == NAME and state.failures >= MAX_MISSES:
        return await hand_over(
            ctx, state, lang, key="handoff.unknown", reason=HandoffReason.NOT_UNDERSTOOD
        )
    return Decision(NAME, lang, speech)


async def reprompt(ctx: TurnContext, state: ConversationState, language: str) -> list[Speech]:
    """The pending question again, after a question was answered mid-booking."""
    stage = _data(state).get("stage")
    try:
        if stage == "pick":
            return [Say("booking.resume"), *await _search(ctx, state, language)]
        if stage == "confirm":
            return [Say("booking.resume"), *await _quote(ctx, state, language)]
    except PmsError:
        return [Menu("booking.pms_down", options=("book", "human"))]
    if stage in _GUEST_STAGES:
        return [Say("booking.resume"), Say(f"booking.ask_{stage}")]
    return [Say("booking.resume"), *(_missing(state) or [Say("booking.ask_dates")])]


# ---- the stages ---------------------------------------------------------------------------


async def _run(
    ctx: TurnContext, state: ConversationState, u: Understanding, choice: str
) -> list[Speech]:
    data = _data(state)
    stage = data.get("stage", "collect")
    if not choice and _answers_guest_stage(stage, u):
        # A name or an address is not read for stay details: "Ana Mayo" is not a date in May,
        # and the digits in "ana.1985@example.com" are not guests.
        return await (_take_name if stage == "name" else _take_email)(ctx, state, u)
    changed = _absorb(data, u.slots, today=ctx.local_now().date())
    changed = _ages_answer(data, u) or changed
    if (problem := _problem(data, u.slots, today=ctx.local_now().date())) is not None:
        return problem
    if data.get("stage") == "too_many":
        await ctx.tools.request_handoff(HandoffReason.BOOKING_REQUEST)
        state.end_flow()
        return [Say("booking.too_many")]
    if changed:
        # A new stay detail means new offers and a new quote to confirm, even at the end.
        stage = data["stage"] = "collect"
    if choice == "book:change":
        data["stage"] = "collect"
        state.failures = 0
        return [Say("booking.ask_change")]
    if stage == "pick":
        return await _pick(ctx, state, u, choice)
    if stage == "confirm":
        return await _confirm(ctx, state, u, choice)
    if stage == "name":
        return await _take_name(ctx, state, u)
    if stage == "email":
        return await _take_email(ctx, state, u)
    return await _collect(ctx, state, u, changed=changed)


async def _collect(
    ctx: TurnContext, state: ConversationState, u: Understanding, *, changed: bool
) -> list[Speech]:
    missing = _missing(state)
    if missing:
        _count_miss(state, understood=changed or u.intent is Intent.BOOK)
        return missing
    state.failures = 0
    return await _search(ctx, state, u.language)


async def _search(ctx: TurnContext, state: ConversationState, lang: str) -> list[Speech]:
    data = _data(state)
    check_in, check_out = _dates(data)
    found = await ctx.tools.check_availability(
        check_in=check_in, check_out=check_out, occupancy=_occupancy(data)
    )
    offers = _ranked(found, data.get("room_type"))
    if not offers:
        data["stage"] = "collect"
        data.pop("check_in", None), data.pop("check_out", None)
        return [Say("booking.none", _stay_params(found.check_in, found.check_out, lang))]
    data["stage"] = "pick"
    return [_offer_list(found, offers, lang)]


async def _pick(
    ctx: TurnContext, state: ConversationState, u: Understanding, choice: str
) -> list[Speech]:
    data = _data(state)
    picked = _picked_offer(choice, u.text)
    if picked is None:
        _count_miss(state, understood=False)
        return [Say("booking.pick_again"), *await _search(ctx, state, u.language)]
    state.failures = 0
    data["offer"] = picked
    if isinstance(picked, int):
        # A typed number: the n-th row of the list, as the PMS ranks it now.
        found = await _search_offers(ctx, data)
        if not 0 < picked <= len(found):
            return [Say("booking.pick_again"), *await _search(ctx, state, u.language)]
        offer = found[picked - 1]
        data["offer"] = f"{offer.room_type_code}|{offer.rate_plan_code}"
    return await _quote(ctx, state, u.language)


async def _quote(ctx: TurnContext, state: ConversationState, lang: str) -> list[Speech]:
    """Check the picked offer is still for sale, price it, and ask for a yes."""
    data = _data(state)
    request = _quote_request(data)
    offers = await _search_offers(ctx, data)
    offer = next(
        (
            o
            for o in offers
            if (o.room_type_code, o.rate_plan_code)
            == (request.room_type_code, request.rate_plan_code)
        ),
        None,
    )
    if offer is None:
        raise RoomUnavailable("the picked offer is no longer available")
    quote = await ctx.tools.quote(request)
    data["stage"] = "confirm"
    data["expected_total"] = str(quote.total)
    return [*_policy(quote, lang), _summary(quote, offer, lang)]


async def _confirm(
    ctx: TurnContext, state: ConversationState, u: Understanding, choice: str
) -> list[Speech]:
    yes = choice == "book:confirm" or (not choice and u.intent is Intent.AFFIRM)
    if not yes:
        _count_miss(state, understood=False)
        return [Say("booking.confirm_again"), *await _quote(ctx, state, u.language)]
    state.failures = 0
    _data(state)["stage"] = "name"
    return [Say("booking.ask_name")]


async def _take_name(ctx: TurnContext, state: ConversationState, u: Understanding) -> list[Speech]:
    data = _data(state)
    typed_email = _email_in(u.text)
    # A bare name says little about its language: Spanish if the conversation or it reads so.
    spanish = "es" in (state.language, u.language)
    name = _name_of(_without_email(u.text, typed_email), "es" if spanish else u.language)
    if name is None:
        if typed_email is not None:  # the address came first: keep it, still ask for the name
            data["email"] = typed_email
        _count_miss(state, understood=typed_email is not None)
        return [Say("booking.ask_name")]
    state.failures = 0
    email = typed_email or data.get("email")
    if email is None and await ctx.tools.booking_needs_email():
        data["guest"], data["stage"] = list(name), "email"
        return [Say("booking.ask_email")]
    return await _book(ctx, state, u, name, email)


async def _take_email(ctx: TurnContext, state: ConversationState, u: Understanding) -> list[Speech]:
    email = _email_in(u.text)
    if email is None:
        _count_miss(state, understood=False)
        return [Say("booking.ask_email_again")]
    state.failures = 0
    first, last = _data(state).get("guest") or ("", "")
    return await _book(ctx, state, u, (str(first), str(last)), email)


async def _book(
    ctx: TurnContext,
    state: ConversationState,
    u: Understanding,
    name: tuple[str, str],
    email: str | None,
) -> list[Speech]:
    data = _data(state)
    request = ReservationCreate(
        **_quote_request(data).model_dump(),
        guest=guest_details(name[0], name[1], email=email, language=u.language),
        expected_total=Decimal(data["expected_total"]) if data.get("expected_total") else None,
    )
    try:
        made = await ctx.tools.create_booking(
            request, idempotency_key=idempotency_key("book", u.message_id)
        )
    except RateChanged:
        return [Say("booking.price_changed"), *await _quote(ctx, state, u.language)]
    state.end_flow()
    params = {
        "reference": made.reference,
        "total": money(made.total, made.currency, u.language),
        **_stay_params(made.check_in, made.check_out, u.language),
    }
    return [Say("booking.confirmed", params)]


# ---- what the guest said -------------------------------------------------------------------


def _data(state: ConversationState) -> dict[str, Any]:
    return state.flow_data


def _abandons(state: ConversationState, u: Understanding) -> bool:
    """ "Cancel" or "no" while a choice is pending ends the booking; nothing was booked."""
    stage = _data(state).get("stage")
    if u.choice:
        return False
    if u.intent is Intent.CANCEL_BOOKING and not _has_stay(u.slots):
        return True
    return u.intent is Intent.NEGATE and stage in ("confirm", "pick") and not _has_stay(u.slots)


def _has_stay(slots: Slots) -> bool:
    return any(getattr(slots, k) not in (None, ()) for k in _STAY_KEYS) or slots.nights is not None


def _absorb(data: dict[str, Any], slots: Slots, *, today: dt.date) -> bool:
    """Merge what the guest said into the flow data; True when a stay detail changed."""
    before = {k: data.get(k) for k in (*_STAY_KEYS, "nights")}
    if slots.check_in is not None:
        data["check_in"] = slots.check_in.isoformat()
        data.pop("check_out", None)
    if slots.check_out is not None:
        data["check_out"] = slots.check_out.isoformat()
    if slots.nights is not None:
        data["nights"] = slots.nights
        if slots.check_out is None:
            data.pop("check_out", None)
    for key in ("adults", "children", "rooms", "room_type"):
        if (value := getattr(slots, key)) is not None:
            data[key] = value
    if slots.child_ages:
        data["child_ages"] = list(slots.child_ages)
        data.setdefault("children", len(slots.child_ages))
    if data.get("check_in") and data.get("nights") and not data.get("check_out"):
        start = dt.date.fromisoformat(data["check_in"])
        data["check_out"] = (start + dt.timedelta(days=int(data["nights"]))).isoformat()
    return before != {k: data.get(k) for k in (*_STAY_KEYS, "nights")}


def _ages_answer(data: dict[str, Any], u: Understanding) -> bool:
    """ "4 and 7" answers "how old are the children?" (no child word, so no slot says it)."""
    children = int(data.get("children") or 0)
    if u.slots.children is not None or u.slots.adults is not None:
        return False  # "2 adults and 2 children" states counts, not ages
    if not children or len(data.get("child_ages") or []) == children:
        return False
    ages = [int(n) for n in re.findall(r"\b\d{1,2}\b", u.text) if int(n) < 18]
    if len(ages) != children:
        return False
    data["child_ages"] = ages
    return True


def _problem(data: dict[str, Any], slots: Slots, *, today: dt.date) -> list[Speech] | None:
    """A stay the PMS could not sell: ask again instead of searching."""
    if slots.ambiguous and slots.check_in is None:
        return [Say("booking.ask_dates_ambiguous")]
    if data.get("check_in") and dt.date.fromisoformat(data["check_in"]) < today:
        data.pop("check_in"), data.pop("check_out", None)
        return [Say("booking.past_dates")]
    if data.get("check_in") and data.get("check_out"):
        nights = (
            dt.date.fromisoformat(data["check_out"]) - dt.date.fromisoformat(data["check_in"])
        ).days
        if not 0 < nights <= MAX_STAY_NIGHTS:
            data.pop("check_out"), data.pop("nights", None)
            return [Say("booking.bad_length", {"max": str(MAX_STAY_NIGHTS)})]
    guests = int(data.get("adults") or 0) + int(data.get("children") or 0)
    if guests > MAX_GUESTS or int(data.get("rooms") or 1) > int(data.get("adults") or 99):
        data["stage"] = "too_many"
    return None


def _missing(state: ConversationState) -> list[Speech]:
    data = _data(state)
    if not data.get("check_in"):
        return [Say("booking.ask_dates")]
    if not data.get("check_out"):
        return [Say("booking.ask_nights")]
    if not data.get("adults"):
        return [Say("booking.ask_guests")]
    children = int(data.get("children") or 0)
    if children and len(data.get("child_ages") or []) != children:
        return [Say("booking.ask_ages")]
    return []


def _count_miss(state: ConversationState, *, understood: bool) -> None:
    state.failures = 0 if understood else state.failures + 1


def _picked_offer(choice: str, text: str) -> str | int | None:
    if choice.startswith("book:offer:"):
        return choice.removeprefix("book:offer:")
    typed = text.strip().rstrip(".)")
    return int(typed) if typed.isdigit() and len(typed) <= 2 else None


#: "My name is …", "me llamo …", "au nom de …": words before the name, not part of it.
_NAME_INTRO = re.compile(
    r"^(?:(?:my|the)\s+name\s+is|my\s+name's|name\s*:|it's|it\s+is|i\s+am|i'm|"
    r"under(?:\s+the\s+name(?:\s+of)?)?|me\s+llamo|mi\s+nombre\s+es|nombre\s*:|soy|"
    r"a\s+nombre\s+de|ich\s+hei(?:ß|ss)e|mein\s+name\s+ist|name\s+ist|ich\s+bin|"
    r"auf\s+den\s+namen|je\s+m['\u2019]appelle|mon\s+nom\s+est|nom\s*:|je\s+suis|"
    r"au\s+nom\s+de|mi\s+chiamo|il\s+mio\s+nome\s+(?:è|e)|nome\s*:|sono|a\s+nome\s+di|"
    r"chamo-me|me\s+chamo|(?:o\s+)?meu\s+nome\s+(?:é|e)|sou|em\s+nome\s+de)\s+",
    re.IGNORECASE,
)


#: Words that join or label an e-mail typed with the name ("Ana Sousa and my email is …").
_EMAIL_WORDS = frozenset(
    {"and", "my", "email", "e-mail", "mail", "is", "y", "mi", "correo", "es", "und", "meine",
     "mein", "ist", "et", "mon", "courriel", "adresse", "est", "e", "il", "mio", "la", "mia", "è",
     "o", "meu", "é"}
)  # fmt: skip


def _answers_guest_stage(stage: str, u: Understanding) -> bool:
    """Whether the message answers the pending question for the guest's name or e-mail.

    Asked for a name, "actually three adults" changes the stay, but "Carmen Domingo" (Sunday)
    is a name: words that read as a stay detail count as a name only when each is capitalised.
    """
    email = _email_in(u.text)
    if stage == "email":
        return email is not None
    if stage != "name":
        return False
    typed = _without_email(u.text, email)
    if _name_of(typed) is None:
        return email is not None and not typed.strip()  # the address alone, before the name
    return not _has_stay(u.slots) or all(
        w[:1].isupper() for w in _NAME_INTRO.sub("", typed).split()
    )


def _email_in(text: str) -> str | None:
    """The e-mail address in the message, if it holds exactly one the PMS would accept."""
    found = _EMAIL.findall(text)
    if len(found) != 1 or len(found[0]) > 254:
        return None
    return str(found[0])


def _without_email(text: str, email: str | None) -> str:
    """The message minus the address and the words around it, to read the name.

    The name may come first ("Ana Sousa and my email is …") or after it ("… and my name is Ana
    Sousa", "… is my email, Ana Sousa"); an intro such as "my name is" is kept for `_name_of`.
    """
    if email is None:
        return text
    before, _, after = text.partition(email)
    head, tail = _words(before), _words(after)
    while head and head[-1].casefold() in _EMAIL_WORDS:
        head.pop()
    while tail and tail[0].casefold() in _EMAIL_WORDS and not _NAME_INTRO.match(" ".join(tail)):
        tail.pop(0)
    return " ".join(head + tail)


def _words(fragment: str) -> list[str]:
    """The words of a message fragment, without the punctuation around an address."""
    return [w for w in re.split(r"[\s,;:()<>]+", fragment.strip(" ,;:()<>.!")) if w]


def _name_of(text: str, language: str = "") -> tuple[str, str] | None:
    """(first name, surname) typed as a full name; None when it is not a name.

    The surname is the last word with the particles before it ("Maria José da Silva" →
    "Maria José" / "da Silva"); Spanish names carry two surnames, so in Spanish three words or
    more end in two ("Juan García López" → "Juan" / "García López"). The guest can later find
    the booking with reference + surname (either of two); a single word is a first name only.
    """
    cleaned = _NAME_INTRO.sub("", " ".join(text.split())).strip()
    if not cleaned or len(cleaned) > 100 or not _NAME.match(cleaned):
        return None
    words = cleaned.rstrip(".").split()
    if len(words) == 1:
        return words[0][:100], ""
    start = len(words)
    for _ in range(2 if language == "es" and len(words) >= 3 else 1):
        start -= 1  # one surname: a word and the particles before it
        while start > 1 and words[start - 1].casefold() in SURNAME_PARTICLES:
            start -= 1
        if start <= 1:
            break
    return " ".join(words[:start])[:100], " ".join(words[start:])[:100]


# ---- PMS shapes ----------------------------------------------------------------------------


def _dates(data: dict[str, Any]) -> tuple[dt.date, dt.date]:
    return dt.date.fromisoformat(data["check_in"]), dt.date.fromisoformat(data["check_out"])


def _occupancy(data: dict[str, Any]) -> Occupancy:
    try:
        return Occupancy(
            adults=int(data.get("adults") or 1),
            children_ages=list(data.get("child_ages") or []),
            rooms=int(data.get("rooms") or 1),
        )
    except ValidationError as exc:
        raise InvalidRequest("occupancy out of range") from exc


def _quote_request(data: dict[str, Any]) -> QuoteRequest:
    room, _, rate = str(data["offer"]).partition("|")
    check_in, check_out = _dates(data)
    return QuoteRequest(
        check_in=check_in,
        check_out=check_out,
        occupancy=_occupancy(data),
        room_type_code=room,
        rate_plan_code=rate,
    )


async def _search_offers(ctx: TurnContext, data: dict[str, Any]) -> list[Offer]:
    check_in, check_out = _dates(data)
    found = await ctx.tools.check_availability(
        check_in=check_in, check_out=check_out, occupancy=_occupancy(data)
    )
    return _ranked(found, data.get("room_type"))


def _room_words(offer: Offer) -> str:
    """Every name the room type goes by (hotel's, translations, code), folded for matching."""
    names = " ".join(n.text for n in offer.room_type_names)
    return fold(f"{offer.room_type_name} {names} {offer.room_type_code}")


def _ranked(found: Availability, preference: str | None) -> list[Offer]:
    """Offers with rooms left, the preferred room type first (by name), at most ten."""
    offers = [o for o in found.offers if o.available_rooms > 0]
    if preference:
        offers.sort(key=lambda o: preference not in _room_words(o))
    return offers[:MAX_OFFERS]


# ---- what is shown (all values from this turn's tool results) ----------------------------


def _stay_params(check_in: dt.date, check_out: dt.date, lang: str) -> dict[str, str]:
    return {
        "check_in": day(check_in, lang),
        "check_out": day(check_out, lang),
        "nights": str((check_out - check_in).days),
    }


def _offer_list(found: Availability, offers: list[Offer], lang: str) -> Options:
    guests = found.occupancy.adults + len(found.occupancy.children_ages)
    body = Say(
        "booking.offers",
        {**_stay_params(found.check_in, found.check_out, lang), "guests": str(guests)},
    )
    options = tuple(
        Option(
            id=f"book:offer:{o.room_type_code}|{o.rate_plan_code}",
            title=Say(
                "booking.offer_title",
                {"room": in_language(o.room_type_name, o.room_type_names, lang)},
            ),
            description=Say(_offer_terms(o), {"total": money(o.total, o.currency, lang)}),
        )
        for o in offers
    )
    return Options(body=body, options=options, button="booking.offers_button")


def _offer_terms(offer: Offer) -> str:
    """The text key for an offer's terms, in the guest's language, from the PMS's flags (the
    rate plan's own name is the hotel's, usually in one language)."""
    terms = "flex" if offer.refundable else "nrf"
    return (
        f"booking.offer_desc_{terms}_bb"
        if offer.breakfast_included
        else f"booking.offer_desc_{terms}"
    )


def _policy(quote: Quote, lang: str) -> list[Speech]:
    if not quote.cancellation_policy.refundable:
        return [Say("booking.policy_nrf")]
    if quote.free_cancellation_until is not None:
        return [
            Say("booking.policy_until", {"date": day(quote.free_cancellation_until.date(), lang)})
        ]
    return [Say("booking.policy_refundable")]


def _summary(quote: Quote, offer: Offer, lang: str) -> Options:
    params = {
        **_stay_params(quote.check_in, quote.check_out, lang),
        "room": in_language(offer.room_type_name, offer.room_type_names, lang),
        "rate": in_language(offer.rate_plan_name, offer.rate_plan_names, lang),
        "guests": str(quote.occupancy.adults + len(quote.occupancy.children_ages)),
        "rooms": str(quote.occupancy.rooms),
        "total": money(quote.total, quote.currency, lang),
    }
    buttons = tuple(
        Option(id=f"book:{b}", title=Say(f"booking.btn_{b}"))
        for b in ("confirm", "change", "cancel")
    )
    return Options(
        body=Say("booking.summary", params), options=buttons, button="booking.offers_button"
    )
