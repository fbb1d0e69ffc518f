"""Delivering the exchange's outbox to partners' inboxes (ADR 0015), run by the worker as a
periodic task (`HOMEWARD_PERIODIC_TASKS`, every HOMEWARD_EXCHANGE_POLL_SECONDS).

Claims due messages under a lease (SKIP LOCKED on PostgreSQL, an IMMEDIATE transaction on
SQLite), signs each afresh (`sent_at` now), POSTs it, and records the outcome only while the
lease is still its own. A 202 with an acknowledgement that verifies with the partner's keys
and answers this message is `acknowledged`; a 400 is `rejected` (the partner refused it, for
the reason it gives; an operator fixes the cause and queues it again); no answer, another
status or an acknowledgement that does not verify is tried again after a backoff (the first
wait HOMEWARD_EXCHANGE_RETRY_SECONDS, doubling up to an hour) for three days, then `failed`.
Delivery is at least once; the partner records a message once (idempotent by its id).
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from homeward.reference.models import Authority

from .messages import ACKNOWLEDGEMENT
from .models import ChildReference, EpisodeReference, OutgoingMessage, OutgoingStatus
from .signing import Unverifiable, sign, verify

log = logging.getLogger(__name__)
T = TypeVar("T")

BATCH = 10
TIMEOUT_SECONDS = 15
#: Long enough for a batch of attempts that all time out; a dead worker's rows wait this long.
LEASE = timedelta(seconds=BATCH * (TIMEOUT_SECONDS + 5))
BACKOFF_CAP = timedelta(hours=1)
#: A message not delivered after this long is `failed`, for an operator.
GIVE_UP_AFTER = timedelta(days=3)


@dataclass(frozen=True)
class ExchangeReport:
    claimed: int = 0
    acknowledged: int = 0
    retrying: int = 0
    rejected: int = 0
    failed: int = 0


class NotDelivered(Exception):
    """An attempt that may succeed later."""


class Refused(Exception):
    """The partner answered 400: the same message will be refused again."""


def backoff(attempts: int) -> timedelta:
    wait: timedelta = timedelta(seconds=settings.HOMEWARD_EXCHANGE_RETRY_SECONDS) * 2 ** max(attempts - 1, 0)
    return min(wait, BACKOFF_CAP)


def _retry_locked(operation: Callable[[], T], attempts: int = 6) -> T:
    """SQLite says "database is locked" while another process writes: wait briefly, since a
    lost outcome would mean sending the message again."""
    for attempt in range(attempts):
        try:
            return operation()
        except OperationalError as exc:
            if connection.vendor != "sqlite" or "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.05 * 2**attempt)
    raise AssertionError("unreachable")


def _claim(now: datetime) -> tuple[str, list[int]]:
    token = uuid.uuid4().hex
    with transaction.atomic():
        due = (OutgoingMessage.objects.filter(status=OutgoingStatus.QUEUED, next_attempt_at__lte=now)
               .filter(Q(leased_until__isnull=True) | Q(leased_until__lte=now)).order_by("next_attempt_at", "id"))
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:BATCH])
        if ids:
            OutgoingMessage.objects.filter(pk__in=ids).update(leased_until=timezone.now() + LEASE, lease_token=token)
    return token, ids


def _post(endpoint: str, token: str) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(  # noqa: S310 (the partner's configured https/http endpoint)
        endpoint, data=json.dumps({"jws": token}).encode("utf-8"), method="POST",
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    if not endpoint.startswith(("https://", "http://")):
        raise Refused(f"The endpoint {endpoint!r} is not an http(s) URL.")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            status, raw = response.status, response.read(1_000_000)
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read(1_000_000)
    except (urllib.error.URLError, OSError) as exc:
        raise NotDelivered(f"No answer from {endpoint}: {exc}") from None
    try:
        body = json.loads(raw) if raw else {}
    except ValueError:
        body = {}
    return status, body if isinstance(body, dict) else {}


def _problem_text(body: dict[str, Any]) -> str:
    errors = body.get("errors") or []
    named = "; ".join(f"{e.get('field')}: {e.get('message')}" for e in errors if isinstance(e, dict))
    return named or str(body.get("detail") or body.get("title") or "no reason given")


def _deliver(row: OutgoingMessage) -> tuple[dict[str, Any], str]:
    """One attempt: the verified acknowledgement and its JWS, or an exception saying why not."""
    partner = row.partner
    token = sign({**row.body, "sent_at": timezone.now().isoformat()})
    status, body = _post(partner.endpoint, token)
    if status == 400:
        raise Refused(f"Refused by {partner.authority.code}: {_problem_text(body)}")
    if status != 202:
        raise NotDelivered(f"{partner.endpoint} answered {status}: {_problem_text(body)}")
    ack_jws = body.get("acknowledgement")
    if not isinstance(ack_jws, str):
        raise NotDelivered(f"{partner.endpoint} answered 202 without an acknowledgement.")
    try:
        ack = verify(ack_jws, partner.jwks, signer=partner.authority.code)
    except Unverifiable as exc:
        raise NotDelivered(f"The acknowledgement does not verify: {exc.message}") from None
    if (ack.get("type") != ACKNOWLEDGEMENT or ack.get("in_reply_to") != str(row.message_id)
            or ack.get("from") != partner.authority.code):
        raise NotDelivered("The acknowledgement does not answer this message.")
    return ack, ack_jws


def learn_references(row: OutgoingMessage, ack: dict[str, Any]) -> None:
    """The partner's references for the child and the episode, for the messages that follow."""
    authority = Authority.objects.get(pk=row.partner.authority_id)
    child_ref = (ack.get("child") or {}).get("ref")
    episode_ref = (ack.get("episode") or {}).get("ref")
    if isinstance(child_ref, str) and child_ref and not ChildReference.objects.filter(
            Q(child_id=row.child_id, authority=authority) | Q(authority=authority, reference=child_ref)).exists():
        ChildReference.objects.create(child_id=row.child_id, authority=authority, reference=child_ref[:60])
    if isinstance(episode_ref, str) and episode_ref and not EpisodeReference.objects.filter(
            Q(episode_id=row.episode_id, authority=authority) | Q(authority=authority, reference=episode_ref)).exists():
        EpisodeReference.objects.create(episode_id=row.episode_id, authority=authority, reference=episode_ref[:60])


