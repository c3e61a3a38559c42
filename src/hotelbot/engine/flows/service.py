"""Service requests during a stay: housekeeping, towels, maintenance, late check-out, airport
transfer, taxi and room service, each ending in a PMS service request staff see.

Prices (late check-out, transfer, menu items) are shown from `list_services()` called in the
same turn, and the confirmation from the created `ServiceRequest` (its id, status, total).
What costs money is confirmed first; housekeeping, towels and repairs are simply requested.
Service and menu names are shown in the guest's language where the PMS has it.

Stages (`ServiceStage`, kept in `ServiceState`): pick → describe (maintenance) | time (taxi,
transfer) → confirm; menu → quantity → order (room service).
"""

from __future__ import annotations

import uuid
from datetime import datetime

import structlog

from hotelbot.engine.context import TurnContext
from hotelbot.engine.decision import Decision, Option, Options, Say, Speech
from hotelbot.engine.flow_states import ServiceStage, ServiceState
from hotelbot.engine.flows.answers import (
    NO,
    YES,
    Answer,
    day,
    money,
    read,
    room_number,
    short_ref,
    when,
)
from hotelbot.engine.state import ConversationState
from hotelbot.engine.tools import idempotency_key
from hotelbot.engine.understand import Understanding, vocab
from hotelbot.errors import Forbidden
from hotelbot.pms.errors import PmsError
from hotelbot.pms.schemas import (
    MenuItem,
    OrderLine,
    Service,
    ServiceCatalogue,
    ServiceCategory,
    ServiceRequest,
    ServiceRequestCreate,
    ServiceRequestKind,
    ServiceRequestStatus,
    in_language,
)

log = structlog.get_logger(__name__)

NAME = "service"
KINDS = (
    "housekeeping", "towels", "maintenance", "late_checkout", "airport_transfer", "taxi",
    "room_service",
)  # fmt: skip
_DIRECT = {
    "housekeeping": ServiceRequestKind.HOUSEKEEPING,
    "towels": ServiceRequestKind.TOWELS,
    "maintenance": ServiceRequestKind.MAINTENANCE,
    "extra_bed": ServiceRequestKind.OTHER,
}
_CATALOGUE = {
    "late_checkout": ServiceCategory.LATE_CHECKOUT,
    "airport_transfer": ServiceCategory.AIRPORT_TRANSFER,
}
#: A maintenance message this long already says what is wrong ("the shower is broken").
_DESCRIBED_WORDS = 4
MAX_MENU_ROWS = 10


async def step(
    ctx: TurnContext, state: ConversationState, understanding: Understanding
) -> Decision:
    answer = read(ctx, understanding)
    lang = understanding.language
    key = idempotency_key("service", getattr(understanding, "message_id", "") or str(uuid.uuid4()))
    if state.flow != NAME:
        state.start_flow(NAME)
    try:
        return await _run(ctx, state, answer, lang, key)
    except (PmsError, Forbidden) as exc:
        log.warning("engine.service.pms_error", code=getattr(exc, "code", "forbidden"))
        state.end_flow()
        offer = Options(
            Say("service.pms_down"), (Option("menu:human", Say("menu.human")),), "service.button"
        )
        return Decision(NAME, lang, [offer])


async def _run(
    ctx: TurnContext, state: ConversationState, answer: Answer, lang: str, key: str
) -> Decision:
    match state.flow_state(ServiceState).stage:
        case ServiceStage.DESCRIBE:
            return await _create_direct(ctx, state, "maintenance", answer, lang, key)
        case ServiceStage.TIME:
            return await _timed(ctx, state, answer, lang)
        case ServiceStage.CONFIRM:
            return await _confirm(ctx, state, answer, lang, key)
        case ServiceStage.MENU:
            return await _menu_pick(ctx, state, answer, lang)
        case ServiceStage.QUANTITY:
            return await _quantity(ctx, state, answer, lang)
        case ServiceStage.ORDER:
            return await _order(ctx, state, answer, lang, key)
    return await _pick(ctx, state, answer, lang, key)


async def _pick(
    ctx: TurnContext, state: ConversationState, answer: Answer, lang: str, key: str
) -> Decision:
    kind = answer.picked("service:kind") or answer.service
    service = state.flow_state(ServiceState)
    service.kind = kind
    service.room = room_number(answer.text)
    service.notes = answer.text
    if kind in _DIRECT:
        words = len(answer.text.split())
        if kind == "maintenance" and words < _DESCRIBED_WORDS:
            service.stage = ServiceStage.DESCRIBE
            return Decision(NAME, lang, [Say("service.ask_problem")])
        return await _create_direct(ctx, state, kind, answer, lang, key, first=True)
    if kind in ("taxi", "airport_transfer"):
        return await _timed(ctx, state, answer, lang)
    if kind == "late_checkout":
        return await _offer(ctx, state, lang, at=None)
    if kind == "room_service":
        return await _show_menu(ctx, state, lang)
    return Decision(NAME, lang, [_kinds()])


