"""Pure pricing rules of the built-in PMS: night prices, taxes, cancellation deadline and fee.

Amounts are integer cents here; the adapter turns them into contract `Decimal`s at the edge.
Tax rules are the property's JSON list: `{code, name, kind, included, rate, min_age}` where
`rate` is a percent for `percent` and a decimal amount for the per-night kinds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from hotelbot.pms import policy as cancellation_policy
from hotelbot.pms.adapters.builtin.models import PmsRatePlan, PmsRoomType
from hotelbot.pms.schemas import CancellationPolicy, Occupancy, TaxKind, TaxLine

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Priced:
    """One room type under one rate plan priced for a stay (cents)."""

    room_type: PmsRoomType
    rate_plan: PmsRatePlan
    check_in: dt.date
    night_cents: list[int]
    subtotal_cents: int
    total_cents: int
    taxes: list[TaxLine]
    available: int


def to_money(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


def to_cents(amount: Decimal) -> int:
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def taxes(
    rules: list[dict[str, Any]], *, subtotal_cents: int, occupancy: Occupancy, nights: int
) -> tuple[list[TaxLine], int]:
    """Tax lines for a stay and the cents they add on top of the subtotal."""
    lines: list[TaxLine] = []
    extra = 0
    for rule in rules:
        kind = TaxKind(rule["kind"])
        rate = Decimal(str(rule["rate"]))
        included = bool(rule.get("included", False))
        if kind is TaxKind.PERCENT:
            cents = _percent_tax(subtotal_cents, rate, included=included)
        elif kind is TaxKind.PER_PERSON_PER_NIGHT:
            min_age = int(rule.get("min_age", 0))
            payers = occupancy.adults + sum(1 for age in occupancy.children_ages if age >= min_age)
            cents = to_cents(rate) * payers * nights
        else:
            cents = to_cents(rate) * occupancy.rooms * nights
        if not included:
            extra += cents
        lines.append(
            TaxLine(
                code=rule["code"],
                name=rule["name"],
                kind=kind,
                included=included,
                amount=to_money(cents),
            )
        )
    return lines, extra


def _percent_tax(subtotal_cents: int, rate: Decimal, *, included: bool) -> int:
    base = Decimal(subtotal_cents)
    if included:
        # VAT inside the price: the tax is the part above price / (1 + rate).
        tax = base - base / (1 + rate / 100)
    else:
        tax = base * rate / 100
    return int(tax.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def cancellation_fee_cents(
    policy: CancellationPolicy,
    *,
    night_cents: list[int],
    total_cents: int,
    deadline: dt.datetime | None,
    now: dt.datetime,
) -> int:
    """`policy.cancellation_fee` in cents, the unit of the built-in tables."""
    fee = cancellation_policy.cancellation_fee(
        policy,
        night_amounts=[to_money(c) for c in night_cents],
        total=to_money(total_cents),
        deadline=deadline,
        now=now,
    )
    return to_cents(fee)


def local_today(now: dt.datetime, timezone: str) -> dt.date:
    return now.astimezone(ZoneInfo(timezone)).date()


def fits(occupancy: Occupancy, *, max_adults: int, max_children: int, max_occupancy: int) -> bool:
    """Whether the party spread evenly over its rooms fits the room type's limits."""
    rooms = occupancy.rooms
    per_room_adults = -(-occupancy.adults // rooms)
    per_room_children = -(-occupancy.children // rooms)
    per_room_guests = -(-occupancy.guests // rooms)
    return (
        per_room_adults <= max_adults
        and per_room_children <= max_children
        and per_room_guests <= max_occupancy
    )
