"""GraphQL face of the PMS service (Strawberry) at `/pms/graphql`: same operations as REST.

Types mirror `schemas.py` through Strawberry's Pydantic integration, field names stay
snake_case, and every resolver is one call into `service.py`, so both faces return the same
data. A `PmsError` becomes a GraphQL error with `extensions.code` (and `status`). Depth, aliases,
tokens, cost and introspection are limited before execution (`graphql_limits.py`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable
from decimal import Decimal
from typing import Any, TypeVar

import strawberry
import structlog
from fastapi import Depends, Request
from graphql import GraphQLError, GraphQLInputObjectType
from pydantic import BaseModel, ValidationError
from strawberry.experimental.pydantic import input as pyd_input
from strawberry.experimental.pydantic import type as pyd_type
from strawberry.fastapi import GraphQLRouter
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext, Info
from strawberry.types.scalar import ScalarDefinition

from hotelbot.pms import auth, errors, schemas, service
from hotelbot.pms.graphql_limits import GraphqlLimits, limit_extensions
from hotelbot.pms.rest import get_caller
from hotelbot.pms.service import PmsRuntime
from hotelbot.settings import Settings

T = TypeVar("T")
log = structlog.get_logger(__name__)

for _enum in (
    schemas.BedType,
    schemas.TaxKind,
    schemas.ReservationStatus,
    schemas.ServiceCategory,
    schemas.PriceUnit,
    schemas.ServiceRequestKind,
    schemas.ServiceRequestStatus,
):
    strawberry.enum(_enum)


def _parse_money_literal(node: Any, _variables: Any = None) -> Decimal:
    return Decimal(str(node.value))


Money = ScalarDefinition(
    name="Money",
    serialize=schemas._money_str,
    parse_value=lambda v: Decimal(str(v)),
    description='Decimal amount as a string, e.g. "129.00"',
    parse_literal=_parse_money_literal,
    specified_by_url=None,
)


# ---- output types ----------------------------------------------------------------------------


@pyd_type(model=schemas.Property)
class Property:
    id: strawberry.auto
    slug: strawberry.auto
    name: strawberry.auto
    timezone: strawberry.auto
    currency: strawberry.auto
    country: strawberry.auto
    check_in_time: strawberry.auto
    check_out_time: strawberry.auto
    pms_adapter: strawberry.auto
    guest_email_required: strawberry.auto


@pyd_type(model=schemas.LocalizedText, all_fields=True)
class LocalizedText:
    pass


@pyd_type(model=schemas.Bed, all_fields=True)
class Bed:
    pass


@pyd_type(model=schemas.RoomType, all_fields=True)
class RoomType:
    pass


@pyd_type(model=schemas.CancellationPolicy, all_fields=True)
class CancellationPolicy:
    pass


@pyd_type(model=schemas.RatePlan, all_fields=True)
class RatePlan:
    pass


@pyd_type(model=schemas.Occupancy, all_fields=True)
class Occupancy:
    pass


@pyd_type(model=schemas.NightPrice, all_fields=True)
class NightPrice:
    pass


@pyd_type(model=schemas.TaxLine, all_fields=True)
class TaxLine:
    pass


@pyd_type(model=schemas.Offer, all_fields=True)
class Offer:
    pass


@pyd_type(model=schemas.Availability, all_fields=True)
class Availability:
    pass


@pyd_type(model=schemas.Quote, all_fields=True)
class Quote:
    pass


@pyd_type(model=schemas.Guest, all_fields=True)
class Guest:
    pass


@pyd_type(model=schemas.Reservation, all_fields=True)
class Reservation:
    pass


@pyd_type(model=schemas.Cancellation, all_fields=True)
class Cancellation:
    pass


@pyd_type(model=schemas.Service, all_fields=True)
class Service:
    pass


@pyd_type(model=schemas.MenuItem, all_fields=True)
class MenuItem:
    pass


@pyd_type(model=schemas.ServiceCatalogue, all_fields=True)
class ServiceCatalogue:
    pass


@pyd_type(model=schemas.PricedLine, all_fields=True)
class PricedLine:
    pass


@pyd_type(model=schemas.ServiceRequest, all_fields=True)
class ServiceRequest:
    pass


# ---- input types -----------------------------------------------------------------------------


@pyd_input(model=schemas.Occupancy, all_fields=True)
class OccupancyInput:
    pass


@pyd_input(model=schemas.QuoteRequest, all_fields=True)
class QuoteInput:
    pass


@pyd_input(model=schemas.GuestDetails, all_fields=True)
class GuestInput:
    pass


@pyd_input(model=schemas.ReservationCreate, all_fields=True)
class ReservationInput:
    pass


@pyd_input(model=schemas.ReservationChange, all_fields=True)
class ReservationChangeInput:
    pass


@pyd_input(model=schemas.OrderLine, all_fields=True)
class OrderLineInput:
    pass


@pyd_input(model=schemas.ServiceRequestCreate, all_fields=True)
class ServiceRequestInput:
    pass


# ---- resolvers -------------------------------------------------------------------------------


def _out(cls: type[T], value: Any) -> T:
    out: T = cls.from_pydantic(value)  # type: ignore[attr-defined]
    return out


def _graphql_error(exc: errors.PmsError) -> GraphQLError:
    return GraphQLError(exc.message, extensions={"code": exc.code, "status": exc.status_code})


async def _run(awaitable: Awaitable[T]) -> T:
    try:
        return await awaitable
    except errors.PmsError as exc:
        raise _graphql_error(exc) from exc


def _model(value: Any) -> Any:
    """Input type → validated contract model; bad input is an `invalid_request` error."""
    try:
        return value.to_pydantic()
    except ValidationError as exc:
        where = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors())
        raise _graphql_error(errors.InvalidRequest(f"invalid input: {where}")) from exc


async def _scoped(info: Info, key: str) -> tuple[PmsRuntime, schemas.Property]:
    runtime: PmsRuntime = info.context["runtime"]
    caller: auth.Caller = info.context["caller"]
    try:
        prop = await service.get_property(runtime, key)
        caller.check(prop)
    except errors.PropertyNotFound as exc:
        if not caller.unrestricted:
            raise _graphql_error(errors.PmsForbidden("token not allowed")) from exc
        raise _graphql_error(exc) from exc
    except errors.PmsError as exc:
        raise _graphql_error(exc) from exc
    return runtime, prop


@strawberry.type
class Query:
    @strawberry.field
    async def property(self, info: Info, property: str) -> Property:
        _, prop = await _scoped(info, property)
        return _out(Property, prop)

    @strawberry.field
    async def room_types(self, info: Info, property: str) -> list[RoomType]:
        runtime, prop = await _scoped(info, property)
        found = await _run(service.list_room_types(runtime, prop))
        return [_out(RoomType, r) for r in found]

    @strawberry.field
    async def rate_plans(self, info: Info, property: str) -> list[RatePlan]:
        runtime, prop = await _scoped(info, property)
        found = await _run(service.list_rate_plans(runtime, prop))
        return [_out(RatePlan, r) for r in found]

    @strawberry.field
    async def availability(
        self,
        info: Info,
        property: str,
        check_in: dt.date,
        check_out: dt.date,
        occupancy: OccupancyInput,
    ) -> Availability:
        runtime, prop = await _scoped(info, property)
        wanted = _model(occupancy)
        found = await _run(service.availability(runtime, prop, check_in, check_out, wanted))
        return _out(Availability, found)

    @strawberry.field
    async def reservation(self, info: Info, property: str, reference: str) -> Reservation:
        runtime, prop = await _scoped(info, property)
        return _out(Reservation, await _run(service.get_reservation(runtime, prop, reference)))

    @strawberry.field
    async def reservations(
        self, info: Info, property: str, phone: str | None = None, email: str | None = None
    ) -> list[Reservation]:
        runtime, prop = await _scoped(info, property)
        try:
            contact = schemas.GuestContact(phone=phone, email=email)
        except ValidationError as exc:
            raise _graphql_error(errors.InvalidRequest("phone or email required")) from exc
        found = await _run(service.list_reservations(runtime, prop, contact))
        return [_out(Reservation, r) for r in found]

    @strawberry.field
    async def services(self, info: Info, property: str) -> ServiceCatalogue:
        runtime, prop = await _scoped(info, property)
        return _out(ServiceCatalogue, await _run(service.list_services(runtime, prop)))

    @strawberry.field
    async def service_request(self, info: Info, property: str, id: str) -> ServiceRequest:
        runtime, prop = await _scoped(info, property)
        found = await _run(service.get_service_request(runtime, prop, id))
        return _out(ServiceRequest, found)


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def quote(self, info: Info, property: str, input: QuoteInput) -> Quote:
        runtime, prop = await _scoped(info, property)
        return _out(Quote, await _run(service.quote(runtime, prop, _model(input))))

    @strawberry.mutation
    async def create_reservation(
        self, info: Info, property: str, input: ReservationInput, idempotency_key: str
    ) -> Reservation:
        runtime, prop = await _scoped(info, property)
        key = _idempotency_key(idempotency_key)
        found = await _run(
            service.create_reservation(runtime, prop, _model(input), idempotency_key=key)
        )
        return _out(Reservation, found)

    @strawberry.mutation
    async def modify_reservation(
        self, info: Info, property: str, reference: str, input: ReservationChangeInput
    ) -> Reservation:
        runtime, prop = await _scoped(info, property)
        found = await _run(service.modify_reservation(runtime, prop, reference, _model(input)))
        return _out(Reservation, found)

    @strawberry.mutation
    async def cancel_reservation(self, info: Info, property: str, reference: str) -> Cancellation:
        runtime, prop = await _scoped(info, property)
        found = await _run(service.cancel_reservation(runtime, prop, reference))
        return _out(Cancellation, found)

    @strawberry.mutation
    async def create_service_request(
        self, info: Info, property: str, input: ServiceRequestInput, idempotency_key: str
    ) -> ServiceRequest:
        runtime, prop = await _scoped(info, property)
        key = _idempotency_key(idempotency_key)
        found = await _run(
            service.create_service_request(runtime, prop, _model(input), idempotency_key=key)
        )
        return _out(ServiceRequest, found)


def _idempotency_key(value: str) -> str:
    if not 8 <= len(value) <= 128 or not all(c.isalnum() or c in "_.:-" for c in value):
        raise _graphql_error(errors.InvalidRequest("invalid idempotency_key"))
    return value


class _Schema(strawberry.Schema):
    """Logs a request's errors by code, never with the query's text.

    Strawberry logs each error at ERROR with the lines of the query around it, whose literals
    can be a guest's name or phone number, and with a traceback: a refused or invalid request
    would put guest data in the logs and page Sentry. Only an unexpected exception is an error.
    """

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            cause = error.original_error
            extensions = error.extensions or {}
            if cause is None or isinstance(cause, GraphQLError):
                status = extensions.get("status", 400)
                level = log.warning if isinstance(status, int) and status >= 500 else log.info
                level("pms.graphql.rejected", code=extensions.get("code", "invalid_query"))
            else:
                log.error("pms.graphql.failed", error=type(cause).__name__, exc_info=cause)


def build_schema(limits: GraphqlLimits) -> strawberry.Schema:
    """The PMS schema with `limits` enforced before execution (graphql_limits.py)."""
    schema = _Schema(
        query=Query,
        mutation=Mutation,
        config=StrawberryConfig(auto_camel_case=False, scalar_map={Decimal: Money}),
        extensions=limit_extensions(limits),
    )
    _plain_defaults(schema)
    return schema


def _plain_defaults(schema: strawberry.Schema) -> None:
    """Input defaults that are pydantic objects (`occupancy`) become plain values.

    graphql-core cannot print an object as a default value, so introspection failed on it;
    as a dict it prints, and an omitted field is built from it like a client's value.
    """
    for graphql_type in schema._schema.type_map.values():
        if isinstance(graphql_type, GraphQLInputObjectType):
            for field in graphql_type.fields.values():
                if isinstance(field.default_value, BaseModel):
                    field.default_value = field.default_value.model_dump(mode="json")


async def _context(request: Request, caller: auth.Caller = Depends(get_caller)) -> dict[str, Any]:
    return {"runtime": request.app.state.pms_runtime, "caller": caller}


def graphql_router(settings: Settings) -> GraphQLRouter[dict[str, Any], None]:
    """The `/pms/graphql` router; the caller must present a bearer token (401 otherwise)."""
    schema = build_schema(GraphqlLimits.from_settings(settings))
    return GraphQLRouter(schema, path="/pms/graphql", context_getter=_context, graphql_ide=None)