def exchange_deliver_due(*, now: datetime | None = None) -> ExchangeReport:
    """Deliver the messages due now; see the module's docstring."""
    now = now or timezone.now()
    token, ids = _retry_locked(lambda: _claim(now))
    if not ids:
        return ExchangeReport()
    rows = list(OutgoingMessage.objects.filter(pk__in=ids, lease_token=token)
                .select_related("partner__authority").order_by("next_attempt_at", "id"))
    counts = {"acknowledged": 0, "retrying": 0, "rejected": 0, "failed": 0}
    for row in rows:
        values: dict[str, Any]
        try:
            ack, ack_jws = _deliver(row)
        except Refused as exc:
            values = {"status": OutgoingStatus.REJECTED, "next_attempt_at": None, "last_error": str(exc)[:2000]}
            counts["rejected"] += 1
            log.error("exchange message %s refused: %s", row.message_id, exc)
        except NotDelivered as exc:
            attempts = row.attempts + 1
            if timezone.now() - row.created_at > GIVE_UP_AFTER:
                values = {"status": OutgoingStatus.FAILED, "next_attempt_at": None,
                          "last_error": f"Gave up after attempt {attempts}: {exc}"[:2000]}
                counts["failed"] += 1
            else:
                retry_at = timezone.now() + backoff(attempts)
                values = {"next_attempt_at": retry_at,
                          "last_error": f"Attempt {attempts}: {exc}; next attempt {retry_at.isoformat()}"[:2000]}
                counts["retrying"] += 1
            log.warning("exchange message %s not delivered: %s", row.message_id, exc)
        else:
            values = {"status": OutgoingStatus.ACKNOWLEDGED, "next_attempt_at": None, "last_error": "",
                      "acknowledged_at": timezone.now(), "acknowledgement": ack, "acknowledgement_jws": ack_jws}
            counts["acknowledged"] += 1

        def record(row: OutgoingMessage = row, values: dict[str, Any] = values) -> int:
            with transaction.atomic():
                updated = OutgoingMessage.objects.filter(pk=row.pk, lease_token=token).update(
                    attempts=F("attempts") + 1, leased_until=None, lease_token="", **values)
                if updated and values.get("status") == OutgoingStatus.ACKNOWLEDGED:
                    learn_references(row, values["acknowledgement"])
                return updated

        if not _retry_locked(record):
            log.warning("exchange message %s: lease lost before its outcome was recorded", row.message_id)
    return ExchangeReport(claimed=len(ids), **counts)
