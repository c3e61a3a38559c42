"""Changing a booking in the manage flow: the new dates/occupancy the guest asks for, the quote
(new total and the difference) and, after a yes, the change itself at the agreed price."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from hotelbot.engine.context import TurnContext
from hotelbot.engine.decision import Decision, Option, Options, Say
from hotelbot.engine.flows.answers import NO, YES, Answer, day, money
from hotelbot.engine.flows.handoff import hand_over
from hotelbot.engine.flows.manage_lookup import NAME, booking_details, load_selected, room_names
from hotelbot.engine.state import ConversationState
from hotelbot.engine.tools import HandoffReason
from hotelbot.pms.errors import (
    InvalidRequest,
    RateChanged,
    ReservationNotModifiable,
    RoomUnavailable,
)
from hotelbot.pms.schemas import Occupancy, Quote, QuoteRequest, Reservation, ReservationChange

#: Age assumed for a child whose age the guest did not give (the PMS needs one).
DEFAULT_CHILD_AGE = 8


def remember_wish(state: ConversationState, answer: Answer) -> None:
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


def has_wish(state: ConversationState) -> bool:
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


async def change_ask(
    ctx: TurnContext, state: ConversationState, answer: Answer, lang: str
) -> Decision:
    remember_wish(state, answer)
    if not has_wish(state):
        if answer.no:
            state.end_flow()
            return Decision(NAME, lang, [Say("manage.unchanged")])
        return Decision(NAME, lang, [Say("manage.change_unclear")])
    reservation = await load_selected(ctx, state)
    return await quote_change(ctx, state, reservation, lang)


async def quote_change(
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


async def change_confirm(
    ctx: TurnContext, state: ConversationState, answer: Answer, lang: str
) -> Decision:
    if not answer.yes:
        if _wish_in(answer):
            state.flow_data["stage"] = "change_ask"
            return await change_ask(ctx, state, answer, lang)
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
        reservation = await load_selected(ctx, state)
        decision = await quote_change(ctx, state, reservation, lang)
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
    details = booking_details(changed, await room_names(ctx, lang), lang)
    return Decision(NAME, lang, [Say("manage.changed"), details])


def _wish_in(answer: Answer) -> bool:
    s = answer.slots
    return any(v is not None for v in (s.check_in, s.check_out, s.nights, s.adults, s.rooms))
