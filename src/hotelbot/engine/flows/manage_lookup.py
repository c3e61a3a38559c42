"""Finding the guest's booking for the manage flow and showing it.

The guest's own active bookings, the surname typed with a reference, the selected booking read
again each turn (nothing shown comes from state), and the rows/details replies that show one.
"""

from __future__ import annotations

import structlog

from hotelbot.engine.context import TurnContext
from hotelbot.engine.decision import Option, Options, Say
from hotelbot.engine.flow_states import ManageState
from hotelbot.engine.flows.answers import day, money
from hotelbot.engine.state import ConversationState
from hotelbot.engine.tools import SURNAME_PARTICLES
from hotelbot.errors import Forbidden
from hotelbot.pms.errors import PmsError, ReservationNotFound
from hotelbot.pms.schemas import Reservation, ReservationStatus, in_language

log = structlog.get_logger(__name__)

NAME = "manage"
_ACTIVE = (ReservationStatus.CONFIRMED, ReservationStatus.CHECKED_IN)


async def active_bookings(ctx: TurnContext) -> list[Reservation]:
    try:
        found = await ctx.tools.my_bookings()
    except Forbidden:  # a conversation without a number has no bookings of its own
        return []
    today = ctx.local_now().date()
    return [r for r in found if r.status in _ACTIVE and r.check_out >= today]


async def room_names(ctx: TurnContext, language: str) -> dict[str, str]:
    """Room type code → name in the guest's language where the PMS has it (else the hotel's):
    a booking carries only the code."""
    try:
        return {
            t.code: in_language(t.name, t.names, language) for t in await ctx.tools.room_types()
        }
    except PmsError as exc:  # the booking is still worth showing, with the code
        log.warning("engine.manage.room_types_unavailable", code=exc.code)
        return {}


def room_name(r: Reservation, names: dict[str, str]) -> str:
    return names.get(r.room_type_code, r.room_type_code)


def booking_list(bookings: list[Reservation], names: dict[str, str], lang: str) -> Options:
    rows = tuple(
        Option(
            id=f"manage:pick:{r.reference}",
            title=Say("manage.row_title", {"reference": r.reference}),
            description=Say(
                "manage.row_description",
                {
                    "check_in": day(r.check_in, lang),
                    "check_out": day(r.check_out, lang),
                    "room": room_name(r, names),
                },
            ),
        )
        for r in bookings[:10]
    )
    return Options(Say("manage.choose", {"count": str(len(bookings))}), rows, "manage.button")


def surname_in(text: str, reference: str | None) -> str:
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
        (i + 1 for i, w in enumerate(kept) if w.casefold() in _FILLER - SURNAME_PARTICLES),
        default=0,
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


async def load_selected(ctx: TurnContext, state: ConversationState) -> Reservation:
    """The selected booking, read again this turn (grounding: nothing shown comes from state)."""
    manage = state.flow_state(ManageState)
    reference = manage.ref or ""
    surname = manage.surname
    mine = await ctx.tools.my_bookings() if not surname else []
    for reservation in mine:
        if reservation.reference == reference:
            return reservation
    found = await ctx.tools.find_booking(reference, surname) if surname else None
    if found is None:
        raise ReservationNotFound("selected booking is gone")
    return found


def booking_details(r: Reservation, names: dict[str, str], lang: str) -> Say:
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
            "room": room_name(r, names),
            "total": money(r.total, r.currency, lang),
        },
    )
