"""Sign-in security in a browser: no content security policy violations, the API docs too."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_load_under_the_content_security_policy(visit: Any, demo_people: Any) -> None:
    tab = visit()
    tab.goto("/api/v1/docs")
    expect(tab.page.locator(".swagger-ui .info .title")).to_contain_text("Homeward API", timeout=15000)
    tab.page.wait_for_load_state("networkidle")
    assert not tab.csp_violations, tab.csp_violations
    assert not tab.failed_responses, tab.failed_responses


def test_signing_in_shows_no_content_security_policy_violations(visit: Any, demo_people: Any) -> None:
    tab = visit()
    tab.sign_in("coordinator")
    expect(tab.page.get_by_role("heading", level=1)).to_be_visible()
    tab.check("home")


def test_a_warning_comes_before_the_session_ends_and_stay_signed_in_renews_it(visit: Any, demo_people: Any) -> None:
    from django.test import override_settings

    with override_settings(SESSION_COOKIE_AGE=303):
        tab = visit()
        tab.sign_in("coordinator")
        page = tab.page
        banner = page.locator("#session-timeout")
        expect(banner).to_be_hidden()
        expect(banner).to_contain_text("You will be signed out in 5 minutes", timeout=10000)
        expect(banner).to_be_visible()
        tab.check("session timeout warning")
        with page.expect_response("**/session/keep-alive") as renewed:
            page.get_by_role("button", name="Stay signed in").click()
        assert renewed.value.status == 200
        expect(banner).to_be_hidden()
        assert page.url.endswith("/")


def test_two_factor_pages_and_the_audit_pages_are_accessible(visit: Any, demo_people: Any) -> None:
    from django.test import override_settings
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from homeward.accounts.services import user_create
    from homeward.children.services import child_create

    user_create(username="auditor", role="auditor", password="homeward-e2e-password", validate=False)
    child = child_create(
        actor=demo_people["coordinator"], external_id="MOS5002", given_name="Ella", family_name="Morgan",
        date_of_birth=date(2011, 5, 17), sex="female", legal_status="looked_after",
        responsible_authority="941",
    )
    with override_settings(HOMEWARD_REQUIRE_2FA=True):
        tab = visit()
        tab.sign_in("coordinator")
        expect(tab.page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
        tab.check("set up authenticator app")
        device = TOTPDevice.objects.get(user=demo_people["coordinator"])
        code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
        tab.page.get_by_label("Code").fill(code)
        tab.page.get_by_role("button", name="Continue").click()
        expect(tab.page.get_by_role("heading", level=2, name="Your recovery codes")).to_be_visible()
        tab.check("recovery codes")
        tab.page.get_by_role("link", name="Continue").click()
        tab.goto(f"/children/{child.pk}")
        tab.page.get_by_role("link", name="Who has looked at this record").click()
        expect(tab.page.get_by_role("heading", level=1)).to_have_text("Who has looked at this record")
        tab.check("who has looked")
        again = visit(name="again")
        again.sign_in("coordinator")
        expect(again.page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
        again.check("enter your security code")

        other = visit(name="auditor")
        other.sign_in("auditor", "homeward-e2e-password")
        expect(other.page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    tab = visit(name="auditor-page")
    tab.sign_in("auditor", "homeward-e2e-password")
    tab.goto("/audit?person=coordinator")
    expect(tab.page.get_by_role("heading", level=1)).to_have_text("Audit log")
    tab.check("audit log")
    tab.goto("/audit?child=NOPE")
    expect(tab.page.locator(".govuk-error-summary")).to_be_visible()
    tab.check("audit log with an error")


def test_a_nul_in_the_address_is_an_accessible_govuk_error_page(visit: Any, demo_people: Any) -> None:
    """Issue 14, item 10: a 400 naming the parameter, never a server error."""
    tab = visit()
    page = tab.page
    tab.sign_in("coordinator")
    page.get_by_role("heading", name="Your work").wait_for()
    response = tab.goto("/search?q=Kai%00")
    assert response.status == 400
    assert response.headers["cache-control"] == "no-store"
    expect(page.locator(".govuk-error-summary")).to_contain_text("q: Remove the NUL character")
    tab.check("a NUL in the address")
