"""The only side-effecting calls the engine makes, behind the `Tools` Protocol.

`handle_turn` never touches the database or the PMS itself: it asks `ctx.tools`.
`ConversationTools` is the real implementation, bound to the worker's session, the
conversation being processed, the PMS client and the guest's own WhatsApp number; it changes
rows but never commits (the job's unit of work does).

Contract of every PMS tool: the guest's identity comes from the conversation, never from an
argument. A booking is made with this guest's number as contact phone; only reservations tied
to that number, or found with `find_booking` (reference + surname) in this conversation, can be
read, changed or cancelled — anything else raises `Forbidden`, whatever a flow or an LLM passes.
PMS errors (`hotelbot.pms.errors`) propagate; flows turn them into replies.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import date
from enum import StrEnum
from typing import Protocol

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

import hotelbot.pms.schemas as pms
from hotelbot import metrics
from hotelbot.audit import service as audit_service
from hotelbot.errors import Forbidden
from hotelbot.models import Conversation, ConversationMode, Guest
from hotelbot.pms.client import PmsClient
from hotelbot.pms.errors import ReservationNotFound

log = structlog.get_logger(__name__)


class HandoffReason(StrEnum):
    """Why the bot handed over; a closed set so it can be a metric label."""

    GUEST_REQUEST = "guest_request"
    NOT_UNDERSTOOD = "not_understood"
    BOOKING_REQUEST = "booking_request"
    FAQ_MISSING = "faq_missing"
    MEDIA = "media"
    UNSUPPORTED = "unsupported"
    FRUSTRATION = "frustration"
    PMS_UNAVAILABLE = "pms_unavailable"
    LOW_CONFIDENCE = "low_confidence"


def idempotency_key(purpose: str, message_id: str) -> str:
    """A PMS idempotency key for one write answering one inbound message.

    A turn that is run again (worker crash, redelivery) answers the same message, so it
    derives the same key and the PMS performs the write once.
    """
    return f"hb-{purpose}-{message_id}"[:128]


#: Stand-in contact phone for `GuestDetails` built by a flow (the schema needs a phone or an
#: e-mail); `create_booking` always replaces it with this guest's own number.
THIS_GUEST_PHONE = "+10000000000"


def guest_details(
    first_name: str, last_name: str = "", *, email: str | None = None, language: str | None = None
) -> pms.GuestDetails:
    """Guest details for `create_booking`; the phone is filled in by the tool, never by a flow."""
    return pms.GuestDetails(
        first_name=first_name,
        last_name=last_name,
        email=email,
        language=language,
        phone=THIS_GUEST_PHONE,
    )


def e164(phone: str) -> str:
    """WhatsApp ids are digits without '+'; the PMS contract wants E.164 with it."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return f"+{digits}"


def same_name(on_booking: str, typed: str) -> bool:
    """Whether the typed surname is the booking's, without case or accents ("Núñez" = "nunez").

    A guest with two surnames may give one of them: "García" or "López" finds a booking under
    "García López" (whole words in order). What a stranger could guess without knowing the
    name never matches: a bare particle ("de"), a single letter ("e" in "Silva e Sousa", an
    initial) or punctuation.
    """
    stored, given = _fold(on_booking).split(), _fold(typed).split()
    if not any(_telling(word) for word in given):
        return False
    return any(stored[i : i + len(given)] == given for i in range(len(stored) - len(given) + 1))


#: Lower-case words that belong to the surname after them ("da Silva", "van der Berg",
#: "El Amrani"): the one set every reading of a surname uses (booking names, lookups, checks).
SURNAME_PARTICLES = frozenset(
    {"da", "das", "de", "del", "della", "dei", "der", "den", "di", "do", "dos", "du", "el",
     "la", "le", "van", "von", "ten", "ter"}
)  # fmt: skip
#: Spanish joins two surnames with "y" ("Ortega y Gasset"): inside a full name it belongs to
#: the surname after it; typed after a booking reference it is the sentence's "and".
SURNAME_JOINER = "y"


