"""The outbox: a cross-border child's events queued for the partner in the event's own
transaction, once each; nothing for a partner without an endpoint (the email goes as before)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from homeward.casework.episodes import episode_record_found, episode_report
from homeward.casework.interviews import rhi_record_offer
from homeward.exchange.models import OutgoingMessage, Partner
from homeward.notifications.models import Notification

from .conftest import PARTNER

pytestmark = pytest.mark.django_db


def report(child: Any, actor: Any) -> Any:
    return episode_report(actor=actor, child=child, reported_at=timezone.now() - timedelta(hours=3),
                          reported_by="placement_provider").episode


def test_our_childs_events_are_queued_for_the_host_once_each(partner: Any, placed_child: Any,
                                                             coordinator: Any) -> None:
    episode = report(placed_child, coordinator)
    episode_record_found(actor=coordinator, episode=episode, found_at=timezone.now() - timedelta(hours=1))
    rhi_record_offer(actor=coordinator, episode=episode, offered_at=timezone.now() - timedelta(minutes=5),
                     method="visit")
    sent = list(OutgoingMessage.objects.order_by("id"))
    assert [m.type for m in sent] == ["missing", "found", "interview_offered"]
    first = sent[0].body
    assert (first["from"], first["to"], first["v"], first["child"]["ref"]) == ("941", PARTNER, 1, "WN-77")
    assert first["episode"]["ref"] == str(episode.pk) and "sent_at" not in first
    assert all(m.status == "queued" and m.next_attempt_at is not None for m in sent)
    # The email to the host authority is not replaced (ADR 0003): notifications are as before.
    assert Notification.objects.filter(episode=episode).exists()


def test_a_partner_without_an_endpoint_is_told_by_email_only(partner: Any, placed_child: Any,
                                                             coordinator: Any) -> None:
    Partner.objects.filter(pk=partner.pk).update(endpoint="")
    report(placed_child, coordinator)
    assert not OutgoingMessage.objects.exists()


def test_a_report_finds_its_partners_with_the_child(partner: Any, placed_child: Any, make_child: Any,
                                                    coordinator: Any) -> None:
    """A report reads the partners with the child (issue 11): a child placed with an authority
    that is no partner, or whose partner has no endpoint, costs no read of the partners."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite reads what a report needs in a few queries, the partners among them")
    Partner.objects.filter(pk=partner.pk).update(endpoint="")
    with CaptureQueriesContext(connection) as seen:
        report(placed_child, coordinator)
    assert not any('FROM "exchange_partner"' in q["sql"].split("jsonb_build_object", 1)[0]
                   for q in seen.captured_queries)
    assert not OutgoingMessage.objects.exists()
    Partner.objects.filter(pk=partner.pk).update(endpoint="http://127.0.0.1:9/api/v1/exchange/inbox")
    report(make_child(external_id="WN-78", placement={"authority": PARTNER, "provider": "Oak House"}), coordinator)
    assert OutgoingMessage.objects.get().body["to"] == PARTNER


def test_a_child_that_crosses_no_border_is_not_exchanged(partner: Any, make_child: Any, coordinator: Any) -> None:
    report(make_child(), coordinator)
    assert not OutgoingMessage.objects.exists()


def test_another_authoritys_child_placed_here_is_reported_to_the_placing_authority(
        partner: Any, make_child: Any, coordinator: Any) -> None:
    child = make_child(responsible_authority=PARTNER, external_id="HOST-1",
                       placement={"authority": "941", "provider": "Elm House"})
    report(child, coordinator)
    message = OutgoingMessage.objects.get()
    assert (message.partner, message.body["child"]["responsible_authority"]) == (partner, PARTNER)
