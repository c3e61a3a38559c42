"""Book a stay: collect the stay, show real offers, quote, confirm, take a name, book.

Asks only for what is missing (dates or nights, then guests; rooms default to one; a room
preference sorts the offers), and accepts typed answers and taps alike. Any detail the guest
gives at any stage ("actually 3 adults") replaces that one detail, keeps the rest and searches
again. Every price, offer and reference shown comes from a tool result of the same turn: the
state keeps only what the guest said and which offer they picked.

Stages (`BookingStage`, kept in `BookingState`): collect → pick → confirm → name → [email] →
(booked, flow ends). The e-mail is asked for only when the hotel's PMS needs it (or taken when
the guest types it with the name); the name waits for it in the state, which is encrypted at
rest. The stages' helpers: `booking_stay` (collect), `booking_offers` (pick, confirm),
`booking_guest` (name, email).
"""

from __future__ import annotations

import structlog

from hotelbot.engine.context import TurnContext
from hotelbot.engine.decision import Decision, Menu, Say, Speech
from hotelbot.engine.flow_states import BookingStage, BookingState
from hotelbot.engine.flows.answers import money
from hotelbot.engine.flows.booking_guest import (
    answers_guest_question,
    email_in,
    name_of,
    without_email,
)
from hotelbot.engine.flows.booking_offers import (
    offer_id,
    offer_list,
    policy,
    ranked,
    stay_params,
    summary,
)
from hotelbot.engine.flows.booking_stay import (
    has_stay_details,
    missing_question,
    occupancy,
    quote_request,
    stay_dates,
    take_children_ages,
    take_stay_details,
    unsellable_stay,
)
from hotelbot.engine.flows.handoff import hand_over
from hotelbot.engine.state import ConversationState
from hotelbot.engine.tools import HandoffReason, guest_details, idempotency_key
from hotelbot.engine.understand import Understanding
from hotelbot.engine.understand.intents import Intent
from hotelbot.pms.errors import PmsError, RateChanged, RoomUnavailable
from hotelbot.pms.schemas import Offer, ReservationCreate

log = structlog.get_logger(__name__)

NAME = "booking"
#: Misses in a row before staff take over (the second one, as everywhere in the engine).
MAX_MISSES = 2
#: Stages that take a typed answer which is not a stay detail.
_GUEST_STAGES = (BookingStage.NAME, BookingStage.EMAIL)


async def step(
    ctx: TurnContext, state: ConversationState, understanding: Understanding
) -> Decision:
    language = understanding.language
    if state.flow != NAME:
        state.start_flow(NAME)
    booking = state.flow_state(BookingState)
    choice = understanding.choice or ""
    if choice == "book:cancel" or _abandons(booking, understanding):
        state.end_flow()
        return Decision(NAME, language, [Say("booking.cancelled")])
    try:
        speech = await _take_answer(ctx, state, booking, understanding, choice)
    except RoomUnavailable:
        booking.stage = BookingStage.COLLECT
        speech = [Say("booking.sold_out"), *await _search(ctx, booking, language)]
    except PmsError as exc:
        log.warning("engine.booking.pms_error", code=exc.code)
        booking.stage = BookingStage.COLLECT
        speech = [Menu("booking.pms_down", options=("book", "human"))]
    if state.flow == NAME and state.failures >= MAX_MISSES:
        return await hand_over(
            ctx, state, language, key="handoff.unknown", reason=HandoffReason.NOT_UNDERSTOOD
        )
    return Decision(NAME, language, speech)


async def reprompt(ctx: TurnContext, state: ConversationState, language: str) -> list[Speech]:
    """The pending question again, after a question was answered mid-booking."""
    booking = state.flow_state(BookingState)
    try:
        if booking.stage is BookingStage.PICK:
            return [Say("booking.resume"), *await _search(ctx, booking, language)]
        if booking.stage is BookingStage.CONFIRM:
            return [Say("booking.resume"), *await _quote(ctx, booking, language)]
    except PmsError:
        return [Menu("booking.pms_down", options=("book", "human"))]
    if booking.stage in _GUEST_STAGES:
        return [Say("booking.resume"), Say(f"booking.ask_{booking.stage}")]
    return [Say("booking.resume"), *(missing_question(booking) or [Say("booking.ask_dates")])]