def _kinds() -> Options:
    return Options(
        Say("service.pick"),
        tuple(Option(f"service:kind:{k}", Say(f"service.kind_{k}")) for k in KINDS),
        "service.button",
    )


# ---- housekeeping, towels, maintenance ------------------------------------------------------


async def _create_direct(
    ctx: TurnContext,
    state: ConversationState,
    kind: str,
    answer: Answer,
    lang: str,
    key: str,
    *,
    first: bool = False,
) -> Decision:
    service = state.flow_state(ServiceState)
    room = service.room or room_number(answer.text)
    notes = answer.text if first else " / ".join(t for t in (service.notes, answer.text) if t)
    request = ServiceRequestCreate(
        kind=_DIRECT[kind],
        room_number=room,
        notes=(notes or kind)[:1000],
    )
    created = await ctx.tools.request_service(request, idempotency_key=key)
    state.end_flow()
    return Decision(NAME, lang, [_created(created, lang)])


def _created(created: ServiceRequest, lang: str) -> Say:
    params = {"reference": short_ref(created.id)}
    key = (
        "service.created"
        if created.status is ServiceRequestStatus.OPEN
        else "service.created_in_progress"
    )
    if created.total is not None and created.total > 0:
        params["total"] = money(created.total, created.currency, lang)
        key += "_priced"
    return Say(key, params)


# ---- taxi and airport transfer: a time first -------------------------------------------------


async def _timed(ctx: TurnContext, state: ConversationState, answer: Answer, lang: str) -> Decision:
    service = state.flow_state(ServiceState)
    at = when(answer.text, slots=answer.slots, now=ctx.local_now())
    if service.stage is ServiceStage.TIME and answer.text:
        service.notes = " / ".join(t for t in (service.notes, answer.text) if t)
    if at is None:
        service.stage = ServiceStage.TIME
        return Decision(NAME, lang, [Say(f"service.ask_time_{service.kind}")])
    if service.kind == "airport_transfer":
        return await _offer(ctx, state, lang, at=at)
    service.stage, service.at = ServiceStage.CONFIRM, at
    body = Say("service.taxi_offer", {"day": day(at.date(), lang), "time": f"{at:%H:%M}"})
    return Decision(NAME, lang, [_yes_no(body)])


def _yes_no(body: Say) -> Options:
    return Options(
        body,
        (
            Option(f"service:confirm:{YES}", Say("service.option_yes")),
            Option(f"service:confirm:{NO}", Say("service.option_no")),
        ),
        "service.button",
    )


# ---- priced catalogue services: late check-out, transfer -----------------------------------


def _catalogue_service(catalogue: ServiceCatalogue, kind: str) -> Service | None:
    category = _CATALOGUE[kind]
    return next((s for s in catalogue.services if s.category is category), None)


async def _offer(
    ctx: TurnContext, state: ConversationState, lang: str, *, at: datetime | None
) -> Decision:
    service = state.flow_state(ServiceState)
    offered = _catalogue_service(await ctx.tools.list_services(), str(service.kind))
    service.stage, service.at = ServiceStage.CONFIRM, at
    service.code = offered.code if offered else None
    params = {"price": money(offered.price, offered.currency, lang)} if offered else {}
    if offered is not None:
        params["name"] = in_language(offered.name, offered.names, lang)
    if at is not None:
        params.update(day=day(at.date(), lang), time=f"{at:%H:%M}")
    suffix = "offer" if offered else "no_price"
    return Decision(NAME, lang, [_yes_no(Say(f"service.{service.kind}_{suffix}", params))])


async def _confirm(
    ctx: TurnContext, state: ConversationState, answer: Answer, lang: str, key: str
) -> Decision:
    service = state.flow_state(ServiceState)
    if not answer.yes:
        state.end_flow()
        return Decision(NAME, lang, [Say("service.not_requested")])
    kind = str(service.kind)
    at = service.at
    code = service.code
    request = ServiceRequestCreate(
        kind=(
            ServiceRequestKind.TAXI
            if kind == "taxi"
            else ServiceRequestKind.SERVICE
            if code
            else ServiceRequestKind.OTHER
        ),
        service_code=code if kind != "taxi" else None,
        room_number=service.room,
        scheduled_for=at,
        notes=str(service.notes or kind)[:1000],
    )
    created = await ctx.tools.request_service(request, idempotency_key=key)
    state.end_flow()
    return Decision(NAME, lang, [_created(created, lang)])


# ---- room service --------------------------------------------------------------------------


