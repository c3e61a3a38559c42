"""The tools a model may call, bound to one conversation through `ToolDeps`.

Every tool follows the same contract: its arguments are a closed Pydantic model (an unknown
field such as a phone number, a guest id, a property or a price is an error, never ignored);
the guest, the property and the contact number come from `ToolDeps`, which `handle_turn` built
from the conversation, never from the model; writes go through the same `Tools` the flows use,
so the guest's rights are enforced there (only their own bookings, or ones proven with
reference + surname); a failure becomes a short instruction to the model, never a traceback.
Results are JSON without the guest's contact details.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import structlog
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hotelbot.engine.llm.schemas import ToolCall, ToolSpec
from hotelbot.engine.tools import HandoffReason, Tools, guest_details, idempotency_key
from hotelbot.errors import Forbidden, HotelbotError
from hotelbot.kit.redact import redact
from hotelbot.pms.errors import PmsError
from hotelbot.pms.schemas import (
    Occupancy,
    QuoteRequest,
    ReservationChange,
    ReservationCreate,
    ServiceRequestCreate,
    ServiceRequestKind,
)

log = structlog.get_logger(__name__)
#: Fields of PMS answers the model never needs: the guest's contact details.
_PRIVATE = frozenset({"phone", "email", "property_id"})


@dataclass
class ToolDeps:
    """What tools act with: this conversation's tools (guest and property bound), the id of the
    message being answered (idempotency keys) and the hotel's facts for knowledge search."""

    tools: Tools
    message_id: str
    language: str
    facts: dict[str, str] = field(default_factory=dict)
    #: Writes done this turn, by kind: a model may not book (or cancel) twice in one turn.
    writes: set[str] = field(default_factory=set)


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)


class StayArgs(_Args):
    check_in: dt.date
    check_out: dt.date
    adults: int = Field(ge=1, le=10)
    children_ages: list[int] = Field(default_factory=list, max_length=10)
    rooms: int = Field(1, ge=1, le=5)

    def occupancy(self) -> Occupancy:
        return Occupancy(adults=self.adults, children_ages=self.children_ages, rooms=self.rooms)


class OfferArgs(StayArgs):
    room_type_code: str = Field(min_length=1, max_length=64)
    rate_plan_code: str = Field(min_length=1, max_length=64)

    def quote_request(self) -> QuoteRequest:
        return QuoteRequest(
            check_in=self.check_in,
            check_out=self.check_out,
            occupancy=self.occupancy(),
            room_type_code=self.room_type_code,
            rate_plan_code=self.rate_plan_code,
        )


class BookArgs(OfferArgs):
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    email: str | None = Field(None, max_length=200)


class NoArgs(_Args):
    pass


class FindArgs(_Args):
    reference: str = Field(min_length=1, max_length=64)
    last_name: str = Field(min_length=1, max_length=100)


class ReferenceArgs(_Args):
    reference: str = Field(min_length=1, max_length=64)


class ChangeArgs(ReferenceArgs):
    check_in: dt.date | None = None
    check_out: dt.date | None = None
    adults: int | None = Field(None, ge=1, le=10)


class ServiceArgs(_Args):
    kind: ServiceRequestKind
    service_code: str | None = Field(None, max_length=64)
    reservation_reference: str | None = Field(None, max_length=64)
    notes: str = Field("", max_length=500)


class KnowledgeArgs(_Args):
    topic: str = Field(min_length=1, max_length=200)


Run = Callable[[ToolDeps, Any], Awaitable[Any]]


@dataclass(frozen=True)
class LlmTool:
    name: str
    description: str
    args: type[_Args]
    run: Run
    #: A write: done at most once per turn per kind.
    write: str | None = None

    def spec(self) -> ToolSpec:
        schema = self.args.model_json_schema()
        schema.pop("title", None)
        return ToolSpec(name=self.name, description=self.description, parameters=schema)


async def _availability(deps: ToolDeps, args: StayArgs) -> Any:
    return await deps.tools.check_availability(
        check_in=args.check_in, check_out=args.check_out, occupancy=args.occupancy()
    )


async def _quote(deps: ToolDeps, args: OfferArgs) -> Any:
    return await deps.tools.quote(args.quote_request())


async def _book(deps: ToolDeps, args: BookArgs) -> Any:
    request = ReservationCreate(
        **args.quote_request().model_dump(),
        guest=guest_details(
            args.first_name, args.last_name, email=args.email, language=deps.language
        ),
    )
    key = idempotency_key("llm-book", deps.message_id)
    return await deps.tools.create_booking(request, idempotency_key=key)


async def _my_bookings(deps: ToolDeps, args: NoArgs) -> Any:
    return await deps.tools.my_bookings()


async def _find(deps: ToolDeps, args: FindArgs) -> Any:
    found = await deps.tools.find_booking(args.reference, args.last_name)
    return found if found is not None else {"error": "no booking matches that reference and name"}


async def _change(deps: ToolDeps, args: ChangeArgs) -> Any:
    occupancy = Occupancy(adults=args.adults) if args.adults else None
    change = ReservationChange(
        check_in=args.check_in, check_out=args.check_out, occupancy=occupancy
    )
    return await deps.tools.change_booking(args.reference, change)


async def _cancel(deps: ToolDeps, args: ReferenceArgs) -> Any:
    return await deps.tools.cancel_booking(args.reference)


async def _services(deps: ToolDeps, args: NoArgs) -> Any:
    return await deps.tools.list_services()


