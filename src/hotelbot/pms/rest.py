"""REST face of the PMS service under `/pms/v1/`: thin routes over `service.py`.

Every route needs a bearer token (`auth.py`); writes take an `Idempotency-Key` header.
Errors render as `{"error": code, "detail": message}` (see `app.py`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import ValidationError

import hotelbot.pms.schemas as pms
from hotelbot import rate_limits
from hotelbot.pms import auth, errors, service
from hotelbot.pms.service import PmsRuntime

KEY_PATTERN = r"^[A-Za-z0-9_.:-]{1,64}$"
IDEMPOTENCY_PATTERN = r"^[A-Za-z0-9_.:-]{8,128}$"


def get_runtime(request: Request) -> PmsRuntime:
    runtime: PmsRuntime = request.app.state.pms_runtime
    return runtime


_bearer = HTTPBearer(auto_error=False, description="Service token scoped to properties")


async def get_caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)] = None,
) -> auth.Caller:
    """The authenticated caller, within its limits: per token and per client address (429).

    A wrong token counts against the address's `login` limit, so tokens cannot be guessed at
    speed. The chatbot's own token is exempt: its guests are limited upstream.
    """
    limiter = getattr(request.app.state, "rate_limiter", None)
    header = f"Bearer {credentials.credentials}" if credentials else None
    try:
        caller = auth.authenticate(request.app.state.pms_tokens, header)
    except errors.PmsAuthError:
        await rate_limits.enforce(limiter, "login", rate_limits.client_key(request))
        raise
    token_key = rate_limits.opaque_key(credentials.credentials if credentials else "")
    if token_key not in request.app.state.pms_exempt_keys:
        await rate_limits.enforce(limiter, "pms_token", token_key)
        await rate_limits.enforce(limiter, "admin", rate_limits.client_key(request))
    return caller


Runtime = Annotated[PmsRuntime, Depends(get_runtime)]
CallerDep = Annotated[auth.Caller, Depends(get_caller)]
IdempotencyKey = Annotated[
    str, Header(alias="Idempotency-Key", pattern=IDEMPOTENCY_PATTERN, min_length=8)
]
ReferencePath = Annotated[str, Path(pattern=KEY_PATTERN)]


async def get_scoped_property(
    runtime: Runtime,
    caller: CallerDep,
    property_key: Annotated[str, Path(pattern=KEY_PATTERN)],
) -> pms.Property:
    """The property in the path, if the caller's token covers it (403 before 404 when not)."""
    try:
        found = await service.get_property(runtime, property_key)
    except errors.PropertyNotFound:
        if not caller.unrestricted:
            # A scoped token learns nothing about properties outside its scope.
            raise errors.PmsForbidden("this token is not allowed for this property") from None
        raise
    caller.check(found)
    return found


ScopedProperty = Annotated[pms.Property, Depends(get_scoped_property)]

router = APIRouter(prefix="/pms/v1", tags=["pms"])
P = "/properties/{property_key}"


@router.get("/properties", response_model=list[pms.Property])
async def list_properties(runtime: Runtime, caller: CallerDep) -> list[pms.Property]:
    return [p for p in await service.list_properties(runtime) if caller.allows(p)]


@router.get(P, response_model=pms.Property)
async def get_property(prop: ScopedProperty) -> pms.Property:
    return prop


@router.get(P + "/room-types", response_model=list[pms.RoomType])
async def list_room_types(runtime: Runtime, prop: ScopedProperty) -> list[pms.RoomType]:
    return await service.list_room_types(runtime, prop)


@router.get(P + "/rate-plans", response_model=list[pms.RatePlan])
async def list_rate_plans(runtime: Runtime, prop: ScopedProperty) -> list[pms.RatePlan]:
    return await service.list_rate_plans(runtime, prop)


@router.get(P + "/availability", response_model=pms.Availability)
async def get_availability(
    runtime: Runtime,
    prop: ScopedProperty,
    check_in: dt.date,
    check_out: dt.date,
    adults: Annotated[int, Query(ge=1, le=20)] = 1,
    children: Annotated[list[int] | None, Query(description="one age (0-17) per child")] = None,
    rooms: Annotated[int, Query(ge=1, le=9)] = 1,
) -> pms.Availability:
    occupancy = _occupancy(adults, children or [], rooms)
    return await service.availability(runtime, prop, check_in, check_out, occupancy)


def _occupancy(adults: int, children: list[int], rooms: int) -> pms.Occupancy:
    try:
        return pms.Occupancy(adults=adults, children_ages=children, rooms=rooms)
    except ValidationError as exc:
        raise errors.InvalidRequest("invalid occupancy") from exc


@router.post(P + "/quotes", response_model=pms.Quote)
async def create_quote(runtime: Runtime, prop: ScopedProperty, body: pms.QuoteRequest) -> pms.Quote:
    return await service.quote(runtime, prop, body)


@router.post(P + "/reservations", response_model=pms.Reservation, status_code=201)
async def create_reservation(
    runtime: Runtime, prop: ScopedProperty, body: pms.ReservationCreate, key: IdempotencyKey
) -> pms.Reservation:
    return await service.create_reservation(runtime, prop, body, idempotency_key=key)


@router.get(P + "/reservations", response_model=list[pms.Reservation])
async def list_reservations(
    runtime: Runtime,
    prop: ScopedProperty,
    phone: Annotated[str | None, Query(max_length=16)] = None,
    email: Annotated[str | None, Query(max_length=254)] = None,
) -> list[pms.Reservation]:
    try:
        contact = pms.GuestContact(phone=phone, email=email)
    except ValidationError as exc:
        raise errors.InvalidRequest("a valid phone (E.164) or email is required") from exc
    return await service.list_reservations(runtime, prop, contact)


@router.get(P + "/reservations/{reference}", response_model=pms.Reservation)
async def get_reservation(
    runtime: Runtime, prop: ScopedProperty, reference: ReferencePath
) -> pms.Reservation:
    return await service.get_reservation(runtime, prop, reference)


@router.patch(P + "/reservations/{reference}", response_model=pms.Reservation)
async def modify_reservation(
    runtime: Runtime, prop: ScopedProperty, reference: ReferencePath, body: pms.ReservationChange
) -> pms.Reservation:
    return await service.modify_reservation(runtime, prop, reference, body)


@router.post(P + "/reservations/{reference}/cancel", response_model=pms.Cancellation)
async def cancel_reservation(
    runtime: Runtime, prop: ScopedProperty, reference: ReferencePath
) -> pms.Cancellation:
    return await service.cancel_reservation(runtime, prop, reference)


@router.get(P + "/services", response_model=pms.ServiceCatalogue)
async def list_services(runtime: Runtime, prop: ScopedProperty) -> pms.ServiceCatalogue:
    return await service.list_services(runtime, prop)


@router.post(P + "/service-requests", response_model=pms.ServiceRequest, status_code=201)
async def create_service_request(
    runtime: Runtime, prop: ScopedProperty, body: pms.ServiceRequestCreate, key: IdempotencyKey
) -> pms.ServiceRequest:
    return await service.create_service_request(runtime, prop, body, idempotency_key=key)


@router.get(P + "/service-requests/{request_id}", response_model=pms.ServiceRequest)
async def get_service_request(
    runtime: Runtime, prop: ScopedProperty, request_id: ReferencePath
) -> pms.ServiceRequest:
    return await service.get_service_request(runtime, prop, request_id)
