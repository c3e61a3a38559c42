"""Cancellation policy rules, the same for every adapter and for the bot's fee preview.

A refundable plan is free to cancel until `deadline_days_before` the check-in day at the
property's check-in time (local); after that, or always for a non-refundable plan, the fee is
the first `fee_nights` nights or else `fee_percent` of the total.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from hotelbot.pms.schemas import CancellationPolicy, Property

CENT = Decimal("0.01")


def free_cancellation_until(
    policy: CancellationPolicy, *, check_in: dt.date, check_in_time: dt.time, timezone: str
) -> dt.datetime | None:
    """The UTC instant after which cancelling costs a fee; None when never free."""
    if not policy.refundable or policy.deadline_days_before is None:
        return None
    local_day = check_in - dt.timedelta(days=policy.deadline_days_before)
    local = dt.datetime.combine(local_day, check_in_time, tzinfo=ZoneInfo(timezone))
    return local.astimezone(dt.UTC)


def property_deadline(
    property: Property, policy: CancellationPolicy, check_in: dt.date
) -> dt.datetime | None:
    """`free_cancellation_until` at the property's own check-in time and time zone."""
    return free_cancellation_until(
        policy,
        check_in=check_in,
        check_in_time=property.check_in_time,
        timezone=property.timezone,
    )


def cancellation_fee(
    policy: CancellationPolicy,
    *,
    night_amounts: list[Decimal],
    total: Decimal,
    deadline: dt.datetime | None,
    now: dt.datetime,
) -> Decimal:
    """The fee for cancelling at `now`: zero before a refundable plan's deadline."""
    if policy.refundable and (deadline is None or now < deadline):
        return Decimal("0.00")
    if policy.fee_nights:
        return min(sum(night_amounts[: policy.fee_nights], Decimal(0)), total)
    return (total * policy.fee_percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)
