"""Signing and verifying exchange messages: JWS with Ed25519, keys named by their thumbprint."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import pytest

from homeward.exchange.signing import (
    Unverifiable,
    published_keys,
    sign,
    signing_key,
    signing_key_load,
    thumbprint,
    verify,
)

from .conftest import new_key


def _tamper(token: str, **changes: object) -> str:
    header, payload, signature = token.split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    body.update(changes)
    altered = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()
    return f"{header}.{altered}.{signature}"


def test_a_key_is_made_once_private_to_its_owner_and_published_by_thumbprint(own_key: Path) -> None:
    key = signing_key()
    assert own_key.exists() and stat.S_IMODE(own_key.stat().st_mode) == 0o600
    assert signing_key_load(own_key).jwk == key.jwk  # the same key when read again
    assert key.jwk["kid"] == thumbprint(key.jwk) and key.jwk["alg"] == "EdDSA" and key.jwk["crv"] == "Ed25519"
    assert published_keys() == {"keys": [key.jwk]}
    assert "d" not in key.jwk  # never the private part


def test_a_signed_message_verifies_with_the_signers_published_key_only() -> None:
    alice, mallory = new_key(), new_key()
    token = sign({"v": 1, "type": "missing", "id": "x"}, alice)
    assert verify(token, {"keys": [alice.jwk]}, signer="940") == {"v": 1, "type": "missing", "id": "x"}
    with pytest.raises(Unverifiable, match="not one that authority 940 publishes"):
        verify(token, {"keys": [mallory.jwk]}, signer="940")
    # A forger who names the real key's id still cannot make its signature.
    forged = sign({"v": 1, "type": "missing", "id": "x"}, type(alice)(private_key=mallory.private_key,
                                                                         jwk=alice.jwk))
    with pytest.raises(Unverifiable, match="forged or altered"):
        verify(forged, {"keys": [alice.jwk]}, signer="940")


def test_an_altered_message_does_not_verify() -> None:
    alice = new_key()
    token = sign({"v": 1, "type": "found", "id": "x", "event": {"found_at": "2026-12-01T10:00:00+00:00"}}, alice)
    with pytest.raises(Unverifiable, match="forged or altered") as caught:
        verify(_tamper(token, type="missing"), {"keys": [alice.jwk]}, signer="940")
    assert caught.value.field == "jws"


@pytest.mark.parametrize("token", ["", "not-a-jws", "a.b.c", "e30.e30.", "x" * 10 + "." * 2])
def test_what_is_not_a_jws_is_named(token: str) -> None:
    with pytest.raises(Unverifiable) as caught:
        verify(token, {"keys": [new_key().jwk]}, signer="940")
    assert caught.value.field == "jws"


def test_only_eddsa_is_accepted() -> None:
    import jwt

    token = jwt.api_jws.encode(b'{"v":1}', "a-shared-secret-that-anyone-could-know", algorithm="HS256")
    with pytest.raises(Unverifiable, match="must be EdDSA"):
        verify(token, {"keys": [new_key().jwk]}, signer="940")


def test_a_key_file_that_is_not_ed25519_stops_here(tmp_path: Path) -> None:
    path = tmp_path / "rsa.pem"
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    path.write_bytes(rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    with pytest.raises(ValueError, match="not an Ed25519 private key"):
        signing_key_load(path)
