"""Delivering the outbox: claim due notifications under a lease, send, record the outcome.

Any number of workers may run this at once (ADR 0003). A claim is a short transaction:
`SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL, an IMMEDIATE (write-locked) transaction
on SQLite; the rows claimed get a lease and a token, so no other worker takes them while
they are being sent, and a worker that dies only delays them until the lease runs out.
Sending happens outside any transaction. Delivery is at least once: a worker that dies
between the server accepting a message and recording it leaves it to be sent again, with
the same Message-ID.
"""

from __future__ import annotations

import logging
import smtplib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from homeward.audit.services import audit_record

from .interview_pdf import interview_pdf, interview_pdf_filename
from .messages import build_message, home_authority_name
from .models import Notification, NotificationStatus

log = logging.getLogger(__name__)
T = TypeVar("T")

#: After this many failed attempts a notification is `failed` and waits for an operator.
MAX_ATTEMPTS = 10
#: The n-th retry waits BACKOFF_BASE * 2**(n-1), at most BACKOFF_CAP: 1, 2, 4 ... 60 minutes.
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=1)
#: How long a claim lasts without being renewed. The sender renews it before each message (each
#: bounded by the SMTP timeout), so a live worker never loses its rows, and a dead worker's rows
#: are claimed again by another within a minute (issue 14).
LEASE = timedelta(seconds=30)


def lease_for() -> timedelta:
    """The lease: long enough for one message (opening the connection and sending, each
    bounded by EMAIL_TIMEOUT), never shorter than LEASE."""
    return max(LEASE, timedelta(seconds=2 * int(settings.EMAIL_TIMEOUT) + 5))


@dataclass(frozen=True)
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt (1, 2, ...)."""
    wait: timedelta = BACKOFF_BASE * 2 ** max(attempts - 1, 0)
    return min(wait, BACKOFF_CAP)


def _retry_locked(operation: Callable[[], T], attempts: int = 6) -> T:
    """Run a short database operation again while SQLite reports another writer.

    SQLite says "database is locked" when its busy timeout runs out, and "database table is
    locked" at once between connections of one shared-cache database (the in-memory test
    database). Giving up on recording an outcome would mean sending the message again
    later, so it is worth a few short waits. Other errors, and other databases, raise.
    """
    for attempt in range(attempts):
        try:
            return operation()
        except OperationalError as exc:
            if connection.vendor != "sqlite" or "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.01 * 2**attempt)
    raise AssertionError("unreachable")


def _claim(now: datetime, limit: int) -> tuple[str, list[int]]:
    return _retry_locked(lambda: _claim_once(now, limit))


def _claim_once(now: datetime, limit: int) -> tuple[str, list[int]]:
    token = uuid.uuid4().hex
    with transaction.atomic():
        due = (
            Notification.objects.filter(status=NotificationStatus.QUEUED, next_attempt_at__lte=now)
            .filter(Q(leased_until__isnull=True) | Q(leased_until__lte=now))
            .order_by("next_attempt_at", "id")
        )
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:limit])
        if ids:
            Notification.objects.filter(pk__in=ids).update(leased_until=timezone.now() + lease_for(),
                                                           lease_token=token)
    return token, ids


def _renew(token: str, rows: list[Notification]) -> None:
    """Keep the claim on the rows still to send: the lease runs from now again."""
    ids = [row.pk for row in rows]
    _retry_locked(lambda: Notification.objects.filter(pk__in=ids, lease_token=token).update(
        leased_until=timezone.now() + lease_for()))


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:1000]


def _permanent(exc: BaseException) -> bool:
    """A 5xx answer from the mail server: retrying the same message will not help."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


class _Outcomes:
    def __init__(self, token: str, now: datetime) -> None:
        self.token, self.now = token, now
        self.sent = self.retrying = self.failed = 0

    def _update(self, row: Notification, **values: object) -> None:
        updated = _retry_locked(lambda: Notification.objects.filter(pk=row.pk, lease_token=self.token).update(
            attempts=F("attempts") + 1, leased_until=None, lease_token="", **values
        ))
        if not updated:
            log.warning("notification %s: lease lost before its outcome was recorded", row.pk)

    def sent_ok(self, row: Notification) -> None:
        self._update(row, status=NotificationStatus.SENT, sent_at=timezone.now(), next_attempt_at=None,
                     last_error="")
        self.sent += 1

    def attempt_failed(self, row: Notification, exc: BaseException) -> None:
        attempts = row.attempts + 1
        error = _describe(exc)
        if _permanent(exc) or attempts >= MAX_ATTEMPTS:
            self._update(row, status=NotificationStatus.FAILED, next_attempt_at=None,
                         last_error=f"Gave up after attempt {attempts}: {error}")
            self.failed += 1
            log.error("notification %s failed for good: %s", row.pk, error)
        else:
            retry_at = self.now + backoff(attempts)
            self._update(row, next_attempt_at=retry_at,
                         last_error=f"Attempt {attempts} failed: {error}; next attempt {retry_at.isoformat()}")
            self.retrying += 1
            log.warning("notification %s attempt %s failed: %s", row.pk, attempts, error)


