"""Cancelling a booking in the manage flow: the fee shown before the yes, then the cancellation."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from hotelbot.engine.context import TurnContext
from hotelbot.engine.decision import Decision, Option, Options, Say, Speech
from hotelbot.engine.flow_states import ManageStage, ManageState
from hotelbot.engine.flows.answers import NO, YES, Answer, day, money
from hotelbot.engine.flows.handoff import hand_over
from hotelbot.engine.flows.manage_lookup import NAME
from hotelbot.engine.state import ConversationState
from hotelbot.engine.tools import HandoffReason
from hotelbot.pms import policy
from hotelbot.pms.errors import ReservationNotModifiable
from hotelbot.pms.schemas import Reservation


def cancellation_fee(r: Reservation, now: datetime) -> Decimal:
    """The fee cancelling at `now` would cost, from the booking's own policy and deadline.

    The PMS's own rule (`pms/policy.py`); the PMS's `Cancellation` is what the guest is told
    afterwards.
    """
    return policy.cancellation_fee(
        r.cancellation_policy,
        night_amounts=[n.amount for n in r.nights],
        total=r.total,
        deadline=r.free_cancellation_until,
        now=now,
    )


def cancel_offer(ctx: TurnContext, state: ConversationState, r: Reservation, lang: str) -> Decision:
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
    state.flow_state(ManageState).stage = ManageStage.CANCEL_CONFIRM
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


async def cancel_confirm(
    ctx: TurnContext, state: ConversationState, answer: Answer, lang: str
) -> Decision:
    if not answer.yes:
        state.end_flow()
        return Decision(NAME, lang, [Say("manage.kept")])
    reference = state.flow_state(ManageState).ref or ""
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
