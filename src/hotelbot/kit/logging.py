"""Structured logging: structlog + stdlib through one chain, a correlation id, PII scrubbing.

`configure_logging()` is called once by the CLI. Every line is one JSON object on stdout with an
ISO timestamp, the level, the logger name and the current `correlation_id`. Fields named like
guest data (phone, wa_id, name, text, body, ...) are redacted and phone numbers or e-mail
addresses inside any string are masked — for our own events and for uvicorn, SQLAlchemy and
httpx records alike. `scrub()` is the same function Sentry's `before_send` uses. Error events
also go to Sentry, once it is initialised, with their exception and stack when they carry one.
"""

from __future__ import annotations

import logging
import re
import sys
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import IO, Any, Literal

import structlog
from structlog.types import EventDict, Processor, WrappedLogger

REDACTED = "[redacted]"

#: The id that ties together every log line of one webhook delivery, its jobs and Graph calls.
correlation_id: ContextVar[str | None] = ContextVar("hotelbot_correlation_id", default=None)

# Exact field names that carry guest data; substrings catch `guest_phone`, `contact_email`, ...
_SENSITIVE_KEYS = frozenset(
    {"from", "to", "name", "text", "body", "message", "payload", "caption", "content"}
)
_SENSITIVE_PARTS = (
    "phone",
    "wa_id",
    "email",
    "profile_name",
    "msisdn",
    "first_name",
    "last_name",
    "full_name",
    "address",
)
# Never rewrite the fields our own pipeline adds.
_STRUCTURAL_KEYS = frozenset(
    {"event", "level", "logger", "timestamp", "correlation_id", "exception"}
)

# 7+ digits with at most two separators between them, not glued to a word, hex id or number.
_PHONE = re.compile(r"(?<![\w.+-])\+?\(?\d(?:[\s().\-/]{0,2}\d){6,}(?![\w-])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Digit runs that look like phones but are not guest data: dates, times, IP addresses.
_NOT_A_PHONE = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?|\d{1,3}(?:\.\d{1,3}){3}"
)
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def is_sensitive_key(key: str) -> bool:
    lowered = key.lower()
    if lowered in _STRUCTURAL_KEYS:
        return False
    return lowered in _SENSITIVE_KEYS or any(part in lowered for part in _SENSITIVE_PARTS)


def _mask_phone(match: re.Match[str]) -> str:
    text = match.group(0)
    return text if _NOT_A_PHONE.fullmatch(text) else "[phone]"


def scrub_text(text: str) -> str:
    """Mask e-mail addresses and phone-like digit runs in free text."""
    return _PHONE.sub(_mask_phone, _EMAIL.sub("[email]", text))


def scrub(value: Any) -> Any:
    """Return `value` with guest data removed: sensitive keys redacted, strings masked.

    Works on nested dicts, lists and tuples; other objects pass unchanged.
    """
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, Mapping):
        return {
            key: REDACTED if isinstance(key, str) and is_sensitive_key(key) else scrub(item)
            for key, item in value.items()
        }
    if type(value) in (list, tuple):
        return type(value)(scrub(item) for item in value)
    return value


def scrub_processor(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
    """structlog processor form of `scrub()`."""
    scrubbed: EventDict = scrub(event_dict)
    return scrubbed


def add_correlation_id(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
    current = correlation_id.get()
    if current is not None:
        event_dict.setdefault("correlation_id", current)
    return event_dict


def new_correlation_id() -> str:
    return uuid.uuid4().hex


def current_correlation_id() -> str | None:
    return correlation_id.get()


@contextmanager
def bind_correlation_id(value: str | None = None) -> Iterator[str]:
    """Make `value` (or a fresh id) the correlation id for the code inside the block."""
    bound = value or new_correlation_id()
    token = correlation_id.set(bound)
    try:
        yield bound
    finally:
        correlation_id.reset(token)


def _exception_of(exc_info: Any) -> BaseException | None:
    if isinstance(exc_info, BaseException):
        return exc_info
    if isinstance(exc_info, tuple) and len(exc_info) == 3:
        return exc_info[1] if isinstance(exc_info[1], BaseException) else None
    if exc_info:
        return sys.exc_info()[1]
    return None


def send_errors_to_sentry(_logger: WrappedLogger, method: str, event_dict: EventDict) -> EventDict:
    """`log.error(...)` / `log.exception(...)` become Sentry events (a no-op without a DSN).

    Runs before the traceback is rendered into the line, so Sentry gets the exception object
    and its frames; `kit/sentry.py`'s `before_send` scrubs the event.
    """
    if method not in ("error", "exception", "critical"):
        return event_dict
    import sentry_sdk

    if not sentry_sdk.get_client().is_active():
        return event_dict
    error = _exception_of(event_dict.get("exc_info"))
    with sentry_sdk.new_scope() as scope:
        scope.set_tag("log_event", str(event_dict.get("event")))
        if error is not None:
            scope.capture_exception(error)
        else:
            scope.capture_message(str(event_dict.get("event")), level="error")
    return event_dict


def _shared_processors() -> list[Processor]:
    # Scrub before the timestamp so the ISO date is never mistaken for a phone number.
    return [
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        add_correlation_id,
        structlog.processors.format_exc_info,
        scrub_processor,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]


def configure_logging(
    level: str = "INFO",
    fmt: Literal["json", "console"] | str = "json",
    *,
    stream: IO[str] | None = None,
) -> None:
    """Route structlog and stdlib logging through one scrubbing chain to `stream` (stdout).

    Safe to call again (tests do): the root handler is replaced, not added.
    """
    renderer: Processor = (
        structlog.dev.ConsoleRenderer(colors=False)
        if fmt == "console"
        else structlog.processors.JSONRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            send_errors_to_sentry,
            *_shared_processors(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_shared_processors(),
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "sqlalchemy", "httpx"):
        # Their own handlers would bypass the scrubbing chain; let records reach the root.
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    # httpx logs every request URL at INFO; Graph URLs carry no guest data but are noisy.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, root.level))


def _header(scope: Mapping[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            decoded: str = value.decode("latin-1")
            return decoded
    return None


def accepted_request_id(incoming: str | None) -> str | None:
    """The caller's request id if it is a plain token, else None (we then make our own).

    A caller-chosen id ends up in every log line, so nothing else is accepted.
    """
    return incoming if incoming and _REQUEST_ID.fullmatch(incoming) else None


class CorrelationIdMiddleware:
    """Pure ASGI: take a well-formed `X-Request-ID` or make one, bind it, echo it back."""

    def __init__(self, app: Any, header: str = "x-request-id") -> None:
        self.app = app
        self.header = header.lower().encode()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with bind_correlation_id(accepted_request_id(_header(scope, self.header))) as bound:

            async def send_with_id(message: dict[str, Any]) -> None:
                if message["type"] == "http.response.start":
                    headers = [h for h in message.get("headers", []) if h[0].lower() != self.header]
                    headers.append((self.header, bound.encode("latin-1")))
                    message = {**message, "headers": headers}
                await send(message)

            await self.app(scope, receive, send_with_id)
