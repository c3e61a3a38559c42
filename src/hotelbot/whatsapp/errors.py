"""Graph API errors: one table from Graph error code to a typed error the caller acts on.

    GraphApiError(ExternalServiceError)   graph_code, subcode, fbtrace_id, http_status, retryable
    ├── Throttled            retryable   4, 80007, 130429, 131048, 131056, HTTP 429
    ├── ServiceUnavailable   retryable   1, 2, 131000, 131016, HTTP 5xx, network errors, timeouts
    ├── OutsideWindow                    131047: free-form message >24 h after the guest last wrote
    ├── Undeliverable                    131026: not a WhatsApp user, old app, blocked us, ...
    ├── MediaError                       131052, 131053
    ├── InvalidParameter                 100, 131008, 131009
    ├── TemplateError                    132000-132016 (template missing, paused, bad params)
    ├── TokenExpired                     190
    ├── AccessDenied                     0, 3, 10, 104, 200
    └── AccountRestricted                368, 131031

`code` stays the base tree's string slug (`graph_throttled`, ...); the Graph number is
`graph_code`. Messages never carry Meta's `message` or `error_data.details`, which can echo the
guest's phone number: only the error's title (or type) and code.
Reference: https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes
"""

from __future__ import annotations

from typing import Any

from hotelbot.errors import ExternalServiceError


class GraphApiError(ExternalServiceError):
    code = "graph_api"

    def __init__(
        self,
        message: str = "",
        *,
        graph_code: int | None = None,
        subcode: int | None = None,
        fbtrace_id: str | None = None,
        http_status: int | None = None,
        retryable: bool | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, retryable=retryable)
        self.graph_code = graph_code
        self.subcode = subcode
        self.fbtrace_id = fbtrace_id
        self.http_status = http_status
        #: Seconds Meta asked us to wait (`Retry-After`), when it said so.
        self.retry_after = retry_after


class Throttled(GraphApiError):
    code = "graph_throttled"
    retryable = True


class ServiceUnavailable(GraphApiError):
    code = "graph_unavailable"
    retryable = True


class OutsideWindow(GraphApiError):
    """Free-form messages need the guest to have written in the last 24 h; send a template."""

    code = "graph_outside_window"


class Undeliverable(GraphApiError):
    code = "graph_undeliverable"


class MediaError(GraphApiError):
    code = "graph_media"


class MediaTooLarge(MediaError):
    """Raised by `GraphClient.download_media` itself, before or instead of a large download."""

    code = "graph_media_too_large"


class InvalidParameter(GraphApiError):
    code = "graph_invalid_parameter"


class TemplateError(GraphApiError):
    code = "graph_template"


class TokenExpired(GraphApiError):
    code = "graph_token_expired"


class AccessDenied(GraphApiError):
    code = "graph_access_denied"


class AccountRestricted(GraphApiError):
    code = "graph_account_restricted"


ERRORS_BY_CODE: dict[int, type[GraphApiError]] = {
    4: Throttled,
    80007: Throttled,
    130429: Throttled,
    131048: Throttled,
    131056: Throttled,
    1: ServiceUnavailable,
    2: ServiceUnavailable,
    131000: ServiceUnavailable,
    131016: ServiceUnavailable,
    131047: OutsideWindow,
    131026: Undeliverable,
    131052: MediaError,
    131053: MediaError,
    100: InvalidParameter,
    131008: InvalidParameter,
    131009: InvalidParameter,
    132000: TemplateError,
    132001: TemplateError,
    132005: TemplateError,
    132007: TemplateError,
    132008: TemplateError,
    132012: TemplateError,
    132015: TemplateError,
    132016: TemplateError,
    190: TokenExpired,
    0: AccessDenied,
    3: AccessDenied,
    10: AccessDenied,
    104: AccessDenied,
    200: AccessDenied,
    368: AccountRestricted,
    131031: AccountRestricted,
}


def _class_for(graph_code: int | None, http_status: int | None) -> type[GraphApiError]:
    if graph_code is not None and graph_code in ERRORS_BY_CODE:
        return ERRORS_BY_CODE[graph_code]
    if http_status == 429:
        return Throttled
    if http_status is not None and http_status >= 500:
        return ServiceUnavailable
    return GraphApiError


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def error_from_response(
    http_status: int | None, body: Any, *, retry_after: float | None = None
) -> GraphApiError:
    """The typed error for a Graph error response (`body` is the decoded JSON, or anything else)."""
    error = body.get("error") if isinstance(body, dict) else None
    error = error if isinstance(error, dict) else {}
    graph_code = _int_or_none(error.get("code"))
    label = error.get("title") or error.get("type") or "Graph API error"
    where = f"code {graph_code}" if graph_code is not None else f"HTTP {http_status}"
    cls = _class_for(graph_code, http_status)
    return cls(
        f"{str(label)[:80]} ({where})",
        graph_code=graph_code,
        subcode=_int_or_none(error.get("error_subcode")),
        fbtrace_id=error.get("fbtrace_id") if isinstance(error.get("fbtrace_id"), str) else None,
        http_status=http_status,
        retry_after=retry_after,
    )


def error_code_label(graph_code: int | None) -> str:
    """A metric label for a Graph error code: the codes we act on by number, the rest 'other'.

    Meta's codes are numbers we do not control; an open label set could grow without bound.
    """
    if graph_code is None:
        return "none"
    return str(graph_code) if graph_code in ERRORS_BY_CODE else "other"
