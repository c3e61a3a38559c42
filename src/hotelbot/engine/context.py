"""Everything a turn may know besides the conversation state: property, guest, clock, tools.

Built per turn by `build_turn_context()` (the only part that reads the database) and handed
to `handle_turn()`, which stays free of I/O. The guest's display name is kept out of `repr`
so it cannot leak into a log line or a traceback.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from hotelbot.engine.state import ConversationState
from hotelbot.engine.tools import ConversationTools, Tools
from hotelbot.engine.understand.faq import FaqMatcher, default_faq_matcher, faq_matcher_for
from hotelbot.engine.understand.phone_language import language_for_number
from hotelbot.errors import NotFound
from hotelbot.models import Conversation, Guest, Property
from hotelbot.pms.client import PmsClient

if TYPE_CHECKING:
    from hotelbot.engine.llm.provider import LlmProvider
    from hotelbot.engine.llm.session import LlmSession
    from hotelbot.settings import Settings

Clock = Callable[[], datetime]


class TurnClients(Protocol):
    """The long-lived clients a turn uses; the process's `Resources` is one.

    Narrow on purpose: the engine sits below the process assembly (`resources.py`) and the
    channel, so it names only what it calls.
    """

    @property
    def pms(self) -> PmsClient: ...

    @property
    def llm(self) -> LlmProvider | None:
        """The model provider (`engine/llm/`), None when no provider is configured."""
        ...

    @property
    def settings(self) -> Settings: ...


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class PropertyFacts:
    id: uuid.UUID
    name: str
    timezone: str
    languages: tuple[str, ...]
    default_language: str
    #: Hotel facts; see `hotelbot.property.demo` for the shape.
    profile: Mapping[str, Any]


@dataclass(frozen=True)
class GuestFacts:
    id: uuid.UUID
    #: Language stored on the guest row (last one they used), if any.
    language: str | None = None
    #: The language their number's country code suggests (never the number itself): a prior
    #: for a new guest's first, too-short-to-tell message.
    likely_language: str | None = None
    #: WhatsApp profile name. Personal data: never log it.
    display_name: str | None = field(default=None, repr=False)
    opted_out: bool = False


@dataclass(frozen=True)
class TurnContext:
    property: PropertyFacts
    guest: GuestFacts
    #: The turn's time (aware, UTC); injected so tests never depend on the wall clock.
    now: datetime
    tools: Tools
    faq_matcher: FaqMatcher = field(default_factory=default_faq_matcher)
    #: The model this turn may use (`engine/llm/`); None = the offline engine alone.
    llm: LlmSession | None = None
    #: A transcript less sure than this is read back before a booking, change or cancellation.
    voice_confirm_below: float = 0.6
    #: Seconds understanding may take (settings.engine.turn_budget_seconds).
    turn_budget_seconds: float = 5.0

    # A method, not a @property: the `property` field above shadows the builtin in this body.
    def local_now(self) -> datetime:
        """`now` in the property's timezone ("today" for a guest means the hotel's today)."""
        return self.now.astimezone(ZoneInfo(self.property.timezone))


def property_facts(row: Property) -> PropertyFacts:
    languages = tuple(row.languages or ()) or (row.default_language,)
    return PropertyFacts(
        id=row.id,
        name=row.name,
        timezone=row.timezone,
        languages=languages,
        default_language=row.default_language,
        profile=row.profile or {},
    )


def guest_facts(row: Guest) -> GuestFacts:
    """What the engine may know of the guest; their number only as the language it suggests."""
    return GuestFacts(
        id=row.id,
        language=row.language,
        likely_language=language_for_number(row.phone),
        display_name=row.name,
        opted_out=row.opted_out,
    )


async def build_turn_context(
    session: AsyncSession,
    clients: TurnClients,
    conversation: Conversation,
    *,
    clock: Clock = utc_now,
    voice_confirm_below: float = 0.6,
    turn_budget_seconds: float = 5.0,
) -> TurnContext:
    """Load the conversation's property and guest; bind the real tools to this session.

    The tools get the PMS client, the property's PMS id and the guest's own number (decrypted
    here, held only by the tools, never logged), so every PMS call acts for this guest only.
    """
    prop = await session.get(Property, conversation.property_id)
    guest = await session.get(Guest, conversation.guest_id)
    if prop is None or guest is None:
        raise NotFound("conversation's property or guest not found")
    tools = ConversationTools(
        session,
        conversation,
        pms=clients.pms,
        pms_property=pms_property_of(prop),
        guest_phone=guest.phone,
        verified=ConversationState.from_json(conversation.state).verified_refs,
    )
    return TurnContext(
        property=property_facts(prop),
        guest=guest_facts(guest),
        now=clock(),
        tools=tools,
        # Cues first, embeddings for paraphrases; built once per property's FAQ, then cached.
        faq_matcher=faq_matcher_for(prop.profile or {}),
        llm=await _llm_session(session, clients, conversation, prop),
        voice_confirm_below=voice_confirm_below,
        turn_budget_seconds=turn_budget_seconds,
    )


async def _llm_session(
    session: AsyncSession, clients: TurnClients, conversation: Conversation, prop: Property
) -> LlmSession | None:
    if clients.llm is None:
        return None
    from hotelbot.engine.llm.binding import llm_session_for

    return await llm_session_for(session, clients.llm, clients.settings.llm, conversation, prop)


def pms_property_of(row: Property) -> str:
    """The property's id or slug in the PMS: `pms["property"]` (or `pms["property_id"]`, as the
    demo writes it), else the chatbot's own id.

    The demo hotel shares its id with the built-in PMS's demo hotel, so the fallback works.
    """
    settings = row.pms or {}
    configured = settings.get("property") or settings.get("property_id")
    return str(configured) if configured else str(row.id)
