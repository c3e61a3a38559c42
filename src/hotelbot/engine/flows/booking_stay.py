"""The stay a booking is for (the `collect` stage): what the guest said, what is still missing,
and the PMS requests built from it.

Any detail the guest gives at any stage ("actually 3 adults") replaces that one detail and
keeps the rest; `take_stay_details` says whether anything changed, so the flow searches again.
"""

from __future__ import annotations

import datetime as dt
import re

from pydantic import ValidationError

from hotelbot.engine.decision import Say, Speech
from hotelbot.engine.flow_states import BookingStage, BookingState
from hotelbot.engine.understand import Understanding
from hotelbot.engine.understand.slots import Slots
from hotelbot.pms.errors import InvalidRequest
from hotelbot.pms.schemas import MAX_GUESTS, MAX_STAY_NIGHTS, Occupancy, QuoteRequest

_STAY_KEYS = ("check_in", "check_out", "adults", "children", "child_ages", "rooms", "room_type")
#: The fields that make up the stay: a change to any of them means new offers.
_STAY_FIELDS = (*_STAY_KEYS, "nights")


def has_stay_details(slots: Slots) -> bool:
    """Whether the message states any detail of the stay (dates, nights, guests, rooms)."""
    return any(getattr(slots, k) not in (None, ()) for k in _STAY_KEYS) or slots.nights is not None


def take_stay_details(booking: BookingState, slots: Slots) -> bool:
    """Merge what the guest said into the booking; True when a stay detail changed."""
    before = _stay_of(booking)
    if slots.check_in is not None:
        booking.check_in = slots.check_in
        booking.check_out = None
    if slots.check_out is not None:
        booking.check_out = slots.check_out
    if slots.nights is not None:
        booking.nights = slots.nights
        if slots.check_out is None:
            booking.check_out = None
    for key in ("adults", "children", "rooms", "room_type"):
        if (value := getattr(slots, key)) is not None:
            setattr(booking, key, value)
    if slots.child_ages:
        booking.child_ages = list(slots.child_ages)
        if booking.children is None:
            booking.children = len(slots.child_ages)
    if booking.check_in and booking.nights and not booking.check_out:
        booking.check_out = booking.check_in + dt.timedelta(days=booking.nights)
    return before != _stay_of(booking)


def _stay_of(booking: BookingState) -> tuple[object, ...]:
    return tuple(getattr(booking, name) for name in _STAY_FIELDS)


def take_children_ages(booking: BookingState, understanding: Understanding) -> bool:
    """ "4 and 7" answers "how old are the children?" (no child word, so no slot says it)."""
    children = booking.children or 0
    slots = understanding.slots
    if slots.children is not None or slots.adults is not None:
        return False  # "2 adults and 2 children" states counts, not ages
    if not children or len(booking.child_ages or []) == children:
        return False
    ages = [int(n) for n in re.findall(r"\b\d{1,2}\b", understanding.text) if int(n) < 18]
    if len(ages) != children:
        return False
    booking.child_ages = ages
    return True


def unsellable_stay(booking: BookingState, slots: Slots, *, today: dt.date) -> list[Speech] | None:
    """What to ask again when the PMS could not sell this stay; None when it can be searched.

    More guests or rooms than the bot may book moves the booking to `TOO_MANY` instead.
    """
    if slots.ambiguous and slots.check_in is None:
        return [Say("booking.ask_dates_ambiguous")]
    if booking.check_in and booking.check_in < today:
        booking.check_in = booking.check_out = None
        return [Say("booking.past_dates")]
    if booking.check_in and booking.check_out:
        nights = (booking.check_out - booking.check_in).days
        if not 0 < nights <= MAX_STAY_NIGHTS:
            booking.check_out = booking.nights = None
            return [Say("booking.bad_length", {"max": str(MAX_STAY_NIGHTS)})]
    guests = (booking.adults or 0) + (booking.children or 0)
    if guests > MAX_GUESTS or (booking.rooms or 1) > (booking.adults or 99):
        booking.stage = BookingStage.TOO_MANY
    return None


def missing_question(booking: BookingState) -> list[Speech]:
    """The question for the first missing stay detail; empty when the stay is complete."""
    if not booking.check_in:
        return [Say("booking.ask_dates")]
    if not booking.check_out:
        return [Say("booking.ask_nights")]
    if not booking.adults:
        return [Say("booking.ask_guests")]
    children = booking.children or 0
    if children and len(booking.child_ages or []) != children:
        return [Say("booking.ask_ages")]
    return []


# ---- PMS requests ---------------------------------------------------------------------------


def stay_dates(booking: BookingState) -> tuple[dt.date, dt.date]:
    if booking.check_in is None or booking.check_out is None:
        raise InvalidRequest("the stay has no dates yet")
    return booking.check_in, booking.check_out


def occupancy(booking: BookingState) -> Occupancy:
    try:
        return Occupancy(
            adults=booking.adults or 1,
            children_ages=list(booking.child_ages or []),
            rooms=booking.rooms or 1,
        )
    except ValidationError as exc:
        raise InvalidRequest("occupancy out of range") from exc


def quote_request(booking: BookingState) -> QuoteRequest:
    """The picked offer for the stay, as the PMS quotes (and then books) it."""
    room, _, rate = (booking.offer or "").partition("|")
    check_in, check_out = stay_dates(booking)
    return QuoteRequest(
        check_in=check_in,
        check_out=check_out,
        occupancy=occupancy(booking),
        room_type_code=room,
        rate_plan_code=rate,
    )
