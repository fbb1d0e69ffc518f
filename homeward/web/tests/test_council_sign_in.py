"""Single sign-on with the council's identity provider (OpenID Connect), no network: the
provider's token and userinfo answers are mocked."""

from __future__ import annotations

from typing import Any
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from django.conf import settings
from django.test import Client, override_settings

from homeward.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

SECRET = "client-secret-for-tests-only-32-bytes!"
PROVIDER = {
    "HOMEWARD_OIDC_ENABLED": True,
    "OIDC_RP_CLIENT_ID": "homeward",
    "OIDC_RP_CLIENT_SECRET": SECRET,
    "OIDC_RP_SIGN_ALGO": "HS256",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://idp.council.example/authorize",
    "OIDC_OP_TOKEN_ENDPOINT": "https://idp.council.example/token",
    "OIDC_OP_USER_ENDPOINT": "https://idp.council.example/userinfo",
    "OIDC_OP_JWKS_ENDPOINT": "",
}


@pytest.fixture
def provider() -> Any:
    backends = [*settings.AUTHENTICATION_BACKENDS, "homeward.accounts.oidc.CouncilOIDCBackend"]
    with override_settings(**PROVIDER, AUTHENTICATION_BACKENDS=backends):
        yield


class _Answer:
    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body
        self.status_code = 200
        self.headers = {"content-type": "application/json"}

    def raise_for_status(self) -> None:
        return None

    def json(self) -> dict[str, Any]:
        return self.body


def council_sign_in(client: Client, email: str, next_path: str = "") -> Any:
    start = client.get("/sign-in/council" + (f"?next={next_path}" if next_path else ""))
    assert start.status_code == 302
    location = urlsplit(start["Location"])
    assert location.netloc == "idp.council.example"
    query = parse_qs(location.query)
    assert query["client_id"] == ["homeward"] and "openid" in query["scope"][0]
    id_token = jwt.encode({"sub": "abc", "aud": "homeward", "nonce": query["nonce"][0], "email": email}, SECRET,
                          algorithm="HS256")
    with mock.patch("mozilla_django_oidc.auth.requests.post",
                    return_value=_Answer({"id_token": id_token, "access_token": "access"})) as token_call, \
         mock.patch("mozilla_django_oidc.auth.requests.get",
                    return_value=_Answer({"sub": "abc", "email": email, "email_verified": True})) as userinfo:
        response = client.get("/sign-in/council/callback", {"code": "the-code", "state": query["state"][0]})
    assert token_call.call_args.kwargs["data"]["code"] == "the-code"
    assert userinfo.called
    return response


def test_without_settings_there_is_no_council_button_and_no_route(client: Client) -> None:
    assert "Sign in with your council account" not in client.get("/sign-in").content.decode()
    assert client.get("/sign-in/council").status_code == 404


def test_a_known_person_signs_in_with_their_council_account(provider: Any, make_user: Any) -> None:
    person = make_user("coordinator", username="priya")
    person.email = "Priya.Shah@council.example"
    person.save()
    client = Client()
    assert "Sign in with your council account" in client.get("/sign-in").content.decode()
    response = council_sign_in(client, "priya.shah@council.example", next_path="/search")
    assert response.status_code == 302 and response["Location"] == "/search"
    assert client.get("/search").status_code == 200
    entry = AuditEntry.objects.get(action="sign_in")
    assert entry.user == person and entry.detail["backend"] == "homeward.accounts.oidc.CouncilOIDCBackend"
    # The provider asked for the second factor: Homeward does not ask again.
    with override_settings(HOMEWARD_REQUIRE_2FA=True):
        assert client.get("/search").status_code == 200


def test_nobody_is_created_from_a_council_account(provider: Any, make_user: Any) -> None:
    from homeward.accounts.models import User

    before = User.objects.count()
    client = Client()
    response = council_sign_in(client, "stranger@council.example")
    assert response.status_code == 302 and "council_account=not_recognised" in response["Location"]
    assert User.objects.count() == before
    assert client.get("/").status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "set you up in Homeward" in page
    failed = AuditEntry.objects.get(action="sign_in_failed")
    assert failed.detail == {"council_account_email": "stranger@council.example"}


def test_a_person_without_a_role_or_inactive_cannot_sign_in(provider: Any, make_user: Any) -> None:
    person = make_user("coordinator", username="gone")
    person.email = "gone@council.example"
    person.is_active = False
    person.save()
    client = Client()
    council_sign_in(client, "gone@council.example")
    assert client.get("/").status_code == 302
