"""Sentry, only when a DSN is set, with guest data scrubbed before anything leaves the process.

`before_send` applies the same `scrub()` as the logs to every part of an event that can carry
guest data (request, user, breadcrumbs, exception values, extra and contexts) and drops frame
local variables outright: a local holding a parsed envelope repr cannot be scrubbed reliably.
"""

from __future__ import annotations

from typing import Any

import sentry_sdk

from hotelbot.kit.logging import REDACTED, scrub, scrub_text

#: Request headers worth keeping for debugging; everything else (auth, cookies, signatures) goes.
SAFE_HEADERS = frozenset(
    {"content-type", "content-length", "user-agent", "accept", "host", "x-request-id"}
)

Event = dict[str, Any]


def init_sentry(dsn: str, environment: str, *, release: str | None = None, **options: Any) -> bool:
    """Start the Sentry SDK when `dsn` is non-empty; return whether it was started.

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
        before_send=before_send,  # type: ignore[arg-type]
        before_breadcrumb=before_breadcrumb,
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


def _scrub_exception(exception: dict[str, Any]) -> dict[str, Any]:
    values = []
    for value in exception.get("values") or []:
        value = {**value}
        if isinstance(value.get("value"), str):
            value["value"] = scrub_text(value["value"])
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


def before_send(event: Event, _hint: Any = None) -> Event:
    """Return a copy of `event` with no phone number, name, e-mail or message text left in it."""
    event = {**event}
    event.pop("user", None)
    event.pop("server_name", None)  # hostnames are not guest data, but they are not needed
    if isinstance(event.get("request"), dict):
        event["request"] = _scrub_request(event["request"])
    for key in ("exception", "threads"):  # same shape: values[].value / stacktrace.frames
        if isinstance(event.get(key), dict):
            event[key] = _scrub_exception(event[key])
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
