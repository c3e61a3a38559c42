"""The error tree shared by every hotelbot process.

    HotelbotError                 500  internal
    ├── NotFound                  404  not_found
    ├── Conflict                  409  conflict
    ├── Forbidden                 403  forbidden
    ├── Unauthorized              401  unauthorized
    ├── InvalidInput              422  invalid_input
    ├── PayloadTooLarge           413  payload_too_large
    ├── RateLimited               429  rate_limited      (retry_after_seconds → Retry-After)
    └── ExternalServiceError      502  external_service   (retryable: bool)

`status_code` and `code` are class attributes; the message is the constructor argument and
must never carry guest data (phone, name, message text). The API renders
`{"error": code, "detail": message}`; workers look only at `retryable`.
"""

from __future__ import annotations


class HotelbotError(Exception):
    status_code: int = 500
    code: str = "internal"
    retryable: bool = False

    def __init__(self, message: str = "") -> None:
        super().__init__(message or self.code)
        self.message = message or self.code


class NotFound(HotelbotError):
    status_code = 404
    code = "not_found"


class Conflict(HotelbotError):
    status_code = 409
    code = "conflict"


class Forbidden(HotelbotError):
    status_code = 403
    code = "forbidden"


class Unauthorized(HotelbotError):
    status_code = 401
    code = "unauthorized"


class InvalidInput(HotelbotError):
    status_code = 422
    code = "invalid_input"


class PayloadTooLarge(HotelbotError):
    status_code = 413
    code = "payload_too_large"


class ExternalServiceError(HotelbotError):
    status_code = 502
    code = "external_service"

    def __init__(self, message: str = "", *, retryable: bool | None = None) -> None:
        super().__init__(message)
        if retryable is not None:
            self.retryable = retryable


class RateLimited(HotelbotError):
    """A client over its rate limit; answered 429 with `Retry-After: retry_after_seconds`."""

    status_code = 429
    code = "rate_limited"

    def __init__(self, message: str = "", *, retry_after_seconds: int = 1) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_seconds)}
