"""ConversationTools against the real PMS app (built-in adapter, demo hotel) over ASGI.

The guest's rights are enforced by the tools whatever the caller passes: bookings carry the
guest's own number, other guests' reservations cannot be listed, changed or cancelled unless
proven with reference + surname, and a re-run turn books once.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hotelbot.audit import service as audit_service
from hotelbot.engine.tools import THIS_GUEST_PHONE as THIS_GUEST
from hotelbot.engine.tools import (
    ConversationTools,
    HandoffReason,
    guest_details,
    idempotency_key,
    same_name,
)
from hotelbot.errors import Forbidden
from hotelbot.models import AuditEntry, Conversation
from hotelbot.pms.client import PmsClient
from hotelbot.pms.errors import RateChanged
from hotelbot.pms.schemas import (
    Occupancy,
    QuoteRequest,
    ReservationChange,
    ReservationCreate,
    ReservationStatus,
)
from hotelbot.property.demo import DEMO_PROPERTY_ID
from tests.pms.conftest import (  # noqa: F401  (fixtures of the PMS test kit)
    TOKEN,
    clock,
    pms_app,
    pms_db_url,
    pms_engine,
    pms_sessionmaker,
    pms_settings,
    pms_template,
    runtime,
)

ME = "351910000001"
SOMEONE_ELSE = "+447700900123"
CHECK_IN = dt.date(2031, 3, 10)
CHECK_OUT = dt.date(2031, 3, 12)


@pytest.fixture
async def pms_client(pms_app) -> AsyncIterator[PmsClient]:  # type: ignore[no-untyped-def]  # noqa: F811
    client = PmsClient("http://pms.test", TOKEN, transport=httpx.ASGITransport(app=pms_app))
    yield client
    await client.aclose()


@pytest.fixture
def tools_for(session: AsyncSession, pms_client: PmsClient):  # type: ignore[no-untyped-def]
    def build(phone: str = ME, verified: tuple[str, ...] = ()) -> ConversationTools:
        conversation = Conversation(
            id=uuid.uuid4(), property_id=DEMO_PROPERTY_ID, guest_id=uuid.uuid4(), state={}
        )
        return ConversationTools(
            session,
            conversation,
            pms=pms_client,
            pms_property=str(DEMO_PROPERTY_ID),
            guest_phone=phone,
            verified=verified,
        )

    return build


def booking(phone: str | None = None, last_name: str = "Quintela") -> ReservationCreate:
    return ReservationCreate(
        check_in=CHECK_IN,
        check_out=CHECK_OUT,
        occupancy=Occupancy(adults=2),
        room_type_code="STD-DBL",
        rate_plan_code="FLEX-BB",
        guest=guest_details("Rui", last_name).model_copy(update={"phone": phone or THIS_GUEST}),
    )


async def test_booking_carries_the_guests_own_number_whatever_is_passed(tools_for) -> None:  # type: ignore[no-untyped-def]
    tools = tools_for()
    request = booking(phone=SOMEONE_ELSE)
    made = await tools.create_booking(request, idempotency_key="hb-book-0001")
    assert made.guest.phone == f"+{ME}"
    mine = await tools.my_bookings()
    assert [r.reference for r in mine] == [made.reference]


async def test_rerun_turn_books_once(tools_for) -> None:  # type: ignore[no-untyped-def]
    tools = tools_for()
    key = idempotency_key("book", str(uuid.uuid4()))
    first = await tools.create_booking(booking(), idempotency_key=key)
    again = await tools_for().create_booking(booking(), idempotency_key=key)
    assert again.reference == first.reference
    assert len(await tools.my_bookings()) == 1


async def test_other_guests_cannot_see_change_or_cancel(tools_for) -> None:  # type: ignore[no-untyped-def]
    made = await tools_for().create_booking(booking(), idempotency_key="hb-book-0002")
    stranger = tools_for(phone="447700900123")
    assert await stranger.my_bookings() == []
    with pytest.raises(Forbidden):
        await stranger.cancel_booking(made.reference)
    with pytest.raises(Forbidden):
        await stranger.change_booking(made.reference, ReservationChange(check_out=CHECK_OUT))
    with pytest.raises(Forbidden):
        await stranger.cancel_booking("NOSUCHREF1")
    assert (await tools_for().my_bookings())[0].status is ReservationStatus.CONFIRMED


async def test_reference_and_surname_unlock_a_booking(tools_for) -> None:  # type: ignore[no-untyped-def]
    made = await tools_for().create_booking(booking(last_name="Núñez"), idempotency_key="hb-book-3")
    stranger = tools_for(phone="447700900123")
    assert await stranger.find_booking(made.reference, "Smith") is None
    assert await stranger.find_booking("ZZZZZZ9", "Núñez") is None
    found = await stranger.find_booking(made.reference.lower(), " nunez ")
    assert found is not None and found.reference == made.reference
    assert stranger.verified_references() == {made.reference.upper()}
    cancelled = await stranger.cancel_booking(made.reference)
    assert cancelled.status is ReservationStatus.CANCELLED


async def test_either_of_two_surnames_unlocks_a_booking_but_a_particle_does_not(tools_for) -> None:  # type: ignore[no-untyped-def]
    made = await tools_for().create_booking(
        booking(last_name="de la Cruz Núñez"), idempotency_key="hb-book-5"
    )
    stranger = tools_for(phone="447700900123")
    for typed in ("de la", "la", "Cruz Nunez Lopez", "Cru"):
        assert await stranger.find_booking(made.reference, typed) is None, typed
    for typed in ("Núñez", "de la cruz", "Cruz Núñez", "DE LA CRUZ NÚÑEZ"):
        found = await stranger.find_booking(made.reference, typed)
        assert found is not None and found.reference == made.reference, typed


@pytest.mark.parametrize(
    ("on_booking", "typed"),
    [
        ("Silva e Sousa", "e"),  # Portuguese joins two surnames with "e"
        ("Puig i Cadafalch", "i"),  # Catalan with "i"
        ("Ortega e Iglesias", "E"),
        ("Smith J.", "j."),
        ("García - López", "-"),
        ("da Silva", "   "),
        ("da Silva", ""),
        ("El Amrani", "el"),  # a particle, like "da" or "de"
    ],
)
def test_a_single_letter_or_a_joining_word_never_matches_a_surname(
    on_booking: str, typed: str
) -> None:
    assert not same_name(on_booking, typed)


def test_a_short_real_surname_still_matches() -> None:
    assert (
        same_name("Li", "li") and same_name("Ng Wu", "Wu") and same_name("Silva e Sousa", "Sousa")
    )


async def test_verified_reference_survives_to_the_next_turn(tools_for) -> None:  # type: ignore[no-untyped-def]
    made = await tools_for().create_booking(booking(), idempotency_key="hb-book-0004")
    next_turn = tools_for(phone="447700900123", verified=(made.reference,))
    changed = await next_turn.change_booking(
        made.reference, ReservationChange(check_out=CHECK_OUT + dt.timedelta(days=1))
    )
    assert changed.check_out == CHECK_OUT + dt.timedelta(days=1)


async def test_availability_quote_and_stale_price(tools_for) -> None:  # type: ignore[no-untyped-def]
    tools = tools_for()
    found = await tools.check_availability(
        check_in=CHECK_IN, check_out=CHECK_OUT, occupancy=Occupancy(adults=2)
    )
    offer = next(o for o in found.offers if o.room_type_code == "STD-DBL")
    quote = await tools.quote(
        QuoteRequest(
            check_in=CHECK_IN,
            check_out=CHECK_OUT,
            occupancy=Occupancy(adults=2),
            room_type_code=offer.room_type_code,
            rate_plan_code=offer.rate_plan_code,
        )
    )
    assert quote.total == offer.total
    stale = booking().model_copy(
        update={"rate_plan_code": offer.rate_plan_code, "expected_total": quote.total + 1}
    )
    with pytest.raises(RateChanged):
        await tools.create_booking(stale, idempotency_key="hb-book-0005")


async def test_what_the_bot_does_is_audited_without_guest_data(  # type: ignore[no-untyped-def]
    tools_for, session: AsyncSession
) -> None:
    tools = tools_for()
    made = await tools.create_booking(booking(), idempotency_key="hb-book-audit")
    await tools.cancel_booking(made.reference)
    await tools.request_handoff(HandoffReason.GUEST_REQUEST)
    entries = (await session.scalars(select(AuditEntry).order_by(AuditEntry.id))).all()
    assert [(e.actor, e.action, e.subject_id) for e in entries] == [
        ("bot", "booking.created", made.reference),
        ("bot", "booking.cancelled", made.reference),
        ("bot", "conversation.handoff", entries[2].subject_id),
    ]
    assert (await audit_service.verify(session)).intact
    recorded = repr([(e.subject_id, e.details) for e in entries])
    assert ME not in recorded and "Quintela" not in recorded and "Rui" not in recorded


async def test_room_types_name_the_codes_a_booking_carries(tools_for) -> None:  # type: ignore[no-untyped-def]
    tools = tools_for()
    names = {t.code: t.name for t in await tools.room_types()}
    booked = await tools.create_booking(booking(), idempotency_key="hb-book-rooms")
    assert names[booked.room_type_code]  # every booked code has a readable name
