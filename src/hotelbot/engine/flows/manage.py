"""Find, show, change and cancel the guest's own booking.

Only bookings tied to the guest's WhatsApp number (`my_bookings`) or proven with a reference
plus the surname on it (`find_booking`) are shown; a failed proof says the same whatever was
wrong, so a guess never learns that a reference exists. Nothing is changed or cancelled
without a yes: a change is quoted first (new total and the difference), a cancellation shows
its fee first. Every date, price and reference in a reply comes from a tool result of the same
turn; the flow state only keeps what to ask next (stage, reference, the change asked for).

Stages (`state.flow_data["stage"]`): ask_ref → choose → act → change_ask → change_confirm,
act → cancel_confirm.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import structlog
from pydantic import ValidationError

from hotelbot.engine.context import TurnContext
from hotelbot.engine.decision import Decision, Option, Options, Say, Speech
from hotelbot.engine.flows.answers import NO, YES, Answer, day, money, read
from hotelbot.engine.flows.handoff import hand_over
from hotelbot.engine.state import ConversationState
from hotelbot.engine.tools import HandoffReason
from hotelbot.engine.understand import Understanding
from hotelbot.errors import Forbidden
from hotelbot.pms.errors import (
    InvalidRequest,
    PmsError,
    PmsUnavailable,
    RateChanged,
    ReservationNotFound,
    ReservationNotModifiable,
    RoomUnavailable,
)
from hotelbot.pms.schemas import (
    Occupancy,
    Quote,
    QuoteRequest,
    Reservation,
    ReservationChange,
    ReservationStatus,
)

log = structlog.get_logger(__name__)

NAME = "manage"
#: Wrong reference/surname pairs before staff take over (also slows down guessing).
MAX_TRIES = 3
#: Age assumed for a child whose age the guest did not give (the PMS needs one).
DEFAULT_CHILD_AGE = 8
_ACTIVE = (ReservationStatus.CONFIRMED, ReservationStatus.CHECKED_IN)
_GOALS = {"cancel_booking": "cancel", "modify_booking": "change"}


async def step(
    ctx: TurnContext, state: ConversationState, understanding: Understanding
) -> Decision:
    answer = read(ctx, understanding)
    language = understanding.language
    if state.flow != NAME:
        state.start_flow(NAME, stage="find", goal=_GOALS.get(answer.intent, "show"))
        _remember_wish(state, answer)
    try:
        return await _run(ctx, state, answer, language)
    except (Forbidden, ReservationNotFound):
        state.end_flow()
        return Decision(NAME, language, [Say("manage.not_available")])
    except PmsUnavailable:
        log.warning("engine.manage.pms_unavailable")
        return _pms_down(state, language)
    except PmsError as exc:
        log.warning("engine.manage.pms_error", code=exc.code)
        return _pms_down(state, language)


async def _run(ctx: TurnContext, state: ConversationState, answer: Answer, lang: str) -> Decision:
    data = state.flow_data
    # A pressed button says exactly what it means; only typed words can switch the goal.
    goal = None if answer.choice else _GOALS.get(answer.intent)
    if goal is not None and data.get("stage") in ("act", "change_ask", "cancel_confirm"):
        data["goal"] = goal  # "actually, cancel it" switches what we do with the booking
        data["stage"] = "act"
    stage = data.get("stage", "find")
    if stage == "ask_ref":
        return await _prove(ctx, state, answer, lang)
    if stage == "choose":
        return await _choose(ctx, state, answer, lang)
    if stage == "act":
        return await _act(ctx, state, answer, lang)
    if stage == "change_ask":
        return await _change_ask(ctx, state, answer, lang)
    if stage == "change_confirm":
        return await _change_confirm(ctx, state, answer, lang)
    if stage == "cancel_confirm":
        return await _cancel_confirm(ctx, state, answer, lang)
    return await _find(ctx, state, answer, lang)


# ---- finding the booking -------------------------------------------------------------------


async def _mine(ctx: TurnContext) -> list[Reservation]:
    try:
        found = await ctx.tools.my_bookings()
    except Forbidden:  # a conversation without a number has no bookings of its own
        return []
    today = ctx.local_now().date()
    return [r for r in found if r.status in _ACTIVE and r.check_out >= today]


async def _find(ctx: TurnContext, state: ConversationState, answer: Answer, lang: str) -> Decision:
    mine = await _mine(ctx)
    named = answer.slots.booking_ref
    if named is not None:
        match = [r for r in mine if r.reference.upper() == named.upper()]
        if match:
            return await _selected(ctx, state, match[0], answer, lang)
    if len(mine) == 1 and named is None:
        return await _selected(ctx, state, mine[0], answer, lang)
    if len(mine) > 1:
        state.flow_data["stage"] = "choose"
        return Decision(NAME, lang, [_booking_list(mine, await _room_names(ctx), lang)])
    state.flow_data["stage"] = "ask_ref"
    if named is not None:
        return await _prove(ctx, state, answer, lang)
    return Decision(NAME, lang, [Say("manage.ask_reference")])


async def _room_names(ctx: TurnContext) -> dict[str, str]:
    """Room type code → name as the PMS lists them: a booking carries only the code."""
    try:
        return {t.code: t.name for t in await ctx.tools.room_types()}
    except PmsError as exc:  # the booking is still worth showing, with the code
        log.warning("engine.manage.room_types_unavailable", code=exc.code)
        return {}


def _room(r: Reservation, names: dict[str, str]) -> str:
    return names.get(r.room_type_code, r.room_type_code)


def _booking_list(bookings: list[Reservation], names: dict[str, str], lang: str) -> Options:
    rows = tuple(
        Option(
            id=f"manage:pick:{r.reference}",
            title=Say("manage.row_title", {"reference": r.reference}),
            description=Say(
                "manage.row_description",
                {
                    "check_in": day(r.check_in, lang),
                    "check_out": day(r.check_out, lang),
                    "room": _room(r, names),
                },
            ),
        )
        for r in bookings[:10]
    )
    return Options(Say("manage.choose", {"count": str(len(bookings))}), rows, "manage.button")


async def _choose(
    ctx: TurnContext, state: ConversationState, answer: Answer, lang: str
) -> Decision:
    wanted = answer.picked("manage:pick") or answer.slots.booking_ref
    mine = await _mine(ctx)
    match = [r for r in mine if wanted and r.reference.upper() == wanted.upper()]
    if match:
        return await _selected(ctx, state, match[0], answer, lang)
    if not mine:
        state.flow_data["stage"] = "ask_ref"
        return Decision(NAME, lang, [Say("manage.ask_reference")])
    return Decision(NAME, lang, [_booking_list(mine, await _room_names(ctx), lang)])


async def _prove(ctx: TurnContext, state: ConversationState, answer: Answer, lang: str) -> Decision:
    """Reference plus surname, over one or two messages; the same reply for every failure."""
    data = state.flow_data
    reference = answer.slots.booking_ref or data.get("pending_ref")
    surname = _surname(answer.text, answer.slots.booking_ref)
    if reference is None:
        return await _failed(ctx, state, lang, key="manage.ask_reference")
    if not surname:
        data["pending_ref"] = reference
        return Decision(NAME, lang, [Say("manage.ask_surname")])
    data.pop("pending_ref", None)
    found = await ctx.tools.find_booking(reference, surname)
    if found is None:
        return await _failed(ctx, state, lang, key="manage.not_found")
    if found.reference not in state.verified_refs:
        state.verified_refs = [*state.verified_refs, found.reference]
    # Kept to read the booking again in later turns (the tools remember the proof too).
    data["surname"] = surname
    return await _selected(ctx, state, found, answer, lang)


def _surname(text: str, reference: str | None) -> str:
    """The surname in the message: the words after the reference (else before it), without
    the words that introduce it ("and my surname is da Silva" → "da Silva")."""
    words = [w.strip(".,;:!?()\"'") for w in text.split()]
    at = next(
        (i for i, w in enumerate(words) if reference and w.upper() == reference.upper()), None
    )
    for segment in [words] if at is None else [words[at + 1 :], words[:at]]:
        if name := _name_in(segment):
            return name
    return ""


def _name_in(words: list[str]) -> str:
    kept = [w for w in words if w and not any(ch.isdigit() for ch in w)]
    while kept and kept[-1].casefold() in _FILLER:
        kept.pop()
    # "de", "der", "la" introduce a sentence's words but also belong to surnames ("de la Cruz",
    # "van der Berg"): the surname starts after the last filler word that is not such a particle.
    start = max(
        (i + 1 for i, w in enumerate(kept) if w.casefold() in _FILLER - _PARTICLES), default=0
    )
    return " ".join(kept[start:][-4:])


_FILLER = {
    "my", "booking", "reference", "ref", "is", "name", "surname", "last", "the", "and", "on",
    "it", "mi", "reserva", "apellido", "es", "y", "el", "la", "de", "meine", "buchung",
    "nachname", "ist", "und", "der", "die", "mon", "ma", "nom", "réservation", "est", "et",
    "le", "il", "mio", "mia", "cognome", "prenotazione", "è", "e", "minha", "meu",
    "sobrenome", "apelido", "número", "numero", "number", "nummer", "code", "código",
    "codice", "localizador", "a", "name:", "surname:", "reservation", "buchungsnummer",
}  # fmt: skip


#: Filler words that also start surnames.
_PARTICLES = {"de", "der", "la", "le", "el", "da", "do", "di", "del", "van", "von", "du", "dos"}


async def _failed(ctx: TurnContext, state: ConversationState, lang: str, *, key: str) -> Decision:
    tries = int(state.flow_data.get("tries", 0)) + 1
    if tries >= MAX_TRIES:
        return await hand_over(
            ctx, state, lang, key="manage.not_found_final", reason=HandoffReason.NOT_UNDERSTOOD
        )
    state.flow_data["tries"] = tries
    return Decision(NAME, lang, [Say(key)])


async def _load(ctx: TurnContext, state: ConversationState) -> Reservation:
    """The selected booking, read again this turn (grounding: nothing shown comes from state)."""
    reference = str(state.flow_data.get("ref", ""))
    mine = await ctx.tools.my_bookings() if not state.flow_data.get("surname") else []
    for reservation in mine:
        if reservation.reference == reference:
            return reservation
    surname = state.flow_data.get("surname")
    found = await ctx.tools.find_booking(reference, str(surname)) if surname else None
    if found is None:
        raise ReservationNotFound("selected booking is gone")
    return found


# ---- showing it and choosing what to do ----------------------------------------------------


async def _selected(
    ctx: TurnContext,
    state: ConversationState,
    reservation: Reservation,
    answer: Answer,
    lang: str,
) -> Decision:
    state.flow_data["ref"] = reservation.reference
    goal = state.flow_data.get("goal", "show")
    if goal == "cancel":
        return _cancel_offer(ctx, state, reservation, lang)
    if goal == "change":
        if _has_wish(state):
            return await _quote_change(ctx, state, reservation, lang)
        state.flow_data["stage"] = "change_ask"
        details = _details(reservation, await _room_names(ctx), lang)
        return Decision(NAME, lang, [details, Say("manage.change_ask")])
    state.flow_data["stage"] = "act"
    details = _details(reservation, await _room_names(ctx), lang)
    return Decision(NAME, lang, [details, _what_next()])


def _details(r: Reservation, names: dict[str, str], lang: str) -> Say:
    return Say(
        "manage.details",
        {
            "reference": r.reference,
            "check_in": day(r.check_in, lang),
            "check_out": day(r.check_out, lang),
            "nights": str((r.check_out - r.check_in).days),
            "adults": str(r.occupancy.adults),
            "children": str(r.occupancy.children),
            "rooms": str(r.occupancy.rooms),
            "room": _room(r, names),
            "total": money(r.total, r.currency, lang),
        },
    )


def _what_next() -> Options:
    return Options(
        Say("manage.what_next"),
        (
            Option("manage:act:change", Say("manage.option_change")),
            Option("manage:act:cancel", Say("manage.option_cancel")),
            Option("menu:human", Say("menu.human")),
        ),
        "manage.button",
    )


async def _act(ctx: TurnContext, state: ConversationState, answer: Answer, lang: str) -> Decision:
    picked = answer.picked("manage:act")
    goal = picked or _GOALS.get(answer.intent) or state.flow_data.get("goal")
    if goal not in ("change", "cancel"):
        if answer.no or answer.intent in ("thanks", "goodbye"):
            state.end_flow()
            return Decision(NAME, lang, [Say("manage.anything_else")])
        return Decision(NAME, lang, [_what_next()])
    state.flow_data["goal"] = goal
    _remember_wish(state, answer)
    reservation = await _load(ctx, state)
    return await _selected(ctx, state, reservation, answer, lang)


# ---- changing ------------------------------------------------------------------------------


def _remember_wish(state: ConversationState, answer: Answer) -> None:
    """Keep the new dates/occupancy the guest stated, to quote once the booking is known."""
    s = answer.slots
    wish: dict[str, Any] = dict(state.flow_data.get("wish") or {})
    for name in ("check_in", "check_out"):
        value = getattr(s, name)
        if value is not None:
            wish[name] = value.isoformat()
    for name in ("nights", "adults", "children", "rooms"):
        value = getattr(s, name)
        if value is not None:
            wish[name] = value
    if s.child_ages:
        wish["child_ages"] = list(s.child_ages)
    if wish:
        state.flow_data["wish"] = wish


def _has_wish(state: ConversationState) -> bool:
    return bool(state.flow_data.get("wish"))


def _new_stay(r: Reservation, wish: dict[str, Any]) -> tuple[date, date, Occupancy]:
    length = (r.check_out - r.check_in).days
    nights = int(wish.get("nights") or 0)
    check_in = date.fromisoformat(wish["check_in"]) if "check_in" in wish else None
    check_out = date.fromisoformat(wish["check_out"]) if "check_out" in wish else None
    if check_in and not check_out:
        check_out = check_in + timedelta(days=nights or length)
    elif not check_in and check_out:
        check_in = check_out - timedelta(days=nights or length)
    elif not check_in:
        check_in, check_out = r.check_in, r.check_in + timedelta(days=nights or length)
    assert check_in is not None and check_out is not None
    adults = int(wish.get("adults") or r.occupancy.adults)
    children = wish.get("children")
    ages: list[int] = list(r.occupancy.children_ages)
    if wish.get("child_ages"):
        ages = [int(a) for a in wish["child_ages"]]
    elif children is not None and int(children) != len(ages):
        ages = [DEFAULT_CHILD_AGE] * int(children)
    rooms = int(wish.get("rooms") or r.occupancy.rooms)
    return check_in, check_out, Occupancy(adults=adults, children_ages=ages, rooms=rooms)


async def _change_ask(
    ctx: TurnContext, state: ConversationState, answer: Answer, lang: str
) -> Decision:
    _remember_wish(state, answer)
    if not _has_wish(state):
        if answer.no:
            state.end_flow()
            return Decision(NAME, lang, [Say("manage.unchanged")])
        return Decision(NAME, lang, [Say("manage.change_unclear")])
    reservation = await _load(ctx, state)
    return await _quote_change(ctx, state, reservation, lang)


async def _quote_change(
    ctx: TurnContext, state: ConversationState, r: Reservation, lang: str
) -> Decision:
    wish = dict(state.flow_data.pop("wish", {}) or {})
    state.flow_data["stage"] = "change_ask"
    try:
        check_in, check_out, occupancy = _new_stay(r, wish)
        request = QuoteRequest(
            check_in=check_in,
            check_out=check_out,
            occupancy=occupancy,
            room_type_code=r.room_type_code,
            rate_plan_code=r.rate_plan_code,
        )
        if check_in < ctx.local_now().date():
            raise ValueError("in the past")
        quote = await ctx.tools.quote(request)
    except (ValidationError, ValueError, InvalidRequest):
        return Decision(NAME, lang, [Say("manage.change_unclear")])
    except RoomUnavailable:
        return Decision(NAME, lang, [Say("manage.change_unavailable")])
    state.flow_data["stage"] = "change_confirm"
    state.flow_data["change"] = {
        "check_in": quote.check_in.isoformat(),
        "check_out": quote.check_out.isoformat(),
        "occupancy": quote.occupancy.model_dump(mode="json"),
        # Not shown again: sent as the price the guest agreed to, so a new price is refused.
        "expected_total": str(quote.total),
    }
    return Decision(NAME, lang, [_confirm_change(r, quote, lang)])


def _confirm_change(r: Reservation, quote: Quote, lang: str) -> Options:
    difference = quote.total - r.total if quote.currency == r.currency else None
    sign = "+" if difference is not None and difference >= 0 else "-"
    return Options(
        Say(
            "manage.change_quote",
            {
                "check_in": day(quote.check_in, lang),
                "check_out": day(quote.check_out, lang),
                "adults": str(quote.occupancy.adults),
                "children": str(quote.occupancy.children),
                "total": money(quote.total, quote.currency, lang),
                "current": money(r.total, r.currency, lang),
                "difference": (
                    sign + money(abs(difference), quote.currency, lang)
                    if difference is not None
                    else "—"
                ),
            },
        ),
        (
            Option(f"manage:change:{YES}", Say("manage.option_confirm_change")),
            Option(f"manage:change:{NO}", Say("manage.option_keep")),
        ),
        "manage.button",
    )


async def _change_confirm(
    ctx: TurnContext, state: ConversationState, answer: Answer, lang: str
) -> Decision:
    if not answer.yes:
        if _wish_in(answer):
            state.flow_data["stage"] = "change_ask"
            return await _change_ask(ctx, state, answer, lang)
        state.end_flow()
        return Decision(NAME, lang, [Say("manage.unchanged")])
    change = state.flow_data.get("change") or {}
    reference = str(state.flow_data.get("ref", ""))
    request = ReservationChange(
        check_in=date.fromisoformat(change["check_in"]),
        check_out=date.fromisoformat(change["check_out"]),
        occupancy=Occupancy.model_validate(change["occupancy"]),
        expected_total=Decimal(change["expected_total"]),
    )
    try:
        changed = await ctx.tools.change_booking(reference, request)
    except RateChanged:
        state.flow_data["wish"] = {k: change[k] for k in ("check_in", "check_out")}
        reservation = await _load(ctx, state)
        decision = await _quote_change(ctx, state, reservation, lang)
        decision.speech.insert(0, Say("manage.rate_changed"))
        return decision
    except RoomUnavailable:
        state.flow_data["stage"] = "change_ask"
        return Decision(NAME, lang, [Say("manage.change_unavailable")])
    except ReservationNotModifiable:
        return await hand_over(
            ctx, state, lang, key="manage.change_not_allowed", reason=HandoffReason.UNSUPPORTED
        )
    state.end_flow()
    details = _details(changed, await _room_names(ctx), lang)
    return Decision(NAME, lang, [Say("manage.changed"), details])


def _wish_in(answer: Answer) -> bool:
    s = answer.slots
    return any(v is not None for v in (s.check_in, s.check_out, s.nights, s.adults, s.rooms))


# ---- cancelling ----------------------------------------------------------------------------


def cancellation_fee(r: Reservation, now: datetime) -> Decimal:
    """The fee cancelling at `now` would cost, from the booking's own policy and deadline.

    The same rule as the PMS applies (free before a refundable rate's deadline; else the
    first `fee_nights` nights, or `fee_percent` of the total); the PMS's `Cancellation` is
    what the guest is told afterwards.
    """
    policy = r.cancellation_policy
    deadline = r.free_cancellation_until
    if policy.refundable and (deadline is None or now < deadline):
        return Decimal("0.00")
    if policy.fee_nights:
        return min(sum((n.amount for n in r.nights[: policy.fee_nights]), Decimal(0)), r.total)
    fee = r.total * policy.fee_percent / 100
    return fee.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _cancel_offer(
    ctx: TurnContext, state: ConversationState, r: Reservation, lang: str
) -> Decision:
    now = ctx.local_now()
    fee = cancellation_fee(r, now)
    params = {
        "reference": r.reference,
        "check_in": day(r.check_in, lang),
        "check_out": day(r.check_out, lang),
        "fee": money(fee, r.currency, lang),
        "total": money(r.total, r.currency, lang),
    }
    if fee == 0 and r.free_cancellation_until is not None:
        local_deadline = r.free_cancellation_until.astimezone(now.tzinfo)
        params["deadline"] = f"{day(local_deadline.date(), lang)} {local_deadline:%H:%M}"
        key = "manage.cancel_free_until"
    elif fee == 0:
        key = "manage.cancel_free"
    elif not r.cancellation_policy.refundable:
        key = "manage.cancel_non_refundable"
    else:
        key = "manage.cancel_fee"
    state.flow_data["stage"] = "cancel_confirm"
    body: list[Speech] = [
        Options(
            Say(key, params),
            (
                Option(f"manage:cancel:{YES}", Say("manage.option_confirm_cancel")),
                Option(f"manage:cancel:{NO}", Say("manage.option_keep")),
            ),
            "manage.button",
        )
    ]
    return Decision(NAME, lang, body)


async def _cancel_confirm(
    ctx: TurnContext, state: ConversationState, answer: Answer, lang: str
) -> Decision:
    if not answer.yes:
        state.end_flow()
        return Decision(NAME, lang, [Say("manage.kept")])
    reference = str(state.flow_data.get("ref", ""))
    try:
        result = await ctx.tools.cancel_booking(reference)
    except ReservationNotModifiable:
        return await hand_over(
            ctx, state, lang, key="manage.change_not_allowed", reason=HandoffReason.UNSUPPORTED
        )
    state.end_flow()
    params = {
        "reference": result.reference,
        "fee": money(result.fee, result.currency, lang),
        "refund": money(result.refund, result.currency, lang),
    }
    return Decision(NAME, lang, [Say("manage.cancelled", params)])


# ---- when the PMS is down ------------------------------------------------------------------


def _pms_down(state: ConversationState, lang: str) -> Decision:
    """Apologise and offer staff; the guest can also simply try again later."""
    state.end_flow()
    offer = Options(
        Say("manage.pms_down"), (Option("menu:human", Say("menu.human")),), "manage.button"
    )
    return Decision(NAME, lang, [offer])