async def _show_menu(ctx: TurnContext, state: ConversationState, lang: str) -> Decision:
    catalogue = await ctx.tools.list_services()
    items = catalogue.room_service_menu[:MAX_MENU_ROWS]
    if not items:
        state.end_flow()
        return Decision(NAME, lang, [Say("service.menu_empty")])
    state.flow_state(ServiceState).stage = ServiceStage.MENU
    rows = tuple(
        Option(
            f"service:item:{item.code}",
            Say("service.menu_row_title", {"name": in_language(item.name, item.names, lang)}),
            Say("service.menu_row_description", {"price": money(item.price, item.currency, lang)}),
        )
        for item in items
    )
    return Decision(NAME, lang, [Options(Say("service.menu"), rows, "service.menu_button")])


async def _menu_pick(
    ctx: TurnContext, state: ConversationState, answer: Answer, lang: str
) -> Decision:
    catalogue = await ctx.tools.list_services()
    code = answer.picked("service:item")
    if code is None:
        typed = vocab.fold(answer.text)
        code = next((m.code for m in catalogue.room_service_menu if _named(m, typed)), None)
    item = next((m for m in catalogue.room_service_menu if m.code == code), None)
    if item is None:
        return await _show_menu(ctx, state, lang)
    service = state.flow_state(ServiceState)
    service.stage, service.item = ServiceStage.QUANTITY, item.code
    quantity = _quantity_of(answer, lang)
    if quantity is not None and not answer.choice:
        return await _add(ctx, state, item.code, quantity, lang, catalogue)
    options = tuple(
        Option(f"service:qty:{n}", Say("service.quantity", {"n": str(n)})) for n in (1, 2, 3)
    )
    ask = Say("service.ask_quantity", {"name": in_language(item.name, item.names, lang)})
    return Decision(NAME, lang, [Options(ask, options, "service.button")])


def _named(item: MenuItem, typed: str) -> bool:
    """Whether the guest typed the item's name, the hotel's or one of its translations."""
    return any(vocab.fold(n) in typed for n in (item.name, *(t.text for t in item.names)))


def _quantity_of(answer: Answer, lang: str) -> int | None:
    picked = answer.picked("service:qty")
    if picked is not None and picked.isdigit():
        return int(picked)
    for word in vocab.fold(answer.text).split():
        number = vocab.to_int(word.strip(".,x"), lang)
        if number is not None and 1 <= number <= 50:
            return number
    return None


async def _quantity(
    ctx: TurnContext, state: ConversationState, answer: Answer, lang: str
) -> Decision:
    quantity = _quantity_of(answer, lang)
    if quantity is None:
        return Decision(NAME, lang, [Say("service.ask_quantity_again")])
    catalogue = await ctx.tools.list_services()
    return await _add(
        ctx, state, str(state.flow_state(ServiceState).item), quantity, lang, catalogue
    )


async def _add(
    ctx: TurnContext,
    state: ConversationState,
    code: str,
    quantity: int,
    lang: str,
    catalogue: ServiceCatalogue,
) -> Decision:
    service = state.flow_state(ServiceState)
    order = dict(service.order)
    order[code] = order.get(code, 0) + quantity
    service.stage, service.order = ServiceStage.ORDER, order
    return Decision(NAME, lang, [_summary(order, catalogue, lang)])


def _summary(order: dict[str, int], catalogue: ServiceCatalogue, lang: str) -> Speech:
    """The order priced from this turn's catalogue (the PMS prices the request itself)."""
    menu = {m.code: m for m in catalogue.room_service_menu}
    lines = [(menu[c], int(q)) for c, q in order.items() if c in menu]
    total = sum((m.price * q for m, q in lines), start=lines[0][0].price * 0)
    currency = lines[0][0].currency
    params = {
        "lines": "\n".join(
            f"{q} x {in_language(m.name, m.names, lang)} — {money(m.price * q, currency, lang)}"
            for m, q in lines
        ),
        "total": money(total, currency, lang),
    }
    return Options(
        Say("service.order_summary", params),
        (
            Option(f"service:order:{YES}", Say("service.option_order")),
            Option("service:order:more", Say("service.option_more")),
            Option(f"service:order:{NO}", Say("service.option_drop")),
        ),
        "service.button",
    )


async def _order(
    ctx: TurnContext, state: ConversationState, answer: Answer, lang: str, key: str
) -> Decision:
    if answer.choice == "service:order:more" or answer.picked("service:item"):
        if answer.picked("service:item"):
            return await _menu_pick(ctx, state, answer, lang)
        return await _show_menu(ctx, state, lang)
    if not answer.yes:
        state.end_flow()
        return Decision(NAME, lang, [Say("service.not_requested")])
    service = state.flow_state(ServiceState)
    order = service.order
    request = ServiceRequestCreate(
        kind=ServiceRequestKind.ROOM_SERVICE,
        room_number=service.room,
        items=[OrderLine(code=c, quantity=int(q)) for c, q in order.items()],
    )
    created = await ctx.tools.request_service(request, idempotency_key=key)
    state.end_flow()
    return Decision(NAME, lang, [_created(created, lang)])
