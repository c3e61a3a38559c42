"""Offers and quotes as the guest sees them (the `pick` and `confirm` stages).

Every value shown (room names, prices, policies) comes from this turn's tool results; the
booking state keeps only which offer the guest picked.
"""

from __future__ import annotations

import datetime as dt

from hotelbot.engine.decision import Option, Options, Say, Speech
from hotelbot.engine.flows.answers import day, money
from hotelbot.engine.understand.vocab import fold
from hotelbot.pms.schemas import Availability, Offer, Quote, in_language

MAX_OFFERS = 10


def ranked(found: Availability, preference: str | None) -> list[Offer]:
    """Offers with rooms left, the preferred room type first (by name), at most ten."""
    offers = [o for o in found.offers if o.available_rooms > 0]
    if preference:
        offers.sort(key=lambda o: preference not in _room_words(o))
    return offers[:MAX_OFFERS]


def _room_words(offer: Offer) -> str:
    """Every name the room type goes by (hotel's, translations, code), folded for matching."""
    names = " ".join(n.text for n in offer.room_type_names)
    return fold(f"{offer.room_type_name} {names} {offer.room_type_code}")


def offer_id(offer: Offer) -> str:
    """How the booking state and the offer list's rows name an offer."""
    return f"{offer.room_type_code}|{offer.rate_plan_code}"


def stay_params(check_in: dt.date, check_out: dt.date, lang: str) -> dict[str, str]:
    return {
        "check_in": day(check_in, lang),
        "check_out": day(check_out, lang),
        "nights": str((check_out - check_in).days),
    }


def offer_list(found: Availability, offers: list[Offer], lang: str) -> Options:
    guests = found.occupancy.adults + len(found.occupancy.children_ages)
    body = Say(
        "booking.offers",
        {**stay_params(found.check_in, found.check_out, lang), "guests": str(guests)},
    )
    options = tuple(
        Option(
            id=f"book:offer:{offer_id(o)}",
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


def policy(quote: Quote, lang: str) -> list[Speech]:
    if not quote.cancellation_policy.refundable:
        return [Say("booking.policy_nrf")]
    if quote.free_cancellation_until is not None:
        return [
            Say("booking.policy_until", {"date": day(quote.free_cancellation_until.date(), lang)})
        ]
    return [Say("booking.policy_refundable")]


def summary(quote: Quote, offer: Offer, lang: str) -> Options:
    """The quote to say yes to: stay, room, rate, party, total; confirm, change or cancel."""
    params = {
        **stay_params(quote.check_in, quote.check_out, lang),
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
