"""Find, show, change and cancel the guest's own booking.

Only bookings tied to the guest's WhatsApp number (`my_bookings`) or proven with a reference
plus the surname on it (`find_booking`) are shown; a failed proof says the same whatever was
wrong, so a guess never learns that a reference exists. Nothing is changed or cancelled
without a yes: a change is quoted first (new total and the difference), a cancellation shows
its fee first. Every date, price and reference in a reply comes from a tool result of the same
turn; the flow state only keeps what to ask next (stage, reference, the change asked for).

Stages (`ManageStage`, kept in `ManageState`): find → ask_ref | choose → act → change_ask →
change_confirm, act → cancel_confirm.

The steps live in three modules besides this one: `manage_lookup` (finding and showing the
booking), `manage_change` and `manage_cancel`.
"""

from __future__ import annotations

import structlog

from hotelbot.engine.context import TurnContext
from hotelbot.engine.decision import Decision, Option, Options, Say
from hotelbot.engine.flow_states import ManageGoal, ManageStage, ManageState
from hotelbot.engine.flows.answers import Answer, read
from hotelbot.engine.flows.handoff import hand_over
from hotelbot.engine.flows.manage_cancel import cancel_confirm, cancel_offer, cancellation_fee
from hotelbot.engine.flows.manage_change import (
    DEFAULT_CHILD_AGE,
    change_ask,
    change_confirm,
    has_wish,
    quote_change,
    remember_wish,
)
from hotelbot.engine.flows.manage_lookup import (
    NAME,
    active_bookings,
    booking_details,
    booking_list,
    load_selected,
    room_names,
    surname_in,
)
from hotelbot.engine.state import ConversationState
from hotelbot.engine.tools import HandoffReason
from hotelbot.engine.understand import Understanding
from hotelbot.errors import Forbidden
from hotelbot.pms.errors import PmsError, PmsUnavailable, ReservationNotFound
from hotelbot.pms.schemas import Reservation

__all__ = ["DEFAULT_CHILD_AGE", "MAX_TRIES", "NAME", "cancellation_fee", "step"]

log = structlog.get_logger(__name__)

#: Wrong reference/surname pairs before staff take over (also slows down guessing).
MAX_TRIES = 3
_GOALS = {"cancel_booking": ManageGoal.CANCEL, "modify_booking": ManageGoal.CHANGE}


async def step(
    ctx: TurnContext, state: ConversationState, understanding: Understanding
) -> Decision:
    answer = read(ctx, understanding)
    language = understanding.language
    if state.flow != NAME:
        state.start_flow(NAME, goal=_GOALS.get(answer.intent, ManageGoal.SHOW))
        remember_wish(state.flow_state(ManageState), answer)
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


#: Stages at which typed words can switch between showing, changing and cancelling.
_GOAL_SWITCHES = (ManageStage.ACT, ManageStage.CHANGE_ASK, ManageStage.CANCEL_CONFIRM)


async def _run(ctx: TurnContext, state: ConversationState, answer: Answer, lang: str) -> Decision:
    manage = state.flow_state(ManageState)
    # A pressed button says exactly what it means; only typed words can switch the goal.
    goal = None if answer.choice else _GOALS.get(answer.intent)
    if goal is not None and manage.stage in _GOAL_SWITCHES:
        manage.goal = goal  # "actually, cancel it" switches what we do with the booking
        manage.stage = ManageStage.ACT
    match manage.stage:
        case ManageStage.ASK_REF:
            return await _prove(ctx, state, answer, lang)
        case ManageStage.CHOOSE:
            return await _choose(ctx, state, answer, lang)
        case ManageStage.ACT:
            return await _act(ctx, state, answer, lang)
        case ManageStage.CHANGE_ASK:
            return await change_ask(ctx, state, answer, lang)
        case ManageStage.CHANGE_CONFIRM:
            return await change_confirm(ctx, state, answer, lang)
        case ManageStage.CANCEL_CONFIRM:
            return await cancel_confirm(ctx, state, answer, lang)
    return await _find(ctx, state, answer, lang)


# ---- finding the booking -------------------------------------------------------------------


