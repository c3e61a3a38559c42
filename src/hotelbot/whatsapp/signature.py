"""`X-Hub-Signature-256` for webhooks: HMAC-SHA256 of the raw body under the app secret.

Pure functions. Meta signs the exact bytes it sends, so the check must run on the raw body,
before any parsing. https://developers.facebook.com/docs/graph-api/webhooks/getting-started
"""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "sha256="


def sign(app_secret: str, body: bytes) -> str:
    """The header value Meta would send for `body` (used by the sandbox and tests)."""
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return PREFIX + digest


def is_valid_signature(app_secret: str, body: bytes, header: str | None) -> bool:
    """True when `header` is `sha256=<hex>` of `body` under `app_secret`; constant-time."""
    if not app_secret or not header or not header.startswith(PREFIX):
        return False
    # Hex digests are case-insensitive; compare bytes so non-ASCII input cannot raise.
    given = header[len(PREFIX) :].strip().lower().encode("utf-8", "replace")
    expected = sign(app_secret, body)[len(PREFIX) :].encode()
    return hmac.compare_digest(given, expected)
