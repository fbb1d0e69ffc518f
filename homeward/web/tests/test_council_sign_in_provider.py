"""Single sign-on against a real OpenID Connect provider on loopback: Homeward's own HTTP
calls to its token, userinfo and JWKS endpoints, and an RS256 ID token (the production
default) checked against the provider's published key, its nonce and its audience."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.test import Client, override_settings

from homeward.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

CLIENT_ID = "homeward"


class Provider:
    """The council's identity provider: it signs ID tokens with its own RSA key."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "council-2026"
        self.nonce = ""
        self.email = ""
        self.audience = CLIENT_ID
        self.requests: list[tuple[str, str, dict[str, list[str]]]] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def id_token(self) -> str:
        now = int(time.time())
        claims = {"iss": self.base, "sub": "council-123", "aud": self.audience, "iat": now, "exp": now + 300,
                  "nonce": self.nonce, "email": self.email}
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": self.kid})

    def jwks(self) -> dict[str, Any]:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**public, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = parse_qs(self.rfile.read(length).decode())
                provider.requests.append(("POST", self.path, form))
                self._answer({"id_token": provider.id_token(), "access_token": "access-token", "token_type": "Bearer"})

            def do_GET(self) -> None:
                provider.requests.append(("GET", self.path, {}))
                if self.path == "/jwks":
                    self._answer(provider.jwks())
                else:
                    self._answer({"sub": "council-123", "email": provider.email, "email_verified": True})

            def log_message(self, format: str, *args: Any) -> None:
                return None

        return Handler


@pytest.fixture
def provider() -> Iterator[Provider]:
    council = Provider()
    thread = threading.Thread(target=council.server.serve_forever, daemon=True)
    thread.start()
    backends = [*settings.AUTHENTICATION_BACKENDS, "homeward.accounts.oidc.CouncilOIDCBackend"]
    with override_settings(
        HOMEWARD_OIDC_ENABLED=True, AUTHENTICATION_BACKENDS=backends, OIDC_RP_CLIENT_ID=CLIENT_ID,
        OIDC_RP_CLIENT_SECRET="client-secret", OIDC_RP_SIGN_ALGO="RS256",
        OIDC_OP_AUTHORIZATION_ENDPOINT=f"{council.base}/authorize", OIDC_OP_TOKEN_ENDPOINT=f"{council.base}/token",
        OIDC_OP_USER_ENDPOINT=f"{council.base}/userinfo", OIDC_OP_JWKS_ENDPOINT=f"{council.base}/jwks",
    ):
        yield council
    council.server.shutdown()
    council.server.server_close()


def sign_in(client: Client, council: Provider, email: str) -> Any:
    start = client.get("/sign-in/council")
    location = urlsplit(start["Location"])
    assert f"{location.scheme}://{location.netloc}" == council.base and location.path == "/authorize"
    query = parse_qs(location.query)
    council.nonce, council.email = query["nonce"][0], email
    return client.get("/sign-in/council/callback", {"code": "the-code", "state": query["state"][0]})


def test_a_known_person_signs_in_through_the_providers_endpoints(provider: Provider, make_user: Any) -> None:
    person = make_user("coordinator", username="priya")
    person.email = "priya.shah@council.example"
    person.save()
    client = Client()
    response = sign_in(client, provider, "Priya.Shah@council.example")
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    calls = [(method, path) for method, path, _ in provider.requests]
    assert calls == [("POST", "/token"), ("GET", "/jwks"), ("GET", "/userinfo")]
    token_request = provider.requests[0][2]
    assert token_request["code"] == ["the-code"] and token_request["client_id"] == [CLIENT_ID]
    assert AuditEntry.objects.get(action="sign_in").user == person


@pytest.mark.parametrize("tamper", ["another_key", "another_audience"])
def test_an_id_token_not_meant_for_homeward_is_refused(provider: Provider, make_user: Any, tamper: str) -> None:
    person = make_user("coordinator", username="priya")
    person.email = "priya.shah@council.example"
    person.save()
    if tamper == "another_key":  # signed with another key under the provider's key id
        published = provider.jwks()
        provider.jwks = lambda: published  # type: ignore[method-assign]
        provider.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:  # a token the provider issued to another service
        provider.audience = "some-other-service"
    client = Client()
    response = sign_in(client, provider, "priya.shah@council.example")
    assert response.status_code == 302 and response["Location"] == "/sign-in?council_account=refused"
    assert "could not trust the answer from your council" in client.get(response["Location"]).content.decode()
    assert client.get("/").status_code == 302  # not signed in
    assert not AuditEntry.objects.filter(action="sign_in").exists()
    failed = AuditEntry.objects.get(action="sign_in_failed")
    expected = "JWS token verification failed" if tamper == "another_key" else "not issued to Homeward"
    assert expected in failed.detail["council_answer_refused"]
