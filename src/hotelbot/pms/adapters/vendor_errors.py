"""How vendor adapters fail: the rules every vendor's error table ends in, in one place.

A vendor refusing the hotel's key, or a property whose vendor secrets or settings are missing,
is `VendorMisconfigured`: 503 `pms_unavailable`, not retryable, logged with the adapter and our
property id. `PmsAuthError` (401) stays for our own bearer-token check (`pms/auth.py`): it would
tell our caller that *its* token is bad. Messages name no secret and copy no vendor text.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import structlog

from hotelbot.pms.adapters.base import AdapterConfig
from hotelbot.pms.errors import InvalidRequest, PmsError, PmsUnavailable, RateChanged

log = structlog.get_logger(__name__)


class VendorMisconfigured(PmsUnavailable):
    """The property's vendor key, tokens or settings are missing or refused by the vendor.

    The operator has to fix it, so it is a 503 `pms_unavailable` that a retry will not cure,
    never `PmsAuthError` (401), which would tell *our* caller that its own bearer token is bad.
    """

    retryable = False


def status_error(adapter: str, operation: str, status: int) -> PmsError:
    """A vendor HTTP error no vendor-specific rule claimed: 400 → `InvalidRequest`, 429 and 5xx
    → retryable `PmsUnavailable`, anything else → `PmsError`."""
    if status == 400:
        return InvalidRequest(f"{adapter}: {operation} rejected the request")
    if status == 429 or status >= 500:
        return PmsUnavailable(f"{adapter}: {operation} answered {status}")
    return PmsError(f"{adapter}: {operation} answered {status}")


def credentials_refused(adapter: str, what: str) -> VendorMisconfigured:
    """The error for a vendor refusing the hotel's key (`what` says how, without the key)."""
    return VendorMisconfigured(f"{adapter}: {what}")


def misconfigured(adapter: str, config: AdapterConfig, problem: str) -> VendorMisconfigured:
    """The error for a property whose vendor secrets or settings are missing or wrong, logged
    with the adapter and our property id; `problem` names the setting, never its value."""
    log.error(
        "pms.vendor.misconfigured",
        adapter=adapter,
        property_id=str(config.property.id),
        problem=problem,
    )
    return VendorMisconfigured(f"{adapter}: {problem}")


def require(
    adapter: str,
    config: AdapterConfig,
    *,
    secrets: Sequence[str] = (),
    settings: Sequence[str] = (),
) -> None:
    """`VendorMisconfigured` for the first of these secrets or `pms_settings` that is empty."""
    for name in secrets:
        if not config.secrets.get(name):
            raise misconfigured(adapter, config, f"{name} is not configured for this property")
    for name in settings:
        if not config.settings.get(name):
            raise misconfigured(adapter, config, f"pms_settings.{name} is required")


def unsupported(adapter: str, what: str) -> PmsError:
    """The error for an operation this vendor's API cannot do (see docs/pms-adapters.md)."""
    return InvalidRequest(f"{adapter}: {what} is not supported by this PMS adapter")


def check_price(adapter: str, expected: Decimal | None, total: Decimal | None) -> None:
    """`RateChanged` when the caller expects another total; called before anything is written."""
    if expected is not None and total != expected:
        raise RateChanged(f"{adapter}: the price changed since the quote")
