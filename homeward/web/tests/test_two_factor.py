"""Two-factor sign-in: set up an authenticator app, recovery codes, the code on every sign-in."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from homeward.audit.models import AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("two_factor_required")]

PASSWORD = "a-long-test-password"


@pytest.fixture
def two_factor_required() -> Any:
    with override_settings(HOMEWARD_REQUIRE_2FA=True):
        yield


def code_for(device: TOTPDevice) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    return f"{value:0{device.digits}d}"


def sign_in(client: Client, username: str = "priya", next_path: str = "") -> Any:
    data = {"username": username, "password": PASSWORD}
    if next_path:
        data["next"] = next_path
    return client.post("/sign-in", data, follow=True)


def enrolled(make_user: Any) -> tuple[Any, TOTPDevice]:
    person = make_user("coordinator", username="priya")
    device = TOTPDevice.objects.create(user=person, name="Authenticator app", confirmed=True)
    return person, device


def test_a_person_without_an_app_sets_one_up_and_is_shown_recovery_codes_once(make_user: Any) -> None:
    person = make_user("coordinator", username="priya")
    client = Client()
    response = sign_in(client)
    assert response.redirect_chain[-1][0].startswith("/sign-in/set-up-app")
    body = response.content.decode()
    assert "<svg" in body and "otpauth://totp/Homeward%3Apriya" in body
    assert "Set up your authenticator app" in body
    # Not yet through: every page sends them back.
    assert client.get("/").status_code == 302
    device = TOTPDevice.objects.get(user=person, confirmed=False)

    wrong = client.post("/sign-in/set-up-app", {"code": "000000" if code_for(device) != "000000" else "111111"})
    assert wrong.status_code == 200 and "The code is not right" in wrong.content.decode()
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()

    response = client.post("/sign-in/set-up-app", {"code": code_for(device)}, follow=True)
    body = response.content.decode()
    assert "Your recovery codes" in body
    codes = list(StaticToken.objects.filter(device__user=person).values_list("token", flat=True))
    assert len(codes) == 10 and all(code in body for code in codes)
    # Shown once only.
    again = client.get("/sign-in/recovery-codes")
    assert again.status_code == 302
    assert client.get("/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEntry.objects.filter(action="update", user=person, detail__two_factor="enrolled").exists()
    assert AuditEntry.objects.filter(action="sign_in_failed", user=person, detail__stage="two_factor_setup").exists()


def test_signing_in_asks_for_the_code_every_time_and_then_goes_where_asked(make_user: Any) -> None:
    person, device = enrolled(make_user)
    client = Client()
    response = sign_in(client, next_path="/search")
    assert response.redirect_chain[-1][0] == "/sign-in/code?next=/search"
    assert client.get("/search").status_code == 302
    response = client.post("/sign-in/code?next=/search", {"code": code_for(device), "next": "/search"})
    assert response.status_code == 302 and response["Location"] == "/search"
    assert client.get("/search").status_code == 200
    assert AuditEntry.objects.filter(action="sign_in", user=person, detail__stage="two_factor").exists()


def test_a_wrong_code_is_refused_and_audited(make_user: Any) -> None:
    person, device = enrolled(make_user)
    client = Client()
    sign_in(client)
    wrong = "123456" if code_for(device) != "123456" else "654321"
    response = client.post("/sign-in/code", {"code": wrong})
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body and "The code is not right" in body
    assert client.get("/").status_code == 302
    assert AuditEntry.objects.filter(action="sign_in_failed", user=person, detail__stage="two_factor").exists()


def test_a_recovery_code_works_once(make_user: Any) -> None:
    person, _device = enrolled(make_user)
    from django_otp.plugins.otp_static.models import StaticDevice

    recovery = StaticDevice.objects.create(user=person, name="Recovery codes", confirmed=True)
    recovery.token_set.create(token="abcd2345")
    client = Client()
    sign_in(client)
    assert client.post("/sign-in/code", {"code": "ABCD 2345"}).status_code == 302
    assert client.get("/").status_code == 200
    client.post("/sign-out")
    other = Client()
    sign_in(other)
    assert other.post("/sign-in/code", {"code": "abcd2345"}).status_code == 200
    assert other.get("/").status_code == 302


def test_the_api_ignores_an_unverified_session_but_accepts_bearer_tokens(make_user: Any, api_for: Any) -> None:
    person, _device = enrolled(make_user)
    client = Client()
    sign_in(client)
    assert client.get("/api/v1/episodes").status_code in (401, 403)
    assert api_for(person).get("/api/v1/episodes").status_code == 200


def test_without_the_setting_a_password_is_enough(make_user: Any) -> None:
    make_user("coordinator", username="priya")
    client = Client()
    with override_settings(HOMEWARD_REQUIRE_2FA=False):
        sign_in(client)
        assert client.get("/").status_code == 200
