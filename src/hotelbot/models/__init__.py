"""Every chatbot table, on one MetaData (`kit.db.Base`), so Alembic sees one graph."""

from hotelbot.models.audit import AuditEntry
from hotelbot.models.conversation import Conversation, ConversationMode
from hotelbot.models.guest import Guest
from hotelbot.models.llm_usage import LlmUsage
from hotelbot.models.message import Direction, Message, MessageStatus, MessageType
from hotelbot.models.prompt_template import PromptTemplate
from hotelbot.models.property import Property

__all__ = [
    "AuditEntry",
    "Conversation",
    "ConversationMode",
    "Direction",
    "Guest",
    "LlmUsage",
    "Message",
    "MessageStatus",
    "MessageType",
    "PromptTemplate",
    "Property",
]