def _telling(word: str) -> bool:
    """A folded word that says whose name it is: two letters or more, not a particle."""
    return sum(ch.isalnum() for ch in word) >= 2 and word not in SURNAME_PARTICLES


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class Tools(Protocol):
    async def request_handoff(self, reason: HandoffReason) -> None:
        """Put the conversation in human mode: staff see it and the bot stops answering."""
        ...

    async def record_opt_out(self, opted_out: bool) -> None:
        """Remember on the guest that they opted out of (or back into) messages."""
        ...

    async def check_availability(
        self, *, check_in: date, check_out: date, occupancy: pms.Occupancy
    ) -> pms.Availability:
        """Bookable offers (room type, rate plan, total, currency) for the stay; books nothing."""
        ...

    async def quote(self, request: pms.QuoteRequest) -> pms.Quote:
        """The exact price and cancellation policy of one offer; books nothing."""
        ...

    async def create_booking(
        self, request: pms.ReservationCreate, *, idempotency_key: str
    ) -> pms.Reservation:
        """Book for THIS guest: the contact phone is always the guest's WhatsApp number."""
        ...

    async def booking_needs_email(self) -> bool:
        """Whether the hotel's PMS takes a booking only with the guest's e-mail address."""
        ...

    async def my_bookings(self) -> list[pms.Reservation]:
        """Reservations tied to this guest's WhatsApp number; never anyone else's."""
        ...

    async def find_booking(self, reference: str, last_name: str) -> pms.Reservation | None:
        """The reservation with this reference AND surname, else None (never says which failed)."""
        ...

    async def change_booking(
        self, reference: str, change: pms.ReservationChange
    ) -> pms.Reservation:
        """Change dates/occupancy of one of this guest's reservations; `Forbidden` otherwise."""
        ...

    async def cancel_booking(self, reference: str) -> pms.Cancellation:
        """Cancel one of this guest's reservations (with the rate's fee); `Forbidden` otherwise."""
        ...

    async def room_types(self) -> list[pms.RoomType]:
        """The property's room types (code, name, capacity): a booking names only the code."""
        ...

    async def list_services(self) -> pms.ServiceCatalogue:
        """The property's bookable services and room-service menu, with prices."""
        ...

    async def request_service(
        self, request: pms.ServiceRequestCreate, *, idempotency_key: str
    ) -> pms.ServiceRequest:
        """Create a service request staff will see; a reservation named must be this guest's."""
        ...

    def verified_references(self) -> frozenset[str]:
        """References proven with `find_booking` in this conversation (kept in its state)."""
        ...


