"""Service-to-service auth for the PMS faces: bearer tokens scoped to property ids.

Tokens come from `settings.pms.tokens` (JSON `{"<token>": ["*" | "<property id or slug>", ...]}`)
plus `settings.pms.token` (the chatbot's own, scope "*"). No token → 401; a property outside
the token's scope → 403. Tokens are compared in constant time and never logged.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass

from hotelbot.pms import errors
from hotelbot.pms.schemas import Property
from hotelbot.settings import PmsSettings

ALL = "*"


@dataclass(frozen=True)
class Caller:
    """An authenticated client and the properties it may touch."""

    scopes: frozenset[str]

    def allows(self, property: Property) -> bool:
        return bool({ALL, str(property.id), property.slug} & self.scopes)

    def check(self, property: Property) -> None:
        if not self.allows(property):
            raise errors.PmsForbidden("this token is not allowed for this property")

    @property
    def unrestricted(self) -> bool:
        return ALL in self.scopes


def token_scopes(settings: PmsSettings) -> dict[str, frozenset[str]]:
    """Parse the configured tokens; a malformed value fails at start-up, not per request."""
    raw = settings.tokens.get_secret_value().strip()
    table: dict[str, frozenset[str]] = {}
    if raw:
        parsed = json.loads(raw)
        if not isinstance(parsed, dict) or not all(
            isinstance(v, list) and all(isinstance(s, str) for s in v) for v in parsed.values()
        ):
            raise ValueError('pms.tokens must be JSON like {"<token>": ["*"]}')
        table = {str(k): frozenset(v) for k, v in parsed.items() if k}
    own = settings.token.get_secret_value()
    if own:
        table[own] = frozenset({ALL})
    return table


def authenticate(table: dict[str, frozenset[str]], authorization: str | None) -> Caller:
    """The caller for an `Authorization: Bearer <token>` header, or `PmsAuthError`."""
    scheme, _, presented = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not presented.strip():
        raise errors.PmsAuthError("a bearer token is required")
    presented = presented.strip()
    found: frozenset[str] | None = None
    for token, scopes in table.items():
        # Check every token so timing does not reveal which prefix matched.
        if hmac.compare_digest(token.encode(), presented.encode()):
            found = scopes
    if found is None:
        raise errors.PmsAuthError("unknown token")
    return Caller(found)