async def _request_service(deps: ToolDeps, args: ServiceArgs) -> Any:
    request = ServiceRequestCreate(
        kind=args.kind,
        service_code=args.service_code,
        reservation_reference=args.reservation_reference,
        notes=redact(args.notes),
    )
    key = idempotency_key("llm-service", deps.message_id)
    return await deps.tools.request_service(request, idempotency_key=key)


async def _knowledge(deps: ToolDeps, args: KnowledgeArgs) -> Any:
    words = {w for w in args.topic.casefold().split() if len(w) > 2}
    hits = {
        topic: text
        for topic, text in deps.facts.items()
        if words & set(topic.casefold().replace("_", " ").split())
        or words & set(text.casefold().split())
    }
    return hits or deps.facts


async def _hand_over(deps: ToolDeps, args: NoArgs) -> Any:
    await deps.tools.request_handoff(HandoffReason.GUEST_REQUEST)
    return {"handed_over": True}


TOOLS: tuple[LlmTool, ...] = (
    LlmTool(
        "check_availability",
        "Bookable offers (room type, rate plan, price per night and total) for a stay at this "
        "hotel. Never books anything.",
        StayArgs,
        _availability,
    ),
    LlmTool(
        "quote",
        "The exact total and cancellation policy of one offer from check_availability. Never "
        "books anything; prices come only from here.",
        OfferArgs,
        _quote,
    ),
    LlmTool(
        "book_room",
        "Books one offer for the guest you are talking to, at the hotel's own price, once they "
        "have confirmed the offer and given their name. Never books for anyone else.",
        BookArgs,
        _book,
        write="booking",
    ),
    LlmTool(
        "my_bookings",
        "The bookings tied to the guest's own WhatsApp number. Never anyone else's.",
        NoArgs,
        _my_bookings,
    ),
    LlmTool(
        "find_booking",
        "A booking by its reference AND the surname on it (both given by the guest). Never "
        "reveals whether a reference exists when the surname does not match.",
        FindArgs,
        _find,
    ),
    LlmTool(
        "change_booking",
        "Changes the dates or adults of one of the guest's own bookings. Never someone else's.",
        ChangeArgs,
        _change,
        write="booking",
    ),
    LlmTool(
        "cancel_booking",
        "Cancels one of the guest's own bookings (the rate's fee applies) once they confirmed. "
        "Never someone else's.",
        ReferenceArgs,
        _cancel,
        write="cancellation",
    ),
    LlmTool(
        "list_services",
        "The hotel's bookable services and room-service menu with prices. Orders nothing.",
        NoArgs,
        _services,
    ),
    LlmTool(
        "request_service",
        "Creates a request staff will see (towels, housekeeping, taxi, a catalogue service). "
        "Never sets a price.",
        ServiceArgs,
        _request_service,
        write="service",
    ),
    LlmTool(
        "search_knowledge",
        "The hotel's own answers (check-in times, breakfast, parking, ...) about a topic. "
        "Answer questions about the hotel only from these.",
        KnowledgeArgs,
        _knowledge,
    ),
    LlmTool(
        "hand_over",
        "Passes the conversation to the hotel's staff, who will answer the guest here.",
        NoArgs,
        _hand_over,
    ),
)
BY_NAME = {tool.name: tool for tool in TOOLS}
SPECS = tuple(tool.spec() for tool in TOOLS)


@dataclass(frozen=True)
class ToolOutcome:
    name: str
    ok: bool
    #: JSON text for the model (and the grounding check).
    content: str
    #: The PMS object on success (for the templated reply when the model's is not sent).
    value: Any = None


async def run_tool(deps: ToolDeps, call: ToolCall) -> ToolOutcome:
    """Run one tool call; every failure is an outcome the model reads, never an exception."""
    tool = BY_NAME.get(call.name)
    if tool is None:
        return _failed(call.name, "there is no such tool")
    try:
        args = tool.args.model_validate_json(call.arguments or "{}")
    except ValidationError as exc:
        fields = sorted({str(e["loc"][0]) for e in exc.errors() if e["loc"]})
        return _failed(call.name, f"invalid arguments: {', '.join(fields) or 'shape'}")
    if tool.write is not None and tool.write in deps.writes:
        return _failed(call.name, "already done once this turn; ask the guest first")
    try:
        value = await tool.run(deps, args)
    except Forbidden:
        return _failed(call.name, "not available to this guest; offer to hand over to staff")
    except (PmsError, HotelbotError) as exc:
        log.info("engine.llm.tool_failed", tool=call.name, error=type(exc).__name__)
        return _failed(call.name, "that did not work; apologise and offer a human")
    except ValueError:
        return _failed(call.name, "invalid arguments")
    if tool.write is not None:
        deps.writes.add(tool.write)
    payload = _public(value)
    failed = isinstance(payload, dict) and "error" in payload
    return ToolOutcome(call.name, not failed, json.dumps(payload, ensure_ascii=False), value)


def _failed(name: str, message: str) -> ToolOutcome:
    return ToolOutcome(name, False, json.dumps({"error": message}))


def _public(value: Any) -> Any:
    """JSON-ready, without contact details; booking names stay (the guest gave them)."""
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    if isinstance(value, list):
        return [_public(v) for v in value]
    if isinstance(value, dict):
        return {k: _public(v) for k, v in value.items() if k not in _PRIVATE}
    return value
