"""Sending the weekly report (seed 002: "a weekly report to team leaders").

`weekly_report_send_due` is the worker's periodic task (HOMEWARD_PERIODIC_TASKS): on
Mondays from 07:00 Europe/London it sends the week's report, as of Monday 07:00, to every
active team manager and service leader with an email address, each scoped to what that
person may see. A worker that was down all Monday sends nothing later in the week: a
Thursday email about "this week" would mislead; the report stays on its page and API.
Each ISO week has one run (a unique row), made with its deliveries in one
transaction; each delivery is claimed with one conditional UPDATE before it is sent, so
however many workers run, nobody gets the week's report twice. A failed send goes back to
the queue for the next pass, up to `MAX_ATTEMPTS`; one interrupted while sending stays
`sending` (it may or may not have gone: never sent twice is the promise).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from homeward.accounts.models import User
from homeward.accounts.roles import Role
from homeward.common.timeutil import LONDON

from .messages import weekly_report_message
from .models import DeliveryStatus, WeeklyReportDelivery, WeeklyReportRun

log = logging.getLogger(__name__)

SEND_FROM = time(7, 0)
MAX_ATTEMPTS = 5
RECIPIENT_ROLES = (Role.TEAM_MANAGER, Role.SERVICE_LEADER)


@dataclass(frozen=True)
class SendReport:
    week_start: date
    sent: int
    failed: int
    retrying: int


def week_start_of(instant: datetime) -> date:
    local = instant.astimezone(LONDON).date()
    return local - timedelta(days=local.weekday())


def monday_morning(week_start: date) -> datetime:
    return datetime.combine(week_start, SEND_FROM, tzinfo=LONDON)


def _run_for(week_start: date, as_of: datetime) -> WeeklyReportRun:
    with transaction.atomic():
        run, created = WeeklyReportRun.objects.get_or_create(week_start=week_start, defaults={"as_of": as_of})
        if created:
            leaders = User.objects.filter(role__in=RECIPIENT_ROLES, is_active=True).exclude(email="").order_by("id")
            WeeklyReportDelivery.objects.bulk_create(
                WeeklyReportDelivery(run=run, user=user, email=user.email) for user in leaders
            )
    return run


def weekly_report_send(*, as_of: datetime) -> SendReport:
    """Send the report of the seven days ending `as_of` to each team leader, once for the
    ISO week (Europe/London) in which `as_of` falls."""
    week_start = week_start_of(as_of)
    run = _run_for(week_start, as_of)
    sent = failed = retrying = 0
    for delivery in run.deliveries.filter(status=DeliveryStatus.QUEUED).select_related("user").order_by("id"):
        claimed = WeeklyReportDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.QUEUED).update(
            status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, claimed_at=timezone.now())
        if not claimed:
            continue
        delivery.refresh_from_db()
        try:
            weekly_report_message(delivery.user, as_of=run.as_of, to=delivery.email).send()
        except Exception as exc:
            log.warning("weekly report to %s failed: %s", delivery.email, exc)
            final = delivery.attempts >= MAX_ATTEMPTS
            WeeklyReportDelivery.objects.filter(pk=delivery.pk).update(
                status=DeliveryStatus.FAILED if final else DeliveryStatus.QUEUED,
                last_error=f"{type(exc).__name__}: {exc}"[:2000])
            failed += final
            retrying += not final
            continue
        WeeklyReportDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SENT, sent_at=timezone.now(),
                                                                   last_error="")
        sent += 1
    return SendReport(week_start=week_start, sent=sent, failed=failed, retrying=retrying)


def weekly_report_send_due(*, now: datetime | None = None) -> SendReport | None:
    """The periodic task: on Monday from 07:00 Europe/London, send this week's report."""
    now = now or timezone.now()
    week_start = week_start_of(now)
    as_of = monday_morning(week_start)
    if now < as_of or now.astimezone(LONDON).date() != week_start:
        return None
    return weekly_report_send(as_of=as_of)
