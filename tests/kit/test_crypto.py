import base64

import pytest

from hotelbot.kit import crypto


def _cipher(spec: str) -> crypto.FieldCipher:
    return crypto.FieldCipher(keys=crypto.parse_keys(spec), blind_index_key=b"x" * 32)


def test_encrypt_round_trips_and_hides_plaintext() -> None:
    cipher = _cipher("1:" + crypto.new_key())
    token = cipher.encrypt("+34 600 111 222")
    assert "600" not in token
    assert cipher.decrypt(token) == "+34 600 111 222"


def test_encrypting_twice_gives_different_ciphertexts() -> None:
    cipher = _cipher("1:" + crypto.new_key())
    assert cipher.encrypt("same") != cipher.encrypt("same")


def test_old_key_versions_still_decrypt_after_rotation() -> None:
    old = "1:" + crypto.new_key()
    token = _cipher(old).encrypt("hello")
    rotated = _cipher(old + ",2:" + crypto.new_key())
    assert rotated.encrypt("x").startswith("v2:")
    assert rotated.decrypt(token) == "hello"


def test_unknown_key_version_is_a_clear_error() -> None:
    token = _cipher("1:" + crypto.new_key()).encrypt("hello")
    with pytest.raises(crypto.CipherKeyError, match="version 1"):
        _cipher("2:" + crypto.new_key()).decrypt(token)


def test_blind_index_is_stable_and_keyed() -> None:
    a = crypto.FieldCipher(keys={1: b"k" * 32}, blind_index_key=b"a" * 32)
    b = crypto.FieldCipher(keys={1: b"k" * 32}, blind_index_key=b"b" * 32)
    assert a.blind_index("34600111222") == a.blind_index("34600111222")
    assert a.blind_index("34600111222") != b.blind_index("34600111222")


@pytest.mark.parametrize("spec", ["", "1:short", "x:" + base64.b64encode(b"k" * 32).decode()])
def test_malformed_keys_are_rejected(spec: str) -> None:
    with pytest.raises(crypto.CipherKeyError):
        crypto.parse_keys(spec)
