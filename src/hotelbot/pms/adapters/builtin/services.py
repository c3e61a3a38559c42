"""Services catalogue, room-service menu and service requests of the built-in PMS."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, TypedDict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

import hotelbot.pms.schemas as pms
from hotelbot.pms import errors
from hotelbot.pms.adapters.builtin.models import PmsReservation, PmsService, PmsServiceRequest
from hotelbot.pms.adapters.builtin.offers import names_out
from hotelbot.pms.adapters.builtin.pricing import to_money


async def catalogue(session: AsyncSession, property: pms.Property) -> pms.ServiceCatalogue:
    rows = (await _items(session, property.id)).values()
    return pms.ServiceCatalogue(
        property_id=property.id,
        currency=property.currency,
        services=[_service_out(r, property.currency) for r in rows if r.kind == "service"],
        room_service_menu=[_menu_out(r, property.currency) for r in rows if r.kind == "menu"],
    )


async def create_request(
    session: AsyncSession,
    property: pms.Property,
    request: pms.ServiceRequestCreate,
    *,
    now: dt.datetime,
) -> pms.ServiceRequest:
    """Validate codes against the catalogue, price the lines, store the request as `open`."""
    reservation_id = await _reservation_id(session, property.id, request.reservation_reference)
    lines = await _priced_lines(session, property.id, request)
    total = sum(line["amount_cents"] for line in lines) if lines else None
    row = PmsServiceRequest(
        id=uuid.uuid4(),
        property_id=property.id,
        reservation_id=reservation_id,
        kind=request.kind.value,
        status=pms.ServiceRequestStatus.OPEN.value,
        room_number=request.room_number,
        service_code=request.service_code,
        lines=lines,
        total_cents=total,
        currency=property.currency,
        scheduled_for=request.scheduled_for,
        notes=request.notes or None,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    await session.flush()
    return _request_out(row, request.reservation_reference)


async def get_request(
    session: AsyncSession, property: pms.Property, request_id: str
) -> pms.ServiceRequest:
    try:
        key = uuid.UUID(request_id)
    except ValueError as exc:
        raise errors.ServiceRequestNotFound("service request not found") from exc
    row = await session.get(PmsServiceRequest, key)
    if row is None or row.property_id != property.id:
        raise errors.ServiceRequestNotFound("service request not found")
    reference = None
    if row.reservation_id is not None:
        reservation = await session.get(PmsReservation, row.reservation_id)
        reference = reservation.reference if reservation else None
    return _request_out(row, reference)


async def _items(session: AsyncSession, property_id: uuid.UUID) -> dict[str, PmsService]:
    rows = await session.scalars(
        select(PmsService)
        .where(PmsService.property_id == property_id)
        .order_by(PmsService.sort_order, PmsService.code)
    )
    return {r.code: r for r in rows}


async def _reservation_id(
    session: AsyncSession, property_id: uuid.UUID, reference: str | None
) -> uuid.UUID | None:
    if reference is None:
        return None
    found = await session.scalar(
        select(PmsReservation.id).where(
            PmsReservation.property_id == property_id, PmsReservation.reference == reference
        )
    )
    if found is None:
        raise errors.ReservationNotFound("reservation not found")
    return found


class Line(TypedDict):
    code: str
    name: str
    quantity: int
    unit_price_cents: int
    amount_cents: int


async def _priced_lines(
    session: AsyncSession, property_id: uuid.UUID, request: pms.ServiceRequestCreate
) -> list[Line]:
    items = await _items(session, property_id)
    if request.kind is pms.ServiceRequestKind.SERVICE:
        service = items.get(request.service_code or "")
        if service is None or service.kind != "service":
            raise errors.InvalidRequest("unknown service_code")
        return [_line(service, 1)]
    if request.kind is pms.ServiceRequestKind.ROOM_SERVICE:
        if not request.items:
            raise errors.InvalidRequest("a room service order needs items")
        lines = []
        for order in request.items:
            item = items.get(order.code)
            if item is None or item.kind != "menu":
                raise errors.InvalidRequest("unknown menu item code")
            lines.append(_line(item, order.quantity))
        return lines
    return []


def _line(item: PmsService, quantity: int) -> Line:
    return {
        "code": item.code,
        "name": item.name,
        "quantity": quantity,
        "unit_price_cents": item.price_cents,
        "amount_cents": item.price_cents * quantity,
    }


def _request_out(row: PmsServiceRequest, reference: str | None) -> pms.ServiceRequest:
    return pms.ServiceRequest(
        id=str(row.id),
        property_id=row.property_id,
        kind=pms.ServiceRequestKind(row.kind),
        status=pms.ServiceRequestStatus(row.status),
        reservation_reference=reference,
        room_number=row.room_number,
        service_code=row.service_code,
        lines=[_priced_line_out(line) for line in row.lines],
        total=None if row.total_cents is None else to_money(row.total_cents),
        currency=row.currency,
        scheduled_for=row.scheduled_for,
        notes=row.notes or "",
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _service_out(row: PmsService, currency: str) -> pms.Service:
    return pms.Service(
        code=row.code,
        category=pms.ServiceCategory(row.category),
        name=row.name,
        names=names_out(row.names),
        description=row.description,
        price=to_money(row.price_cents),
        unit=pms.PriceUnit(row.unit),
        currency=currency,
        hours=row.hours,
    )


def _menu_out(row: PmsService, currency: str) -> pms.MenuItem:
    return pms.MenuItem(
        code=row.code,
        section=row.section,
        name=row.name,
        names=names_out(row.names),
        description=row.description,
        price=to_money(row.price_cents),
        currency=currency,
        dietary=list(row.dietary),
    )


def _priced_line_out(line: dict[str, Any]) -> pms.PricedLine:
    return pms.PricedLine(
        code=line["code"],
        name=line["name"],
        quantity=line["quantity"],
        unit_price=to_money(line["unit_price_cents"]),
        amount=to_money(line["amount_cents"]),
    )
