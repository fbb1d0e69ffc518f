"""The system administrator resets a person's two-factor app and lifts a lock-out from a page
(docs/adr/0007): each with a reason, audited; nobody else may."""

from __future__ import annotations

from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from homeward.accounts.services import sign_in_lockout_lift, two_factor_reset
from homeward.audit.models import AuditEntry
from homeward.common.errors import DomainValidationError, PermissionDenied

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"


def _code(device: TOTPDevice) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    return f"{value:0{device.digits}d}"


def _enrolled(make_user: Any, username: str = "priya") -> tuple[Any, TOTPDevice]:
    person = make_user("coordinator", username=username)
    device = TOTPDevice.objects.create(user=person, name="Authenticator app", confirmed=True)
    recovery = StaticDevice.objects.create(user=person, name="Recovery codes", confirmed=True)
    StaticToken.objects.create(device=recovery, token="abcd1234")
    return person, device


@pytest.fixture
def admin(make_user: Any) -> Any:
    return make_user("admin", username="sysadmin")


def test_the_administrator_resets_a_two_factor_app_and_the_person_sets_up_a_new_one(
    make_user: Any, admin: Any, client_for: Any,
) -> None:
    person, device = _enrolled(make_user)
    # Priya is signed in and verified in one browser (two factors required for her).
    theirs = Client()
    with override_settings(HOMEWARD_REQUIRE_2FA=True):
        theirs.post("/sign-in", {"username": "priya", "password": PASSWORD})
        assert theirs.post("/sign-in/code", {"code": _code(device)}).status_code == 302
        assert theirs.get("/").status_code == 200

    page = client_for(admin)
    index = page.get("/security").content.decode()
    assert "Reset a person's two-factor app" in index and "Nobody is locked out." in index
    form = page.get("/security/two-factor-reset").content.decode()
    assert 'name="reason"' in form
    missing = page.post("/security/two-factor-reset", {"username": "priya"}).content.decode()
    assert 'href="#id_reason">Enter why the two-factor app is being reset' in missing
    unknown = page.post("/security/two-factor-reset", {"username": "nobody", "reason": "Lost phone"})
    assert 'href="#id_username">No person has this username' in unknown.content.decode()
    assert TOTPDevice.objects.filter(user=person).exists()

    response = page.post("/security/two-factor-reset", {"username": "priya", "reason": "Phone lost, call 10:05"},
                         follow=True)
    assert "They set up a new app the next time they sign in." in response.content.decode()
    assert not TOTPDevice.objects.filter(user=person).exists()
    assert not StaticDevice.objects.filter(user=person).exists()
    entry = AuditEntry.objects.get(action="update", object_type="user", detail__two_factor="reset")
    assert entry.user == admin and entry.object_id == str(person.pk)
    assert entry.detail["reason"] == "Phone lost, call 10:05" and entry.detail["removed"] == 2
    # Nothing left to reset now.
    again = page.post("/security/two-factor-reset", {"username": "priya", "reason": "Again"}).content.decode()
    assert "has no two-factor app set up" in again

    # The open session is no longer verified; signing in again asks to set up a new app.
    with override_settings(HOMEWARD_REQUIRE_2FA=True):
        assert theirs.get("/").status_code == 302
        fresh = Client()
        response = fresh.post("/sign-in", {"username": "priya", "password": PASSWORD}, follow=True)
        assert response.redirect_chain[-1][0].startswith("/sign-in/set-up-app")


def test_the_administrator_lifts_a_lock_out_with_a_reason(make_user: Any, admin: Any, client_for: Any) -> None:
    make_user("coordinator", username="priya")
    make_user("coordinator", username="sam")
    locked = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(5):
        locked.post("/sign-in", {"username": "priya", "password": "wrong"})
    other = Client(REMOTE_ADDR="203.0.113.10")
    for _ in range(5):
        other.post("/sign-in", {"username": "sam", "password": "wrong"})
    assert locked.post("/sign-in", {"username": "priya", "password": PASSWORD}).status_code == 429

    page = client_for(admin)
    index = page.get("/security").content.decode()
    assert "priya" in index and "203.0.113.9" in index and "sam" in index
    attempt = AccessAttempt.objects.get(username="priya")
    url = f"/security/lockouts/{attempt.pk}/lift"
    assert "Lift the lock-out of priya" in page.get(url).content.decode()
    assert 'href="#id_reason">Enter why the lock-out is being lifted' in page.post(url, {}).content.decode()
    response = page.post(url, {"reason": "Identified by the service desk"}, follow=True)
    assert "Lock-out lifted for priya from 203.0.113.9." in response.content.decode()
    entry = AuditEntry.objects.get(object_type="sign_in_lockout")
    assert entry.user == admin and entry.detail["username"] == "priya" and entry.detail["removed"] == 1
    assert entry.detail["reason"] == "Identified by the service desk"
    # Priya may sign in again; Sam is still locked out.
    assert locked.post("/sign-in", {"username": "priya", "password": PASSWORD}).status_code == 302
    assert other.post("/sign-in", {"username": "sam", "password": PASSWORD}).status_code == 429
    assert page.get(url).status_code == 404  # no longer locked out


@pytest.mark.parametrize("role", ["coordinator", "auditor", "mct_admin", "police_liaison"])
def test_nobody_but_the_administrator_may(role: str, make_user: Any, client_for: Any) -> None:
    person, _ = _enrolled(make_user)
    someone = make_user(role)
    client = client_for(someone)
    for path in ("/security", "/security/two-factor-reset"):
        assert client.get(path).status_code == 403, path
    assert client.post("/security/two-factor-reset", {"username": "priya", "reason": "x"}).status_code == 403
    assert TOTPDevice.objects.filter(user=person).exists()
    with pytest.raises(PermissionDenied):
        two_factor_reset(actor=someone, user=person, reason="x")
    with pytest.raises(PermissionDenied):
        sign_in_lockout_lift(actor=someone, username="priya", ip_address="203.0.113.9", reason="x")
    assert "Sign-in security" not in client.get("/").content.decode()


def test_the_services_want_a_reason_and_someone_to_lift(make_user: Any, admin: Any) -> None:
    person, _ = _enrolled(make_user)
    with pytest.raises(DomainValidationError):
        two_factor_reset(actor=admin, user=person, reason="  ")
    with pytest.raises(DomainValidationError):
        sign_in_lockout_lift(actor=admin, username="", ip_address="", reason="Because")
    assert TOTPDevice.objects.filter(user=person).exists()
    assert not AuditEntry.objects.filter(detail__two_factor="reset").exists()


def test_the_audit_log_page_links_the_administrator_to_sign_in_security(admin: Any, make_user: Any,
                                                                         client_for: Any) -> None:
    assert 'href="/security"' in client_for(admin).get("/audit").content.decode()
    assert 'href="/security"' not in client_for(make_user("auditor")).get("/audit").content.decode()
