"""Delivery through a real SMTP server on loopback: each message once, retried while the
server is down, nothing lost; permanent refusals and exhausted retries end as `failed`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from homeward.notifications.delivery import MAX_ATTEMPTS, backoff, notifications_deliver_due
from homeward.notifications.messages import message_id
from homeward.notifications.models import Notification
from homeward.notifications.services import notification_requeue, notifications_for_event

from .conftest import TEAM, Inbox, london

pytestmark = pytest.mark.django_db


@pytest.fixture
def episode(contacts: dict[str, Any], people: dict[str, Any], make_child: Callable[..., Any],
            report: Callable[..., Any]) -> Any:
    child = make_child(given_name="Jade", family_name="Smith", placement={"authority": "855"},
                       allocated_worker="sam", team=TEAM, iro="ida")
    episode = report(child, london(2025, 3, 14, 23, 0), location_last_seen="12 Secret Road")
    notifications_for_event(episode=episode, event="reported")
    return episode


def queued() -> list[Notification]:
    return list(Notification.objects.filter(status="queued").order_by("id"))


def test_each_notification_is_delivered_once_with_its_message_id(smtp_server: Inbox, episode: Any) -> None:
    expected = {message_id(n): n.address for n in queued()}
    assert len(expected) == 5  # worker, manager, EDT, MCT, Leicestershire

    report = notifications_deliver_due()
    assert (report.claimed, report.sent, report.retrying, report.failed) == (5, 5, 0, 0)
    assert Counter(smtp_server.ids()) == Counter(list(expected))
    assert {m["Message-ID"]: m["To"] for m in smtp_server.received} == expected
    assert all(n.status == "sent" and n.attempts == 1 and n.sent_at for n in Notification.objects.all())

    assert notifications_deliver_due().claimed == 0
    assert len(smtp_server.received) == 5


def test_the_email_carries_initials_and_a_link_not_the_childs_details(smtp_server: Inbox, episode: Any) -> None:
    notifications_deliver_due()
    message = next(m for m in smtp_server.received if m["To"] == "sam@westnorthants.example")
    body = message.get_payload(decode=True).decode()
    assert message["Subject"] == f"Homeward episode {episode.pk}: child J.S. was reported missing"
    assert f"http://127.0.0.1:8000/episodes/{episode.pk}" in body
    assert "23:00 on Friday 14 March 2025 (UK time)" in body
    assert "Why you are told: Allocated social worker: the child was reported missing." in body
    assert "West Northamptonshire Missing Children Team" in body
    for secret in ("Jade", "Smith", "2011", "Secret Road", "Leicestershire"):
        assert secret not in body and secret not in message["Subject"]
    assert message["Auto-Submitted"] == "auto-generated"


def test_while_the_server_is_down_nothing_is_lost_and_each_arrives_once_when_it_is_back(
    smtp_server: Inbox, episode: Any, find: Callable[..., Any]
) -> None:
    notifications_deliver_due()
    assert len(smtp_server.received) == 5

    smtp_server.stop()
    episode = find(episode, london(2025, 3, 15, 10, 0))
    notifications_for_event(episode=episode, event="returned")
    returned = {message_id(n) for n in Notification.objects.filter(event="returned", status="queued")}
    assert len(returned) == 7  # a Saturday morning: EDT again, and now the IRO and the police

    now = timezone.now()
    down = notifications_deliver_due(now=now)
    assert (down.claimed, down.sent, down.retrying) == (7, 0, 7)
    for n in Notification.objects.filter(event="returned"):
        assert n.status == "queued" and n.attempts == 1 and n.sent_at is None
        assert n.next_attempt_at == now + backoff(1)
        assert n.last_error.startswith("Attempt 1 failed: ConnectionRefusedError")
    # Not due yet: a second pass at the same instant claims nothing.
    assert notifications_deliver_due(now=now).claimed == 0

    smtp_server.start()
    back = notifications_deliver_due(now=now + backoff(1))
    assert (back.claimed, back.sent) == (7, 7)
    everything = Counter(smtp_server.ids())
    assert set(everything.values()) == {1}
    assert len(everything) == 12
    assert returned <= set(everything)
    assert not Notification.objects.exclude(status="sent").exists()


def test_a_mailbox_the_server_refuses_fails_at_once_and_the_rest_go(smtp_server: Inbox, episode: Any) -> None:
    smtp_server.refuse.add("edt@westnorthants.example")
    report = notifications_deliver_due()
    assert (report.sent, report.failed) == (4, 1)
    edt = Notification.objects.get(recipient_role="edt")
    assert edt.status == "failed" and edt.attempts == 1
    assert "550" in edt.last_error and edt.last_error.startswith("Gave up after attempt 1")


def test_after_the_last_attempt_it_is_failed_and_an_operator_can_queue_it_again(
    smtp_server: Inbox, episode: Any, coordinator: Any
) -> None:
    smtp_server.stop()
    Notification.objects.update(attempts=MAX_ATTEMPTS - 1)
    report = notifications_deliver_due()
    assert report.failed == 5
    mct = Notification.objects.get(recipient_role="mct")
    assert mct.status == "failed" and mct.next_attempt_at is None
    assert mct.last_error.startswith(f"Gave up after attempt {MAX_ATTEMPTS}: ConnectionRefusedError")

    smtp_server.start()
    assert notification_requeue(notification=mct, actor=coordinator)
    assert notifications_deliver_due().sent == 1
    assert smtp_server.ids() == [message_id(mct)]


def test_a_failed_notification_without_an_address_cannot_be_queued_again(
    make_child: Callable[..., Any], report: Callable[..., Any], coordinator: Any
) -> None:
    child = make_child(placement={"authority": "941"})
    notifications_for_event(episode=report(child, london(2025, 3, 12, 11, 0)), event="reported")
    failed = Notification.objects.get(recipient_role="mct")
    assert not notification_requeue(notification=failed, actor=coordinator)
    assert Notification.objects.get(pk=failed.pk).status == "failed"


def test_backoff_doubles_up_to_an_hour() -> None:
    assert [backoff(n) for n in (1, 2, 3, 7, 8, 20)] == [
        timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4), timedelta(hours=1),
        timedelta(hours=1), timedelta(hours=1),
    ]


def test_a_leased_notification_is_not_claimed_again_until_its_lease_runs_out(
    smtp_server: Inbox, episode: Any
) -> None:
    now = timezone.now()
    Notification.objects.update(leased_until=now + timedelta(minutes=5), lease_token="another-worker")
    assert notifications_deliver_due(now=now).claimed == 0
    assert notifications_deliver_due(now=now + timedelta(minutes=6)).sent == 5
    assert len(smtp_server.received) == 5


def test_a_dead_workers_notifications_go_out_within_a_minute(smtp_server: Inbox, episode: Any) -> None:
    """Issue 14: a worker killed mid-batch held its rows for 15 minutes; the lease is now seconds,
    renewed by a live sender before each message."""
    from homeward.notifications.delivery import lease_for

    now = timezone.now()
    assert lease_for() <= timedelta(seconds=60)
    # A worker claimed them and died: its lease is the one a claim takes.
    Notification.objects.update(leased_until=now + lease_for(), lease_token="dead-worker")
    assert notifications_deliver_due(now=now).claimed == 0
    assert notifications_deliver_due(now=now + timedelta(seconds=60)).sent == 5


def test_a_live_sender_renews_its_lease_before_each_message(smtp_server: Inbox, episode: Any,
                                                            monkeypatch: Any) -> None:
    from homeward.notifications import delivery

    seen: list[Any] = []
    real = delivery._renew

    def watching(token: str, rows: list[Any]) -> None:
        real(token, rows)
        seen.append(sorted(Notification.objects.filter(lease_token=token).values_list("leased_until", flat=True)))

    monkeypatch.setattr(delivery, "_renew", watching)
    assert notifications_deliver_due().sent == 5
    assert len(seen) == 5
    # Each renewal keeps every message still to send claimed from that moment on.
    assert all(leases and min(leases) >= timezone.now() - timedelta(seconds=5) for leases in seen)