def _abandons(booking: BookingState, understanding: Understanding) -> bool:
    """ "Cancel" or "no" while a choice is pending ends the booking; nothing was booked."""
    if understanding.choice:
        return False
    stay_given = has_stay_details(understanding.slots)
    if understanding.intent is Intent.CANCEL_BOOKING and not stay_given:
        return True
    pending = booking.stage in (BookingStage.CONFIRM, BookingStage.PICK)
    return understanding.intent is Intent.NEGATE and pending and not stay_given


# ---- the stages ---------------------------------------------------------------------------


async def _take_answer(
    ctx: TurnContext,
    state: ConversationState,
    booking: BookingState,
    understanding: Understanding,
    choice: str,
) -> list[Speech]:
    """Read the guest's answer at the booking's stage; the replies for the next stage."""
    stage = booking.stage
    if not choice and answers_guest_question(stage, understanding):
        # A name or an address is not read for stay details: "Ana Mayo" is not a date in May,
        # and the digits in "ana.1985@example.com" are not guests.
        if stage is BookingStage.NAME:
            return await _take_name(ctx, state, booking, understanding)
        return await _take_email(ctx, state, booking, understanding)
    changed = take_stay_details(booking, understanding.slots)
    changed = take_children_ages(booking, understanding) or changed
    today = ctx.local_now().date()
    if (ask_again := unsellable_stay(booking, understanding.slots, today=today)) is not None:
        return ask_again
    if booking.stage is BookingStage.TOO_MANY:
        await ctx.tools.request_handoff(HandoffReason.BOOKING_REQUEST)
        state.end_flow()
        return [Say("booking.too_many")]
    if changed:
        # A new stay detail means new offers and a new quote to confirm, even at the end.
        stage = booking.stage = BookingStage.COLLECT
    if choice == "book:change":
        booking.stage = BookingStage.COLLECT
        state.failures = 0
        return [Say("booking.ask_change")]
    if stage is BookingStage.PICK:
        return await _pick(ctx, state, booking, understanding, choice)
    if stage is BookingStage.CONFIRM:
        return await _confirm(ctx, state, booking, understanding, choice)
    if stage is BookingStage.NAME:
        return await _take_name(ctx, state, booking, understanding)
    if stage is BookingStage.EMAIL:
        return await _take_email(ctx, state, booking, understanding)
    return await _collect(ctx, state, booking, understanding, changed=changed)


async def _collect(
    ctx: TurnContext,
    state: ConversationState,
    booking: BookingState,
    understanding: Understanding,
    *,
    changed: bool,
) -> list[Speech]:
    missing = missing_question(booking)
    if missing:
        _count_miss(state, understood=changed or understanding.intent is Intent.BOOK)
        return missing
    state.failures = 0
    return await _search(ctx, booking, understanding.language)


async def _search(ctx: TurnContext, booking: BookingState, lang: str) -> list[Speech]:
    """Offers for the stay (stage `pick`), or back to `collect` with new dates when none."""
    check_in, check_out = stay_dates(booking)
    found = await ctx.tools.check_availability(
        check_in=check_in, check_out=check_out, occupancy=occupancy(booking)
    )
    offers = ranked(found, booking.room_type)
    if not offers:
        booking.stage = BookingStage.COLLECT
        booking.check_in = booking.check_out = None
        return [Say("booking.none", stay_params(found.check_in, found.check_out, lang))]
    booking.stage = BookingStage.PICK
    return [offer_list(found, offers, lang)]


async def _search_offers(ctx: TurnContext, booking: BookingState) -> list[Offer]:
    check_in, check_out = stay_dates(booking)
    found = await ctx.tools.check_availability(
        check_in=check_in, check_out=check_out, occupancy=occupancy(booking)
    )
    return ranked(found, booking.room_type)


