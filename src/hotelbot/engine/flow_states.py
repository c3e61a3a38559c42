"""What each multi-turn flow remembers between turns: a Pydantic model and a `StrEnum` of stages.

`ConversationState.flow_data` (engine/state.py) holds the active flow's model; it is stored,
encrypted, in `conversations.state` in the JSON shape the flows wrote as plain dicts before
(only the fields that are set, dates as ISO strings, money as a decimal string). `load()` is
tolerant like `ConversationState.from_json`: a field an older version wrote that no longer
validates takes its default, unknown keys are dropped, so a live conversation carries on.
Prices, offers and bookings shown to the guest are never kept here, only what the guest said
and picked (grounding: they are read again from the PMS each turn).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hotelbot.pms.schemas import Occupancy

M = TypeVar("M", bound=BaseModel)


def tolerant_load(cls: type[M], data: Any) -> M:
    """`cls` from stored JSON, never raising: each field that validates on its own is kept,
    the rest take their defaults, unknown keys are dropped (for models whose fields all have
    defaults; a nested model such as `AgreedChange` is kept or dropped whole)."""
    if not isinstance(data, dict):
        return cls()
    try:
        return cls.model_validate(data)
    except ValidationError:
        return cls.model_validate(_valid_fields(cls, data))


class FlowState(BaseModel):
    # A ValidationError's text would quote what the guest typed (a name, an e-mail) into logs.
    model_config = ConfigDict(extra="ignore", validate_assignment=True, hide_input_in_errors=True)

    @classmethod
    def load(cls, data: Any) -> Self:
        """Tolerant load (`tolerant_load`): never raises on old, partial or damaged state."""
        return tolerant_load(cls, data)

    def dump(self) -> dict[str, Any]:
        """JSON-ready, only the fields that are set (the shape older versions stored)."""
        return self.model_dump(mode="json", exclude_none=True)


class NoFlow(FlowState):
    """Between flows (and for single-turn flows): nothing is kept."""


# ---- booking --------------------------------------------------------------------------------


class BookingStage(StrEnum):
    #: Asking for the stay (dates or nights, guests, children's ages) until it is complete.
    COLLECT = "collect"
    #: Offers shown; waiting for the guest to pick one.
    PICK = "pick"
    #: The picked offer quoted; waiting for a yes.
    CONFIRM = "confirm"
    #: Asked for the guest's full name.
    NAME = "name"
    #: Asked for an e-mail address (only when the hotel's PMS needs one).
    EMAIL = "email"
    #: More guests or rooms than the bot may book: staff take the request.
    TOO_MANY = "too_many"


class BookingState(FlowState):
    stage: BookingStage = BookingStage.COLLECT
    check_in: date | None = None
    check_out: date | None = None
    nights: int | None = None
    adults: int | None = None
    children: int | None = None
    child_ages: list[int] | None = None
    rooms: int | None = None
    #: The room the guest would like ("suite"), folded; it sorts the offers.
    room_type: str | None = None
    #: The picked offer as "<room type code>|<rate plan code>".
    offer: str | None = None
    #: The quoted total the guest said yes to: the PMS refuses the booking at another price.
    expected_total: Decimal | None = None
    #: (first name, surname) waiting for the e-mail address. Personal data: never log it.
    guest: tuple[str, str] | None = Field(default=None, repr=False)
    #: An address typed before the name was. Personal data: never log it.
    email: str | None = Field(default=None, repr=False)


# ---- manage (find, change, cancel a booking) ------------------------------------------------


class ManageStage(StrEnum):
    #: Looking for the guest's bookings (the first turn).
    FIND = "find"
    #: Asked for a booking reference and the surname on it.
    ASK_REF = "ask_ref"
    #: Several bookings listed; waiting for a pick.
    CHOOSE = "choose"
    #: The booking shown; waiting for change, cancel or a human.
    ACT = "act"
    #: Asked what to change.
    CHANGE_ASK = "change_ask"
    #: The change quoted; waiting for a yes.
    CHANGE_CONFIRM = "change_confirm"
    #: The cancellation fee shown; waiting for a yes.
    CANCEL_CONFIRM = "cancel_confirm"


class ManageGoal(StrEnum):
    SHOW = "show"
    CHANGE = "change"
    CANCEL = "cancel"


class StayWish(FlowState):
    """The new dates or party the guest asked for, before the booking to change is known."""

    check_in: date | None = None
    check_out: date | None = None
    nights: int | None = None
    adults: int | None = None
    children: int | None = None
    rooms: int | None = None
    child_ages: list[int] | None = None

    def is_empty(self) -> bool:
        return not self.dump()


class AgreedChange(FlowState):
    """A quoted change the guest is asked to confirm, sent as is after the yes."""

    check_in: date
    check_out: date
    occupancy: Occupancy
    #: Not shown again: sent as the price the guest agreed to, so a new price is refused.
    expected_total: Decimal


class ManageState(FlowState):
    stage: ManageStage = ManageStage.FIND
    goal: ManageGoal = ManageGoal.SHOW
    #: The selected booking's reference.
    ref: str | None = None
    #: A reference typed without the surname; the surname is asked for next.
    pending_ref: str | None = None
    #: The surname that proved `ref`, to read the booking again in later turns.
    surname: str | None = Field(default=None, repr=False)
    #: Wrong reference/surname pairs so far.
    tries: int = 0
    wish: StayWish | None = None
    change: AgreedChange | None = None


# ---- service requests -----------------------------------------------------------------------


class ServiceStage(StrEnum):
    #: Which service: asked, or read from the first message.
    PICK = "pick"
    #: Maintenance: asked what is wrong.
    DESCRIBE = "describe"
    #: Taxi or airport transfer: asked when.
    TIME = "time"
    #: A priced or scheduled service offered; waiting for a yes.
    CONFIRM = "confirm"
    #: Room service menu shown; waiting for an item.
    MENU = "menu"
    #: An item picked; asked how many.
    QUANTITY = "quantity"
    #: The order summed up; waiting for order, more or drop.
    ORDER = "order"


class ServiceState(FlowState):
    stage: ServiceStage = ServiceStage.PICK
    #: The service asked for ("taxi", "late_checkout", "room_service", ...).
    kind: str | None = None
    room: str | None = None
    #: What the guest wrote about the request, passed to staff. Personal data: never log it.
    notes: str | None = Field(default=None, repr=False)
    #: When a taxi or transfer is wanted (the hotel's local time).
    at: datetime | None = None
    #: The catalogue service offered (late check-out, transfer).
    code: str | None = None
    #: The menu item whose quantity is asked.
    item: str | None = None
    #: Room service order so far: menu item code → quantity, in the order added.
    order: dict[str, int] = Field(default_factory=dict)


#: The typed state of each multi-turn flow, by flow name (`ConversationState.flow`).
FLOW_STATES: dict[str, type[FlowState]] = {
    "booking": BookingState,
    "manage": ManageState,
    "service": ServiceState,
}


def _valid_fields(cls: type[BaseModel], data: dict[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for name in cls.model_fields:
        if name not in data:
            continue
        try:
            cls.model_validate({name: data[name]})
        except ValidationError:
            continue
        kept[name] = data[name]
    return kept
