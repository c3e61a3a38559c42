"""Field encryption with versioned keys (AES-256-GCM) and a keyed hash for lookups.

Ciphertext format: `v<version>:<base64(nonce || ciphertext+tag)>`. The highest key version
encrypts; any known version decrypts, so keys rotate without a rewrite. The blind index is
HMAC-SHA256 under its own key: equal inputs give equal hashes, and the hash reveals nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_NONCE_BYTES = 12


class CipherKeyError(ValueError):
    """A key string is malformed, or ciphertext names a key version we do not hold."""


def parse_keys(spec: str) -> dict[int, bytes]:
    """Parse `"1:<base64 32 bytes>,2:<...>"` into `{version: key}`."""
    keys: dict[int, bytes] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        version, _, encoded = part.partition(":")
        try:
            key = base64.b64decode(encoded, validate=True)
            number = int(version)
        except ValueError as exc:
            raise CipherKeyError("field key must look like '<version>:<base64 key>'") from exc
        if len(key) != 32:
            raise CipherKeyError(f"field key version {number} must be 32 bytes (AES-256)")
        keys[number] = key
    if not keys:
        raise CipherKeyError("at least one field key is required")
    return keys


def new_key() -> str:
    """A fresh random 32-byte key, base64-encoded."""
    return base64.b64encode(os.urandom(32)).decode()


@dataclass(frozen=True)
class FieldCipher:
    keys: dict[int, bytes]
    blind_index_key: bytes

    @property
    def current_version(self) -> int:
        return max(self.keys)

    def encrypt(self, plaintext: str) -> str:
        version = self.current_version
        nonce = os.urandom(_NONCE_BYTES)
        sealed = AESGCM(self.keys[version]).encrypt(nonce, plaintext.encode(), None)
        return f"v{version}:{base64.b64encode(nonce + sealed).decode()}"

    def decrypt(self, token: str) -> str:
        prefix, _, encoded = token.partition(":")
        version = int(prefix.removeprefix("v"))
        key = self.keys.get(version)
        if key is None:
            raise CipherKeyError(f"no field key with version {version}")
        raw = base64.b64decode(encoded)
        return AESGCM(key).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], None).decode()

    def blind_index(self, value: str) -> str:
        return hmac.new(self.blind_index_key, value.encode(), hashlib.sha256).hexdigest()


_installed: FieldCipher | None = None


def install(cipher: FieldCipher) -> None:
    """Make `cipher` the one the column types use.

    Column types cannot receive arguments per query, so the process holds one key ring,
    installed by the app factory at start-up (and by tests).
    """
    global _installed
    _installed = cipher


def installed() -> FieldCipher:
    if _installed is None:
        raise RuntimeError("no field cipher installed; call kit.crypto.install() at start-up")
    return _installed
