"""Typed PMS errors shared by adapters, the service layer, both HTTP faces and the client.

    ExternalServiceError
    └── PmsError                      502  pms_error
        ├── RoomUnavailable           409  room_unavailable
        ├── RateChanged               409  rate_changed
        ├── ReservationNotFound       404  reservation_not_found
        ├── ServiceRequestNotFound    404  service_request_not_found
        ├── PropertyNotFound          404  property_not_found
        ├── ReservationNotModifiable  409  reservation_not_modifiable
        ├── IdempotencyConflict       409  idempotency_conflict
        ├── InvalidRequest            422  invalid_request
        ├── PmsAuthError              401  pms_unauthorized
        ├── PmsForbidden              403  pms_forbidden
        └── PmsUnavailable            503  pms_unavailable   (retryable)

Messages never carry guest data. `ERRORS_BY_CODE` lets the client rebuild the class from
`{"error": code, "detail": message}`.
"""

from __future__ import annotations

from hotelbot.errors import ExternalServiceError


class PmsError(ExternalServiceError):
    status_code = 502
    code = "pms_error"


class RoomUnavailable(PmsError):
    """The room type has no free room for at least one night of the stay."""

    status_code = 409
    code = "room_unavailable"


class RateChanged(PmsError):
    """The price differs from the quoted/expected total; re-quote and ask the guest again."""

    status_code = 409
    code = "rate_changed"


class ReservationNotFound(PmsError):
    status_code = 404
    code = "reservation_not_found"


class ServiceRequestNotFound(PmsError):
    status_code = 404
    code = "service_request_not_found"


class PropertyNotFound(PmsError):
    status_code = 404
    code = "property_not_found"


class ReservationNotModifiable(PmsError):
    """Cancelled, past or otherwise frozen reservation."""

    status_code = 409
    code = "reservation_not_modifiable"


class IdempotencyConflict(PmsError):
    """The idempotency key was already used for a different request."""

    status_code = 409
    code = "idempotency_conflict"


class InvalidRequest(PmsError):
    """Input the PMS rejects: dates in the past, occupancy over the limit, unknown code."""

    status_code = 422
    code = "invalid_request"


class PmsAuthError(PmsError):
    status_code = 401
    code = "pms_unauthorized"


class PmsForbidden(PmsError):
    status_code = 403
    code = "pms_forbidden"


class PmsUnavailable(PmsError):
    """The PMS (or the PMS service) cannot be reached or is failing; try again later."""

    status_code = 503
    code = "pms_unavailable"
    retryable = True


ERRORS_BY_CODE: dict[str, type[PmsError]] = {
    cls.code: cls
    for cls in (
        PmsError,
        RoomUnavailable,
        RateChanged,
        ReservationNotFound,
        ServiceRequestNotFound,
        PropertyNotFound,
        ReservationNotModifiable,
        IdempotencyConflict,
        InvalidRequest,
        PmsAuthError,
        PmsForbidden,
        PmsUnavailable,
    )
}
