"""Issue 13: a message from another authority's Homeward held for matching, worked in the
browser by the co-ordinator: the list (from the navigation), the message with the child as
sent, a search refused without words (the error summary), the child found, confirmed and the
message recorded; every page checked with axe-core (WCAG 2.2 AA, zero violations)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from homeward.children.services import PlacementInput, child_create
from homeward.episodes.models import Episode
from homeward.exchange.models import IncomingMessage, OutgoingMessage, Partner
from homeward.exchange.services import exchange_receive
from homeward.exchange.tests.conftest import PARTNER, missing_message, new_key, signed
from homeward.reference.models import Authority

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_held_authority_message_is_found_confirmed_and_recorded(visit: Any, demo_people: Any, settings: Any,
                                                                 tmp_path: Path) -> None:
    settings.HOMEWARD_EXCHANGE_KEY = str(tmp_path / "exchange-key.pem")
    coordinator = demo_people["coordinator"]
    key = new_key()
    Partner.objects.create(authority=Authority.objects.get(code=PARTNER), jwks={"keys": [key.jwk]},
                           endpoint="http://127.0.0.1:9/api/v1/exchange/inbox")
    amira = child_create(actor=coordinator, external_id="WN-77", given_name="Amira", family_name="Stone",
                         date_of_birth=date(2011, 4, 3), sex="female", legal_status="looked_after",
                         responsible_authority="941", allocated_worker="sw.north", team="Children in Care North",
                         placement=PlacementInput(authority=PARTNER, provider="Oak House",
                                                  started_on=date(2024, 1, 1)))
    # The host gives another date of birth: Homeward holds the message.
    message = exchange_receive(token=signed(missing_message(date_of_birth="2011-04-30"), key)).message
    assert message.status == "held"

    tab = visit()
    page = tab.page
    tab.sign_in("coordinator")
    page.get_by_role("heading", name="Your work").wait_for()
    page.get_by_role("link", name="Authority messages", exact=True).click()
    page.get_by_role("heading", name="Messages from other authorities", level=1).wait_for()
    expect(page.get_by_role("cell", name="Amira Stone")).to_be_visible()
    tab.check("held authority messages")

    page.locator(f'a[href="/authority-messages/{message.pk}"]').click()
    page.get_by_role("heading", name="Missing from", level=1).wait_for()
    tab.check("held authority message")
    page.get_by_role("button", name="Search", exact=True).click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    tab.check("held authority message with an error")

    page.get_by_label("Search for the child").fill("Amira Stone")
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_role("heading", name="1 child found").wait_for()
    tab.check("held authority message with the search")
    page.locator("#find-results + ul").get_by_role("link", name="Choose Amira Stone").click()
    page.get_by_role("heading", name="Record the message for Amira Stone?").wait_for()
    tab.check("confirm the child")

    page.get_by_role("button", name="Record the message for this child").click()
    expect(page.locator(".govuk-notification-banner", has_text="Recorded for Amira Stone.")).to_be_visible()
    tab.check("authority message recorded")
    message = IncomingMessage.objects.get(pk=message.pk)
    episode = Episode.objects.get(child=amira)
    assert (message.status, message.episode) == ("recorded", episode)
    assert OutgoingMessage.objects.filter(type="acknowledgement", episode=episode).exists()

    page.get_by_role("link", name=f"Open episode {episode.pk}").click()
    page.locator("#exchange").wait_for()
    expect(page.locator("#exchange + div table")).to_contain_text("Acknowledgement (sent)")
    tab.check("episode with the follow-up acknowledgement")
