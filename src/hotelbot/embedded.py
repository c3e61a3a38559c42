"""Embedded mode (`hotelbot run`): a data dir with local keys, the schema, and the demo hotel.

Production never uses the key file: it sets `HOTELBOT_CRYPTO__FIELD_KEYS` and
`HOTELBOT_CRYPTO__BLIND_INDEX_KEY` from its secret store.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from pathlib import Path

from pydantic import SecretStr

from hotelbot.kit import crypto
from hotelbot.settings import Settings

KEY_FILE = "keys.json"


def load_or_create_local_keys(settings: Settings, *, create: bool) -> None:
    """Fill missing crypto settings from `<data dir>/keys.json`, creating it if allowed.

    Raises ValueError with the setting's name when keys are missing and may not be created.
    """
    path = settings.data_dir / KEY_FILE
    if settings.crypto.field_keys.get_secret_value():
        if not settings.crypto.blind_index_key.get_secret_value():
            raise ValueError("crypto.blind_index_key is required when crypto.field_keys is set")
        if create and not settings.pms.token.get_secret_value():
            settings.pms.token = SecretStr(_local_secret(path, "pms_token"))
        return
    if not path.exists():
        if not create:
            raise ValueError(
                "crypto.field_keys and crypto.blind_index_key are required "
                "(set HOTELBOT_CRYPTO__FIELD_KEYS and HOTELBOT_CRYPTO__BLIND_INDEX_KEY, "
                "or run `hotelbot run` once to create local development keys)"
            )
        _write_keys(
            path,
            {
                "field_keys": f"1:{crypto.new_key()}",
                "blind_index_key": crypto.new_key(),
                "pms_token": secrets.token_urlsafe(32),
            },
        )
    keys = json.loads(path.read_text())
    settings.crypto.field_keys = SecretStr(keys["field_keys"])
    settings.crypto.blind_index_key = SecretStr(keys["blind_index_key"])
    if not settings.pms.token.get_secret_value():
        settings.pms.token = SecretStr(_local_secret(path, "pms_token"))


def _write_keys(path: Path, keys: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(keys, handle)
    os.replace(tmp, path)


def _local_secret(path: Path, name: str) -> str:
    """A secret from the key file, added to it if missing (the embedded PMS token)."""
    keys: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    if name not in keys:
        keys[name] = secrets.token_urlsafe(32)
        _write_keys(path, keys)
    return keys[name]


def cipher_from(settings: Settings) -> crypto.FieldCipher:
    return crypto.FieldCipher(
        keys=crypto.parse_keys(settings.crypto.field_keys.get_secret_value()),
        blind_index_key=base64.b64decode(settings.crypto.blind_index_key.get_secret_value()),
    )