async def _find(ctx: TurnContext, state: ConversationState, answer: Answer, lang: str) -> Decision:
    mine = await active_bookings(ctx)
    named = answer.slots.booking_ref
    if named is not None:
        match = [r for r in mine if r.reference.upper() == named.upper()]
        if match:
            return await _selected(ctx, state, match[0], answer, lang)
    if len(mine) == 1 and named is None:
        return await _selected(ctx, state, mine[0], answer, lang)
    manage = state.flow_state(ManageState)
    if len(mine) > 1:
        manage.stage = ManageStage.CHOOSE
        return Decision(NAME, lang, [booking_list(mine, await room_names(ctx, lang), lang)])
    manage.stage = ManageStage.ASK_REF
    if named is not None:
        return await _prove(ctx, state, answer, lang)
    return Decision(NAME, lang, [Say("manage.ask_reference")])


async def _choose(
    ctx: TurnContext, state: ConversationState, answer: Answer, lang: str
) -> Decision:
    wanted = answer.picked("manage:pick") or answer.slots.booking_ref
    mine = await active_bookings(ctx)
    match = [r for r in mine if wanted and r.reference.upper() == wanted.upper()]
    if match:
        return await _selected(ctx, state, match[0], answer, lang)
    if not mine:
        state.flow_state(ManageState).stage = ManageStage.ASK_REF
        return Decision(NAME, lang, [Say("manage.ask_reference")])
    return Decision(NAME, lang, [booking_list(mine, await room_names(ctx, lang), lang)])


async def _prove(ctx: TurnContext, state: ConversationState, answer: Answer, lang: str) -> Decision:
    """Reference plus surname, over one or two messages; the same reply for every failure."""
    manage = state.flow_state(ManageState)
    reference = answer.slots.booking_ref or manage.pending_ref
    surname = surname_in(answer.text, answer.slots.booking_ref)
    if reference is None:
        return await _failed(ctx, state, lang, key="manage.ask_reference")
    if not surname:
        manage.pending_ref = reference
        return Decision(NAME, lang, [Say("manage.ask_surname")])
    manage.pending_ref = None
    found = await ctx.tools.find_booking(reference, surname)
    if found is None:
        return await _failed(ctx, state, lang, key="manage.not_found")
    if found.reference not in state.verified_refs:
        state.verified_refs = [*state.verified_refs, found.reference]
    # Kept to read the booking again in later turns (the tools remember the proof too).
    manage.surname = surname
    return await _selected(ctx, state, found, answer, lang)


async def _failed(ctx: TurnContext, state: ConversationState, lang: str, *, key: str) -> Decision:
    manage = state.flow_state(ManageState)
    tries = manage.tries + 1
    if tries >= MAX_TRIES:
        return await hand_over(
            ctx, state, lang, key="manage.not_found_final", reason=HandoffReason.NOT_UNDERSTOOD
        )
    manage.tries = tries
    return Decision(NAME, lang, [Say(key)])


# ---- showing it and choosing what to do ----------------------------------------------------


async def _selected(
    ctx: TurnContext,
    state: ConversationState,
    reservation: Reservation,
    answer: Answer,
    lang: str,
) -> Decision:
    manage = state.flow_state(ManageState)
    manage.ref = reservation.reference
    if manage.goal is ManageGoal.CANCEL:
        return cancel_offer(ctx, state, reservation, lang)
    if manage.goal is ManageGoal.CHANGE:
        if has_wish(manage):
            return await quote_change(ctx, state, reservation, lang)
        manage.stage = ManageStage.CHANGE_ASK
        details = booking_details(reservation, await room_names(ctx, lang), lang)
        return Decision(NAME, lang, [details, Say("manage.change_ask")])
    manage.stage = ManageStage.ACT
    details = booking_details(reservation, await room_names(ctx, lang), lang)
    return Decision(NAME, lang, [details, _what_next()])


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
    manage = state.flow_state(ManageState)
    picked = answer.picked("manage:act")
    goal = picked or _GOALS.get(answer.intent) or manage.goal
    if goal not in (ManageGoal.CHANGE, ManageGoal.CANCEL):
        if answer.no or answer.intent in ("thanks", "goodbye"):
            state.end_flow()
            return Decision(NAME, lang, [Say("manage.anything_else")])
        return Decision(NAME, lang, [_what_next()])
    manage.goal = ManageGoal(goal)
    remember_wish(manage, answer)
    reservation = await load_selected(ctx, state)
    return await _selected(ctx, state, reservation, answer, lang)


# ---- when the PMS is down ------------------------------------------------------------------


def _pms_down(state: ConversationState, lang: str) -> Decision:
    """Apologise and offer staff; the guest can also simply try again later."""
    state.end_flow()
    offer = Options(
        Say("manage.pms_down"), (Option("menu:human", Say("menu.human")),), "manage.button"
    )
    return Decision(NAME, lang, [offer])
