"""Sentry, only when a DSN is set, with guest data scrubbed before anything leaves the process.

`before_send` applies the same `scrub()` as the logs to every part of an event that can carry
guest data (request, user, breadcrumbs, extra and contexts) and drops frame local variables
outright: a local holding a parsed envelope repr cannot be scrubbed reliably. Exception messages
are kept only for the `safe_exceptions` the caller names (our own typed errors, whose messages
never carry guest data); any other exception's message (`KeyError('Ana')`, a library echoing its
input) is replaced: its type and stack trace are what a bug report needs.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import sentry_sdk
from sentry_sdk.integrations.logging import LoggingIntegration

from hotelbot.kit.logging import REDACTED, scrub, scrub_text

#: Request headers worth keeping for debugging; everything else (auth, cookies, signatures) goes.
SAFE_HEADERS = frozenset(
    {"content-type", "content-length", "user-agent", "accept", "host", "x-request-id"}
)

Event = dict[str, Any]


def init_sentry(
    dsn: str,
    environment: str,
    *,
    release: str | None = None,
    safe_exceptions: tuple[type[BaseException], ...] = (),
    **options: Any,
) -> bool:
    """Start the Sentry SDK when `dsn` is non-empty; return whether it was started.

    `safe_exceptions`: exception types whose messages may be sent (see the module docstring).
    `options` go to `sentry_sdk.init` as they are (tests pass a `transport` that records).
    """
    if not dsn:
        return False
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        # `send_default_pii=False`, spelled the way this SDK version wants it (the flag itself
        # is deprecated): no user info, bodies, frame locals, SQL parameters or queue payloads.
        data_collection={
            "user_info": False,
            "http_bodies": [],
            "stack_frame_variables": False,
            "database_query_data": False,
            "queues": False,
        },
        max_request_body_size="never",
        before_send=partial(before_send, safe_exceptions=safe_exceptions),  # type: ignore[arg-type]
        before_breadcrumb=before_breadcrumb,
        # Log records stay breadcrumbs; error events are sent by kit.logging's
        # `send_errors_to_sentry`, with the exception object (structlog renders it early).
        integrations=[LoggingIntegration(event_level=None)],
        **options,
    )
    return True


def _scrub_request(request: dict[str, Any]) -> dict[str, Any]:
    headers = request.get("headers") or {}
    kept = {k: scrub_text(str(v)) for k, v in headers.items() if k.lower() in SAFE_HEADERS}
    cleaned: dict[str, Any] = {
        "method": request.get("method"),
        "url": scrub_text(str(request.get("url", ""))),
        "headers": kept,
    }
    if request.get("data") is not None:
        cleaned["data"] = REDACTED
    return cleaned


def _safe_types(hint: Any, safe_exceptions: tuple[type[BaseException], ...]) -> set[str]:
    """`module.Type` of the exceptions in the hint's chain whose messages may be sent."""
    exc_info = hint.get("exc_info") if isinstance(hint, dict) else None
    error = exc_info[1] if exc_info else None
    safe: set[str] = set()
    seen: set[int] = set()
    while isinstance(error, BaseException) and id(error) not in seen:
        seen.add(id(error))
        if safe_exceptions and isinstance(error, safe_exceptions):
            safe.add(f"{type(error).__module__}.{type(error).__name__}")
        error = error.__cause__ or error.__context__
    return safe


def _scrub_exception(exception: dict[str, Any], safe_types: set[str]) -> dict[str, Any]:
    values = []
    for value in exception.get("values") or []:
        value = {**value}
        if isinstance(value.get("value"), str):
            qualified = f"{value.get('module')}.{value.get('type')}"
            value["value"] = scrub_text(value["value"]) if qualified in safe_types else REDACTED
        trace = value.get("stacktrace")
        if isinstance(trace, dict):
            frames = [
                {k: v for k, v in frame.items() if k != "vars"}
                for frame in trace.get("frames") or []
            ]
            value["stacktrace"] = {**trace, "frames": frames}
        values.append(value)
    return {**exception, "values": values}


def before_breadcrumb(crumb: dict[str, Any], _hint: Any = None) -> dict[str, Any]:
    crumb = {**crumb}
    if isinstance(crumb.get("message"), str):
        crumb["message"] = scrub_text(crumb["message"])
    if "data" in crumb:
        crumb["data"] = scrub(crumb["data"])
    return crumb


def before_send(
    event: Event, hint: Any = None, *, safe_exceptions: tuple[type[BaseException], ...] = ()
) -> Event:
    """Return a copy of `event` with no phone number, name, e-mail or message text left in it."""
    safe_types = _safe_types(hint, safe_exceptions)
    event = {**event}
    event.pop("user", None)
    event.pop("server_name", None)  # hostnames are not guest data, but they are not needed
    if isinstance(event.get("request"), dict):
        event["request"] = _scrub_request(event["request"])
    for key in ("exception", "threads"):  # same shape: values[].value / stacktrace.frames
        if isinstance(event.get(key), dict):
            event[key] = _scrub_exception(event[key], safe_types)
    crumbs = event.get("breadcrumbs")
    if isinstance(crumbs, dict):
        event["breadcrumbs"] = {
            **crumbs,
            "values": [before_breadcrumb(c) for c in crumbs.get("values") or []],
        }
    elif isinstance(crumbs, list):
        event["breadcrumbs"] = [before_breadcrumb(c) for c in crumbs]
    for key in ("extra", "contexts", "tags", "logentry", "message"):
        if key in event:
            event[key] = scrub(event[key])
    return event
