"""Embedded mode makes local development keys once, keeps them private, and reuses them."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from pydantic import SecretStr

from hotelbot import embedded
from hotelbot.kit import crypto
from hotelbot.settings import Settings, WhatsAppSettings


def _settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, whatsapp=WhatsAppSettings(sandbox=True))


def test_keys_are_created_private_and_reused(tmp_path: Path) -> None:
    first = _settings(tmp_path)
    embedded.load_or_create_local_keys(first, create=True)
    key_file = tmp_path / embedded.KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    again = _settings(tmp_path)
    embedded.load_or_create_local_keys(again, create=False)
    assert again.crypto.field_keys == first.crypto.field_keys
    assert again.pms.token == first.pms.token
    # Data written with the first process's keys is readable by the next one.
    token = embedded.cipher_from(first).encrypt("+351 912 000 111")
    assert embedded.cipher_from(again).decrypt(token) == "+351 912 000 111"


def test_missing_keys_name_the_settings_when_they_may_not_be_created(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="HOTELBOT_CRYPTO__FIELD_KEYS"):
        embedded.load_or_create_local_keys(_settings(tmp_path), create=False)
    assert not (tmp_path / embedded.KEY_FILE).exists()


def test_keys_from_the_environment_win_over_the_file(tmp_path: Path) -> None:
    embedded.load_or_create_local_keys(_settings(tmp_path), create=True)
    configured = _settings(tmp_path)
    configured.crypto.field_keys = SecretStr("1:" + crypto.new_key())
    configured.crypto.blind_index_key = SecretStr(crypto.new_key())
    before = configured.crypto.field_keys
    embedded.load_or_create_local_keys(configured, create=True)
    assert configured.crypto.field_keys == before
