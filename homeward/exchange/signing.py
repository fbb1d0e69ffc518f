"""Keys and signatures of the authority exchange (docs/exchange.md, ADR 0015).

Each Homeward signs what it sends with its own Ed25519 key (JWS compact serialisation,
`alg` EdDSA, `kid` the RFC 7638 thumbprint of the public key) and publishes the public half
as a JWK Set at `/api/v1/exchange/keys`. A partner's published keys are kept on its `Partner`
row; a message verifies only with a key of the authority it says it is from. PyJWT does the
JWS work (with `cryptography`), nothing here hand-rolls a signature.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from jwt.algorithms import OKPAlgorithm

log = logging.getLogger(__name__)

ALGORITHM = "EdDSA"
#: The JWS `typ` of every exchange message and acknowledgement.
MEDIA_TYPE = "homeward-exchange+jws"


class Unverifiable(Exception):
    """A message that is not a well-formed JWS, or whose signature does not verify."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def public_jwk(public_key: Ed25519PublicKey) -> dict[str, str]:
    """The public key as a JWK with its `kid` (thumbprint), `use` and `alg`."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    jwk = {"crv": "Ed25519", "kty": "OKP", "x": _b64url(raw)}
    return {**jwk, "kid": thumbprint(jwk), "use": "sig", "alg": ALGORITHM}


def thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638: SHA-256 of the required members in lexical order, base64url."""
    required = {name: jwk[name] for name in ("crv", "kty", "x")}
    canonical = json.dumps(required, separators=(",", ":"), sort_keys=True).encode("utf-8")
    return _b64url(hashlib.sha256(canonical).digest())


@dataclass(frozen=True)
class SigningKey:
    private_key: Ed25519PrivateKey
    jwk: dict[str, str]

    @property
    def kid(self) -> str:
        return self.jwk["kid"]


def _key_path() -> Path:
    return Path(settings.HOMEWARD_EXCHANGE_KEY)


def _make_key_file(path: Path) -> None:
    """Write a new key where none is, atomically: written whole to a file of its own, then
    linked into place, so that two processes starting together (the web server and the
    worker) end with one key, and neither reads half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                     serialization.NoEncryption())
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(pem)
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(draft, path)
        except FileExistsError:
            return  # another process made it first: theirs is the key
        log.warning("exchange: no signing key at %s, so a new one was made; publish it to partners", path)
    finally:
        draft.unlink(missing_ok=True)


def signing_key_load(path: Path) -> SigningKey:
    """The Ed25519 private key in `path` (PEM, PKCS#8); made (mode 0600) when the file does
    not exist yet, as the demonstration needs. A file that is not such a key stops here."""
    if not path.exists():
        _make_key_file(path)
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ValueError(f"HOMEWARD_EXCHANGE_KEY {path} is not an Ed25519 private key")
    return SigningKey(private_key=loaded, jwk=public_jwk(loaded.public_key()))


@lru_cache(maxsize=4)
def _cached_key(path: str) -> SigningKey:
    return signing_key_load(Path(path))


def signing_key() -> SigningKey:
    """This installation's signing key (setting HOMEWARD_EXCHANGE_KEY)."""
    return _cached_key(str(_key_path()))


def published_keys() -> dict[str, list[dict[str, str]]]:
    """The JWK Set this installation publishes."""
    return {"keys": [signing_key().jwk]}


def canonical(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode("utf-8")


def sign(payload: dict[str, Any], key: SigningKey | None = None) -> str:
    """The payload as a compact JWS signed with this installation's key (or `key`)."""
    key = key or signing_key()
    return jwt.api_jws.encode(canonical(payload), key.private_key, algorithm=ALGORITHM,
                              headers={"kid": key.kid, "typ": MEDIA_TYPE})


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def peek(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and payload of a compact JWS, unverified: only to learn who claims to have sent
    it, so as to pick the key to verify it with."""
    if not isinstance(token, str) or token.count(".") != 2 or len(token) > 200_000:
        raise Unverifiable("jws", "Not a JWS in compact serialisation (header.payload.signature).")
    try:
        header = jwt.get_unverified_header(token)
        payload = json.loads(jwt.api_jws.decode_complete(token, options={"verify_signature": False})["payload"])
    except (jwt.InvalidTokenError, ValueError, UnicodeDecodeError) as exc:
        raise Unverifiable("jws", f"Not a readable JWS: {exc}.") from None
    if not isinstance(payload, dict):
        raise Unverifiable("jws", "The signed payload is not a JSON object.")
    return header, payload


def verify(token: str, jwks: dict[str, Any], *, signer: str) -> dict[str, Any]:
    """The payload of `token` once its signature verifies with one of `jwks` (the published
    keys of `signer`, the authority it claims to be from). Raises Unverifiable naming why."""
    header, _ = peek(token)
    if header.get("alg") != ALGORITHM:
        raise Unverifiable("jws", f"The signature algorithm must be {ALGORITHM}, not {header.get('alg')!r}.")
    kid = header.get("kid")
    keys = [k for k in (jwks or {}).get("keys", []) if isinstance(k, dict)]
    matching = [k for k in keys if k.get("kid") == kid] if kid else keys
    if not matching:
        raise Unverifiable("jws", f"The key {kid!r} is not one that authority {signer} publishes.")
    for jwk in matching:
        try:
            public_key = OKPAlgorithm.from_jwk(json.dumps(jwk))
            if not isinstance(public_key, Ed25519PublicKey):
                raise Unverifiable("jws", f"The key {kid!r} of authority {signer} is not an Ed25519 public key.")
            decoded = jwt.api_jws.decode_complete(token, public_key, algorithms=[ALGORITHM])
        except jwt.InvalidSignatureError:
            continue
        except (jwt.InvalidTokenError, ValueError, TypeError) as exc:
            raise Unverifiable("jws", f"The JWS cannot be verified: {exc}.") from None
        try:
            payload = json.loads(decoded["payload"])
        except (ValueError, UnicodeDecodeError):
            raise Unverifiable("jws", "The signed payload is not JSON.") from None
        if not isinstance(payload, dict):
            raise Unverifiable("jws", "The signed payload is not a JSON object.")
        return payload
    raise Unverifiable("jws", f"The signature does not verify with the published key of authority {signer}: "
                              "the message was forged or altered.")
