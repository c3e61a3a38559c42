"""X-Hub-Signature-256: HMAC-SHA256 of the raw body under the app secret."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from hotelbot.whatsapp.signature import is_valid_signature, sign

SECRET = "s3cret-of-the-app"
BODY = b'{"object":"whatsapp_business_account","entry":[]}'


def test_sign_matches_meta_format() -> None:
    expected = hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, BODY) == f"sha256={expected}"


def test_valid_signature_is_accepted() -> None:
    assert is_valid_signature(SECRET, BODY, sign(SECRET, BODY))


def test_uppercase_hex_is_accepted() -> None:
    header = "sha256=" + sign(SECRET, BODY).removeprefix("sha256=").upper()
    assert is_valid_signature(SECRET, BODY, header)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "sha256=",
        "sha1=" + hashlib.sha1(BODY).hexdigest(),
        sign("another-secret", BODY),
        sign(SECRET, BODY + b" "),
        sign(SECRET, BODY)[:-1],
        sign(SECRET, BODY).removeprefix("sha256="),
        "sha256=zz\u00e9",
    ],
)
def test_invalid_signature_is_refused(header: str | None) -> None:
    assert not is_valid_signature(SECRET, BODY, header)


def test_empty_secret_never_validates() -> None:
    assert not is_valid_signature("", BODY, sign("", BODY))