async def _pick(
    ctx: TurnContext,
    state: ConversationState,
    booking: BookingState,
    understanding: Understanding,
    choice: str,
) -> list[Speech]:
    picked = _picked_offer(choice, understanding.text)
    lang = understanding.language
    if picked is None:
        _count_miss(state, understood=False)
        return [Say("booking.pick_again"), *await _search(ctx, booking, lang)]
    state.failures = 0
    if isinstance(picked, int):
        # A typed number: the n-th row of the list, as the PMS ranks it now.
        found = await _search_offers(ctx, booking)
        if not 0 < picked <= len(found):
            return [Say("booking.pick_again"), *await _search(ctx, booking, lang)]
        picked = offer_id(found[picked - 1])
    booking.offer = picked
    return await _quote(ctx, booking, lang)


def _picked_offer(choice: str, text: str) -> str | int | None:
    """The offer id tapped, the row number typed, or None."""
    if choice.startswith("book:offer:"):
        return choice.removeprefix("book:offer:")
    typed = text.strip().rstrip(".)")
    return int(typed) if typed.isdigit() and len(typed) <= 2 else None


async def _quote(ctx: TurnContext, booking: BookingState, lang: str) -> list[Speech]:
    """Check the picked offer is still for sale, price it, and ask for a yes (stage `confirm`)."""
    request = quote_request(booking)
    wanted = (request.room_type_code, request.rate_plan_code)
    offers = await _search_offers(ctx, booking)
    offer = next((o for o in offers if (o.room_type_code, o.rate_plan_code) == wanted), None)
    if offer is None:
        raise RoomUnavailable("the picked offer is no longer available")
    quote = await ctx.tools.quote(request)
    booking.stage = BookingStage.CONFIRM
    booking.expected_total = quote.total
    return [*policy(quote, lang), summary(quote, offer, lang)]


async def _confirm(
    ctx: TurnContext,
    state: ConversationState,
    booking: BookingState,
    understanding: Understanding,
    choice: str,
) -> list[Speech]:
    yes = choice == "book:confirm" or (not choice and understanding.intent is Intent.AFFIRM)
    if not yes:
        _count_miss(state, understood=False)
        return [Say("booking.confirm_again"), *await _quote(ctx, booking, understanding.language)]
    state.failures = 0
    booking.stage = BookingStage.NAME
    return [Say("booking.ask_name")]


async def _take_name(
    ctx: TurnContext, state: ConversationState, booking: BookingState, heard: Understanding
) -> list[Speech]:
    typed_email = email_in(heard.text)
    # A bare name says little about its language: Spanish if the conversation or it reads so.
    spanish = "es" in (state.language, heard.language)
    name = name_of(without_email(heard.text, typed_email), "es" if spanish else heard.language)
    if name is None:
        if typed_email is not None:  # the address came first: keep it, still ask for the name
            booking.email = typed_email
        _count_miss(state, understood=typed_email is not None)
        return [Say("booking.ask_name")]
    state.failures = 0
    email = typed_email or booking.email
    if email is None and await ctx.tools.booking_needs_email():
        booking.guest, booking.stage = name, BookingStage.EMAIL
        return [Say("booking.ask_email")]
    return await _book(ctx, state, booking, heard, name, email)


async def _take_email(
    ctx: TurnContext, state: ConversationState, booking: BookingState, heard: Understanding
) -> list[Speech]:
    email = email_in(heard.text)
    if email is None:
        _count_miss(state, understood=False)
        return [Say("booking.ask_email_again")]
    state.failures = 0
    return await _book(ctx, state, booking, heard, booking.guest or ("", ""), email)


async def _book(
    ctx: TurnContext,
    state: ConversationState,
    booking: BookingState,
    heard: Understanding,
    name: tuple[str, str],
    email: str | None,
) -> list[Speech]:
    request = ReservationCreate(
        **quote_request(booking).model_dump(),
        guest=guest_details(name[0], name[1], email=email, language=heard.language),
        expected_total=booking.expected_total,
    )
    try:
        made = await ctx.tools.create_booking(
            request, idempotency_key=idempotency_key("book", heard.message_id)
        )
    except RateChanged:
        return [Say("booking.price_changed"), *await _quote(ctx, booking, heard.language)]
    state.end_flow()
    params = {
        "reference": made.reference,
        "total": money(made.total, made.currency, heard.language),
        **stay_params(made.check_in, made.check_out, heard.language),
    }
    return [Say("booking.confirmed", params)]


def _count_miss(state: ConversationState, *, understood: bool) -> None:
    state.failures = 0 if understood else state.failures + 1
