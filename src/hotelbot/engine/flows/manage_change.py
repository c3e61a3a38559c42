"""Changing a booking in the manage flow: the new dates/occupancy the guest asks for, the quote
(new total and the difference) and, after a yes, the change itself at the agreed price."""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import ValidationError

from hotelbot.engine.context import TurnContext
from hotelbot.engine.decision import Decision, Option, Options, Say
from hotelbot.engine.flow_states import AgreedChange, ManageStage, ManageState, StayWish
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


def remember_wish(manage: ManageState, answer: Answer) -> None:
    """Keep the new dates/occupancy the guest stated, to quote once the booking is known."""
    slots = answer.slots
    wish = manage.wish.model_copy() if manage.wish is not None else StayWish()
    for name in ("check_in", "check_out", "nights", "adults", "children", "rooms"):
        value = getattr(slots, name)
        if value is not None:
            setattr(wish, name, value)
    if slots.child_ages:
        wish.child_ages = list(slots.child_ages)
    if not wish.is_empty():
        manage.wish = wish


def has_wish(manage: ManageState) -> bool:
    return manage.wish is not None and not manage.wish.is_empty()


def _new_stay(r: Reservation, wish: StayWish) -> tuple[date, date, Occupancy]:
    length = (r.check_out - r.check_in).days
    nights = wish.nights or 0
    check_in, check_out = wish.check_in, wish.check_out
    if check_in and not check_out:
        check_out = check_in + timedelta(days=nights or length)
    elif not check_in and check_out:
        check_in = check_out - timedelta(days=nights or length)
    elif not check_in:
        check_in, check_out = r.check_in, r.check_in + timedelta(days=nights or length)
    assert check_in is not None and check_out is not None
    adults = wish.adults or r.occupancy.adults
    children = wish.children
    ages: list[int] = list(r.occupancy.children_ages)
    if wish.child_ages:
        ages = list(wish.child_ages)
    elif children is not None and children != len(ages):
        ages = [DEFAULT_CHILD_AGE] * children
    rooms = wish.rooms or r.occupancy.rooms
    return check_in, check_out, Occupancy(adults=adults, children_ages=ages, rooms=rooms)


async def change_ask(
    ctx: TurnContext, state: ConversationState, answer: Answer, lang: str
) -> Decision:
    manage = state.flow_state(ManageState)
    remember_wish(manage, answer)
    if not has_wish(manage):
        if answer.no:
            state.end_flow()
            return Decision(NAME, lang, [Say("manage.unchanged")])
        return Decision(NAME, lang, [Say("manage.change_unclear")])
    reservation = await load_selected(ctx, state)
    return await quote_change(ctx, state, reservation, lang)


async def quote_change(
    ctx: TurnContext, state: ConversationState, r: Reservation, lang: str
) -> Decision:
    manage = state.flow_state(ManageState)
    wish = manage.wish or StayWish()
    manage.wish = None
    manage.stage = ManageStage.CHANGE_ASK
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
    manage.stage = ManageStage.CHANGE_CONFIRM
    manage.change = AgreedChange(
        check_in=quote.check_in,
        check_out=quote.check_out,
        occupancy=quote.occupancy,
        expected_total=quote.total,
    )
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
    manage = state.flow_state(ManageState)
    if not answer.yes:
        if _wish_in(answer):
            manage.stage = ManageStage.CHANGE_ASK
            return await change_ask(ctx, state, answer, lang)
        state.end_flow()
        return Decision(NAME, lang, [Say("manage.unchanged")])
    agreed = manage.change
    if agreed is None:  # only a damaged stored state: nothing was quoted to agree to
        state.end_flow()
        return Decision(NAME, lang, [Say("manage.unchanged")])
    request = ReservationChange(
        check_in=agreed.check_in,
        check_out=agreed.check_out,
        occupancy=agreed.occupancy,
        expected_total=agreed.expected_total,
    )
    try:
        changed = await ctx.tools.change_booking(manage.ref or "", request)
    except RateChanged:
        manage.wish = StayWish(check_in=agreed.check_in, check_out=agreed.check_out)
        reservation = await load_selected(ctx, state)
        decision = await quote_change(ctx, state, reservation, lang)
        decision.speech.insert(0, Say("manage.rate_changed"))
        return decision
    except RoomUnavailable:
        manage.stage = ManageStage.CHANGE_ASK
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