class ConversationTools:
    """`Tools` over the worker's session and the PMS client, for one guest's conversation.

    Built per turn; `verified` carries the references proven by `find_booking` in earlier
    turns (from the conversation state), and `handle_turn` stores the grown set back.
    """

    def __init__(
        self,
        session: AsyncSession,
        conversation: Conversation,
        *,
        pms: PmsClient | None = None,
        pms_property: str = "",
        guest_phone: str = "",
        verified: Iterable[str] = (),
    ) -> None:
        self._session = session
        self._conversation = conversation
        self._pms = pms
        self._property = pms_property or str(conversation.property_id)
        # Personal data: kept out of repr and logs.
        self._phone = e164(guest_phone) if guest_phone else ""
        self._verified = {ref.upper() for ref in verified}

    def __repr__(self) -> str:
        return f"ConversationTools(conversation={self._conversation.id})"

    async def request_handoff(self, reason: HandoffReason) -> None:
        self._conversation.mode = ConversationMode.HUMAN
        metrics.HANDOFFS.labels(reason=reason.value).inc()
        log.info(
            "engine.handoff.requested",
            conversation_id=str(self._conversation.id),
            reason=reason.value,
        )
        await self._audit(
            "conversation.handoff", "conversation", self._conversation.id, reason=reason.value
        )

    async def record_opt_out(self, opted_out: bool) -> None:
        guest = await self._session.get(Guest, self._conversation.guest_id)
        if guest is not None:
            guest.opted_out = opted_out
        log.info(
            "engine.guest.opt_out",
            conversation_id=str(self._conversation.id),
            opted_out=opted_out,
        )
        action = "guest.opt_out" if opted_out else "guest.opt_in"
        await self._audit(action, "guest", self._conversation.guest_id)

    # ---- PMS ------------------------------------------------------------------------------

    @property
    def _client(self) -> PmsClient:
        if self._pms is None:
            raise RuntimeError("no PMS client configured for this process")
        return self._pms

    async def check_availability(
        self, *, check_in: date, check_out: date, occupancy: pms.Occupancy
    ) -> pms.Availability:
        return await self._client.availability(self._property, check_in, check_out, occupancy)

    async def quote(self, request: pms.QuoteRequest) -> pms.Quote:
        return await self._client.quote(self._property, request)

    async def create_booking(
        self, request: pms.ReservationCreate, *, idempotency_key: str
    ) -> pms.Reservation:
        self._require_phone()
        guest = request.guest.model_copy(update={"phone": self._phone})
        forced = request.model_copy(update={"guest": guest})
        reservation = await self._client.create_reservation(
            self._property, forced, idempotency_key=idempotency_key
        )
        log.info("engine.tools.booking_created", conversation_id=str(self._conversation.id))
        await self._audit("booking.created", "reservation", reservation.reference)
        return reservation

    async def booking_needs_email(self) -> bool:
        return (await self._client.get_property(self._property)).guest_email_required

    async def my_bookings(self) -> list[pms.Reservation]:
        self._require_phone()
        found = await self._client.list_reservations(
            self._property, pms.GuestContact(phone=self._phone)
        )
        # The PMS filters by contact; checking again costs nothing and survives a lax adapter.
        return [r for r in found if r.guest.phone == self._phone]

    async def find_booking(self, reference: str, last_name: str) -> pms.Reservation | None:
        reservation = await self._lookup(reference)
        if reservation is None:
            return None
        if not same_name(reservation.guest.last_name, last_name):
            log.info(
                "engine.tools.find_booking.mismatch", conversation_id=str(self._conversation.id)
            )
            return None
        self._verified.add(reservation.reference.upper())
        return reservation

    async def change_booking(
        self, reference: str, change: pms.ReservationChange
    ) -> pms.Reservation:
        canonical = await self._authorise(reference)
        changed = await self._client.modify_reservation(self._property, canonical, change)
        await self._audit("booking.changed", "reservation", canonical)
        return changed

    async def cancel_booking(self, reference: str) -> pms.Cancellation:
        canonical = await self._authorise(reference)
        cancellation = await self._client.cancel_reservation(self._property, canonical)
        await self._audit("booking.cancelled", "reservation", canonical, fee=str(cancellation.fee))
        return cancellation

    async def room_types(self) -> list[pms.RoomType]:
        return await self._client.list_room_types(self._property)

    async def list_services(self) -> pms.ServiceCatalogue:
        return await self._client.list_services(self._property)

    async def request_service(
        self, request: pms.ServiceRequestCreate, *, idempotency_key: str
    ) -> pms.ServiceRequest:
        if request.reservation_reference:
            await self._authorise(request.reservation_reference)
        created = await self._client.create_service_request(
            self._property, request, idempotency_key=idempotency_key
        )
        await self._audit(
            "service_request.created", "service_request", created.id, kind=str(request.kind)
        )
        return created

    def verified_references(self) -> frozenset[str]:
        return frozenset(self._verified)

    async def _audit(
        self, action: str, subject_type: str, subject_id: object, **details: str
    ) -> None:
        """Record what the bot did for the guest; ids and closed values only, never guest data."""
        await audit_service.append(
            self._session,
            actor="bot",
            action=action,
            subject_type=subject_type,
            subject_id=str(subject_id),
            details={"conversation_id": str(self._conversation.id), **details},
        )

    # ---- rights ---------------------------------------------------------------------------

    def _require_phone(self) -> None:
        if not self._phone:
            raise Forbidden("this conversation has no guest number")

    def _owns(self, reservation: pms.Reservation) -> bool:
        return bool(self._phone) and reservation.guest.phone == self._phone

    async def _lookup(self, reference: str) -> pms.Reservation | None:
        """The reservation by reference as typed, else upper-cased (guests type "hb7k2q")."""
        for candidate in dict.fromkeys((reference.strip(), reference.strip().upper())):
            try:
                return await self._client.get_reservation(self._property, candidate)
            except ReservationNotFound:
                continue
        return None

    async def _authorise(self, reference: str) -> str:
        """The PMS's spelling of `reference`; `Forbidden` unless it is this guest's or verified."""
        if reference.strip().upper() in self._verified:
            return reference.strip().upper()
        reservation = await self._lookup(reference)
        # Not found gets the same answer as "not yours": a guess must not learn what exists.
        if reservation is None or not self._owns(reservation):
            log.info("engine.tools.forbidden", conversation_id=str(self._conversation.id))
            raise Forbidden("reservation not available to this guest")
        return reservation.reference