def _close_quietly(mail: BaseEmailBackend) -> None:
    try:
        mail.close()
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("closing the mail connection: %s", _describe(exc))


def _attachment(row: Notification) -> tuple[str, bytes] | None:
    """The authorised interview as a PDF, for a contact point still marked secure."""
    version = row.attachment_version
    if version is None or row.contact_point is None or not row.contact_point.secure:
        return None
    return interview_pdf_filename(version), _retry_locked(lambda: interview_pdf(version))


def _audit_attachment(row: Notification, filename: str) -> None:
    """The interview left Homeward: an export of the child's record, audited naming the child."""
    version = row.attachment_version
    assert version is not None
    _retry_locked(lambda: audit_record(
        actor=None, action="export", object_type="return_interview", object_id=str(version.interview_id),
        child_id=row.child_id, detail={"format": "pdf", "version": version.number, "notification": row.pk,
                                       "to": row.address, "file": filename}))


def _send_batch(rows: list[Notification], outcomes: _Outcomes) -> None:
    home_name = _retry_locked(home_authority_name)
    mail: BaseEmailBackend = get_connection(fail_silently=False)
    try:
        mail.open()
    except (smtplib.SMTPException, OSError) as exc:
        for row in rows:
            outcomes.attempt_failed(row, exc)
        return
    try:
        for index, row in enumerate(rows):
            _renew(outcomes.token, rows[index:])
            try:
                attachment = _attachment(row)
            except Exception as exc:  # a PDF that cannot be made: retried, then failed, never sent without it
                log.exception("notification %s: the interview PDF could not be made", row.pk)
                outcomes.attempt_failed(row, exc)
                continue
            try:
                accepted = mail.send_messages([build_message(row, home_name=home_name, attachment=attachment)])
            except (smtplib.SMTPException, OSError) as exc:
                outcomes.attempt_failed(row, exc)
                # The connection may be broken: the next message opens a new one.
                _close_quietly(mail)
                continue
            if accepted == 1:
                outcomes.sent_ok(row)
                if attachment is not None:
                    _audit_attachment(row, attachment[0])
            else:
                outcomes.attempt_failed(row, RuntimeError("the mail backend accepted no message"))
    finally:
        _close_quietly(mail)


def notifications_deliver_due(*, now: datetime | None = None, limit: int = 50) -> DeliveryReport:
    """Send up to `limit` queued notifications whose next attempt is due at `now`.

    Uses Django's configured email backend (`EMAIL_BACKEND`: SMTP in every environment but
    the test settings) with `EMAIL_TIMEOUT`. Each notification ends the pass `sent`, queued
    for a retry after an exponential backoff, or `failed` (a permanent 5xx answer, or
    MAX_ATTEMPTS attempts), with `last_error` saying why.
    """
    now = now or timezone.now()
    token, ids = _claim(now, limit)
    if not ids:
        return DeliveryReport()
    rows = _retry_locked(lambda: list(
        Notification.objects.filter(pk__in=ids, lease_token=token)
        .select_related("episode", "child", "contact_point", "attachment_version__interview__episode__child",
                        "attachment_version__authorised_by")
        .order_by("next_attempt_at", "id")
    ))
    outcomes = _Outcomes(token, now)
    _send_batch(rows, outcomes)
    return DeliveryReport(claimed=len(ids), sent=outcomes.sent, retrying=outcomes.retrying,
                          failed=outcomes.failed)


def smtp_settings_summary() -> str:
    """Where mail goes, for the worker's start-up line (no password)."""
    user = f" as {settings.EMAIL_HOST_USER}" if settings.EMAIL_HOST_USER else ""
    tls = " with STARTTLS" if settings.EMAIL_USE_TLS else ""
    return f"{settings.EMAIL_BACKEND} to {settings.EMAIL_HOST}:{settings.EMAIL_PORT}{user}{tls}"
