"""Sign-in security: the audit of sign-in, failure and sign-out; lock-out; headers."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from homeward.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"


def test_sign_in_failure_and_sign_out_are_audited_with_who_and_where(make_user: Any) -> None:
    person = make_user("coordinator", username="priya")
    client = Client(REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="TestBrowser/1")
    client.post("/sign-in", {"username": "priya", "password": "not-the-password"})
    failed = AuditEntry.objects.get(action="sign_in_failed")
    assert failed.username == "priya" and failed.user is None
    assert failed.remote_addr == "203.0.113.7" and failed.user_agent == "TestBrowser/1"
    assert failed.detail["attempted_username"] == "priya"
    assert "not-the-password" not in str(failed.detail)

    client.post("/sign-in", {"username": "priya", "password": PASSWORD})
    signed_in = AuditEntry.objects.get(action="sign_in")
    assert signed_in.user == person and signed_in.remote_addr == "203.0.113.7"
    assert signed_in.channel == "web"

    client.post("/sign-out")
    signed_out = AuditEntry.objects.get(action="sign_out")
    assert signed_out.user == person and signed_out.remote_addr == "203.0.113.7"


def test_an_unknown_username_is_recorded_as_tried(db: Any) -> None:
    Client(REMOTE_ADDR="198.51.100.2").post("/sign-in", {"username": "nobody", "password": "x"})
    entry = AuditEntry.objects.get(action="sign_in_failed")
    assert entry.username == "nobody" and entry.remote_addr == "198.51.100.2"


def test_five_failures_lock_the_username_out_from_that_address_for_30_minutes(make_user: Any) -> None:
    make_user("coordinator", username="priya")
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(4):
        response = client.post("/sign-in", {"username": "priya", "password": "wrong"})
        assert response.status_code == 200
    response = client.post("/sign-in", {"username": "priya", "password": "wrong"})
    assert response.status_code == 429
    body = response.content.decode()
    assert "You cannot sign in at the moment" in body and "for 30 minutes" in body
    # Even the right password is refused while locked out.
    response = client.post("/sign-in", {"username": "priya", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another address, or another username, is not locked out.
    other = Client(REMOTE_ADDR="203.0.113.10")
    assert other.post("/sign-in", {"username": "priya", "password": PASSWORD}).status_code == 302
    assert AuditEntry.objects.filter(action="sign_in_failed", detail__locked_out=True).exists()


def test_a_successful_sign_in_resets_the_count(make_user: Any) -> None:
    make_user("coordinator", username="priya")
    client = Client(REMOTE_ADDR="203.0.113.11")
    for _ in range(4):
        client.post("/sign-in", {"username": "priya", "password": "wrong"})
    assert client.post("/sign-in", {"username": "priya", "password": PASSWORD}).status_code == 302
    client.post("/sign-out")
    for _ in range(4):
        assert client.post("/sign-in", {"username": "priya", "password": "wrong"}).status_code == 200


def test_every_response_carries_the_security_headers_and_a_strict_policy(client: Client) -> None:
    response = client.get("/sign-in")
    policy = response["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
                      "font-src 'self'", "object-src 'none'", "base-uri 'self'", "form-action 'self'",
                      "frame-ancestors 'none'"):
        assert directive in policy
    assert "unsafe-inline" not in policy
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]
    assert "Content-Security-Policy" in client.get("/api/v1/docs")


def test_the_api_docs_have_no_inline_script(client: Client) -> None:
    body = client.get("/api/v1/docs").content.decode()
    assert "<script>" not in body.replace(" ", "")
    assert client.get("/api/v1/docs?script=").status_code == 200


def test_csrf_is_enforced_on_sign_in(make_user: Any) -> None:
    make_user("coordinator", username="priya")
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/sign-in", {"username": "priya", "password": PASSWORD}).status_code == 403


def test_pages_carry_the_session_timeout_warning_and_its_script(web: Client) -> None:
    body = web.get("/").content.decode()
    assert 'id="session-timeout"' in body and 'data-session-seconds="1800"' in body
    assert "homeward/js/session-timeout.js" in body
    assert "Stay signed in" in body


def test_keep_alive_renews_the_session_and_needs_csrf(make_user: Any) -> None:
    person = make_user("coordinator", username="priya")
    client = Client(enforce_csrf_checks=True)
    client.force_login(person)
    assert client.post("/session/keep-alive", HTTP_ACCEPT="application/json").status_code == 403
    page = client.get("/")
    token = page.context["csrf_token"]
    response = client.post("/session/keep-alive", {"csrfmiddlewaretoken": str(token)}, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json() == {"signed_in": True, "expires_in": 1800}
    assert response.cookies["sessionid"]["max-age"] == 1800
    # Without JavaScript the form goes back to the page.
    back = client.post("/session/keep-alive", {"csrfmiddlewaretoken": str(token), "next": "/search"})
    assert back.status_code == 302 and back["Location"] == "/search"
    assert client.get("/session/keep-alive").status_code == 405


def test_keep_alive_after_the_session_ended_says_so(db: Any) -> None:
    response = Client().post("/session/keep-alive", HTTP_ACCEPT="application/json")
    assert response.status_code == 401


def test_check_deploy_is_clean_under_production_settings() -> None:
    import os
    import secrets
    import subprocess
    import sys

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.production",
           "DJANGO_SECRET_KEY": secrets.token_urlsafe(50)[:50], "DJANGO_ALLOWED_HOSTS": "homeward.example"}
    result = subprocess.run(
        [sys.executable, "-m", "homeward.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_requires_two_factor() -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.production",
           "DJANGO_SECRET_KEY": "y" * 50, "DJANGO_ALLOWED_HOSTS": "homeward.example", "HOMEWARD_REQUIRE_2FA": "false"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; "
         "print(settings.HOMEWARD_REQUIRE_2FA, settings.SESSION_COOKIE_SECURE, settings.SESSION_COOKIE_AGE)"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.stdout.split() == ["True", "True", "1800"], result.stderr


def test_a_session_in_use_is_written_at_most_once_a_minute(make_user: Any, monkeypatch: Any) -> None:
    """Idle timeout without a write on every read: the session is saved again (new expiry,
    new cookie) once a minute has passed since it was last saved, and the warning on the page
    counts from that save."""
    from homeward.web import middleware

    clock = {"now": 1_900_000_000.0}
    monkeypatch.setattr(middleware.time, "time", lambda: clock["now"])
    client = Client()
    client.force_login(make_user("coordinator", username="priya"))
    first = client.get("/")
    assert "sessionid" in first.cookies
    clock["now"] += 30
    again = client.get("/")
    assert "sessionid" not in again.cookies
    assert 'data-session-seconds="1770"' in again.content.decode()
    clock["now"] += 31
    later = client.get("/")
    assert later.cookies["sessionid"]["max-age"] == 1800
    assert client.session[middleware.SESSION_REFRESHED_KEY] == int(clock["now"])
