"""The weekly report by email, through a real SMTP server on loopback: Monday from 07:00
Europe/London, once a week however often (and by however many workers) the task runs."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes
from email.message import Message
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller

from homeward.casework.episodes import episode_report
from homeward.digests.models import DeliveryStatus, WeeklyReportDelivery, WeeklyReportRun
from homeward.digests.services import weekly_report_send, weekly_report_send_due

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


@dataclass
class Inbox:
    received: list[Message] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.received.append(message_from_bytes(envelope.original_content))
        return "250 Message accepted for delivery"


@pytest.fixture
def inbox(settings: Any) -> Iterator[Inbox]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER = False, ""
    settings.HOMEWARD_BASE_URL = "https://homeward.example"
    yield box
    controller.stop()


@pytest.fixture
def leaders(make_user: Any) -> list[Any]:
    people = []
    for role, name in (("team_manager", "tess"), ("service_leader", "sol"), ("social_worker", "sam")):
        user = make_user(role, username=name)
        user.email = f"{name}@westnorthants.example"
        user.save()
        people.append(user)
    return people


def test_monday_morning_the_leaders_get_the_report_once(inbox: Inbox, leaders: list[Any], make_child: Any,
                                                       coordinator: Any) -> None:
    child = make_child(given_name="Amara", family_name="Baker")
    missing = episode_report(actor=coordinator, child=child, reported_at=datetime(2025, 3, 9, 20, tzinfo=LONDON),
                             reported_by="police", classification="missing").episode
    # Sunday night (not Monday), then Monday 06:59: too early (10 March 2025 is in GMT).
    assert weekly_report_send_due(now=datetime(2025, 3, 9, 23, 0, tzinfo=LONDON)) is None
    assert weekly_report_send_due(now=datetime(2025, 3, 10, 6, 59, tzinfo=LONDON)) is None
    sent = weekly_report_send_due(now=datetime(2025, 3, 10, 7, 0, tzinfo=LONDON))
    assert sent is not None and (sent.sent, sent.failed) == (2, 0)
    # Later passes on Monday (any worker) send nothing more; nor does any other day.
    assert weekly_report_send_due(now=datetime(2025, 3, 10, 9, 0, tzinfo=LONDON)).sent == 0  # type: ignore[union-attr]
    assert weekly_report_send_due(now=datetime(2025, 3, 12, 9, 0, tzinfo=LONDON)) is None
    assert sorted(m["To"] for m in inbox.received) == ["sol@westnorthants.example", "tess@westnorthants.example"]
    message = inbox.received[0]
    assert message["Subject"] == "Homeward weekly report: the seven days to 10 March 2025"
    text = next(p for p in message.walk() if p.get_content_type() == "text/plain").get_payload(decode=True).decode()
    html = next(p for p in message.walk() if p.get_content_type() == "text/html").get_payload(decode=True).decode()
    assert "Missing now: 1" in text and f"https://homeward.example/episodes/{missing.pk}" in text
    assert "AB, missing since 09/03/2025 20:00" in text
    assert f'<a href="https://homeward.example/episodes/{missing.pk}">' in html
    # Initials only: no names in the email.
    assert "Amara" not in text + html and "Baker" not in text + html
    run = WeeklyReportRun.objects.get()
    assert run.as_of == datetime(2025, 3, 10, 7, 0, tzinfo=LONDON)
    assert set(run.deliveries.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_the_next_week_is_a_new_run_and_summer_time_counts(inbox: Inbox, leaders: list[Any]) -> None:
    weekly_report_send(as_of=datetime(2025, 3, 24, 7, 0, tzinfo=LONDON))
    # Monday 31 March 2025 is in BST: 07:00 London is 06:00 UTC.
    assert weekly_report_send_due(now=datetime(2025, 3, 31, 6, 30, tzinfo=ZoneInfo("UTC"))).sent == 2  # type: ignore[union-attr]
    assert WeeklyReportRun.objects.count() == 2
    assert len(inbox.received) == 4


def test_a_mail_server_that_is_down_is_tried_again(settings: Any, leaders: list[Any]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = int(sock.getsockname()[1])
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port, 2
    report = weekly_report_send(as_of=datetime(2025, 3, 10, 7, 0, tzinfo=LONDON))
    assert (report.sent, report.retrying) == (0, 2)
    assert set(WeeklyReportDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.QUEUED}
