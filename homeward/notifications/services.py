"""Writing notifications: one record per recipient of each event, created in the event's
own transaction (DOMAIN.md section 4; ADR 0003)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import cast

from django.db import transaction
from django.utils import timezone

from homeward.accounts.models import User
from homeward.audit.services import audit_record
from homeward.common.bulk import Rows, insert_together
from homeward.common.errors import DomainValidationError
from homeward.episodes.models import Episode
from homeward.protocol.facts import ChildFacts
from homeward.protocol.routing import Event

from .models import Notification, NotificationEvent, NotificationStatus
from .recipients import KnownRows, Recipient, resolve_recipients
from .wake import wake_workers

EVENTS: frozenset[str] = frozenset(NotificationEvent.values)
_suppressed: ContextVar[str] = ContextVar("notifications_suppressed", default="")


@contextmanager
def notifications_suppressed(reason: str) -> Iterator[None]:
    """Record events without telling anyone, for as long as the block runs (this thread or
    task only): an import of historical episodes, demonstration data. Nobody should be
    emailed about an episode that ended years ago."""
    token = _suppressed.set(reason or "suppressed")
    try:
        yield
    finally:
        _suppressed.reset(token)


def notifications_suppressed_now() -> bool:
    """Whether this thread or task is inside `notifications_suppressed(...)`."""
    return bool(_suppressed.get())


def _event_instant(episode: Episode, event: str) -> datetime:
    if event == NotificationEvent.RETURNED:
        if episode.found_at is None:
            raise DomainValidationError.single("found_at", "A return needs the time the child was found.")
        return episode.found_at
    return episode.reported_at


def _key(event: str, recipient: Recipient) -> str:
    if recipient.address:
        return f"{event}|email|{recipient.address.strip().lower()}"
    who = recipient.user.pk if recipient.user else recipient.recipient
    return f"{event}|unaddressed|{recipient.role}|{who}"


def _draft(episode: Episode, event: str, at: datetime, recipient: Recipient, key: str) -> Notification:
    queued = bool(recipient.address)
    return Notification(
        episode=episode, child_id=episode.child_id, event=event, event_at=at,
        recipient_role=recipient.role, roles=[recipient.role], recipient=recipient.recipient[:200],
        recipient_user=recipient.user, contact_point=recipient.contact_point, address=recipient.address,
        reason=recipient.reason, dedupe_key=key,
        status=NotificationStatus.QUEUED if queued else NotificationStatus.FAILED,
        next_attempt_at=timezone.now() if queued else None,
        last_error="" if queued else f"Not sent: {recipient.missing}.",
    )


def notifications_for_event(*, episode: Episode, event: str, at: datetime | None = None,
                            child_facts: ChildFacts | None = None, fresh: bool = False,
                            known: KnownRows | None = None) -> list[Notification]:
    """Record who must be told of `event` ("reported" or "returned") and queue their email.

    Call it inside the transaction that records the event, so the notifications exist if
    and only if the event does. `at` is when the event happened (default: the episode's
    `reported_at` or `found_at`); it decides whether EDT is told (out of hours). Any other
    event (regraded, cancelled...) notifies nobody and returns [], as does any event inside
    `notifications_suppressed(...)`. Idempotent: recipients
    already recorded for this event are skipped, so a second call creates nothing. One
    address due several roles for one event gets one message listing every reason.
    `child_facts`: the child's facts when the caller has built them already; `fresh`: the
    episode was written in this transaction, so nobody has been told of it yet; `known`: the
    rows its people are found among, when the caller has read them (`recipients.KnownRows`).
    Returns the notifications created by this call.
    """
    if event not in EVENTS or _suppressed.get():
        return []
    event_at = at or _event_instant(episode, event)
    existing = set() if fresh else set(Notification.objects.filter(episode=episode)
                                       .values_list("dedupe_key", flat=True))
    drafts: dict[str, Notification] = {}
    for recipient in resolve_recipients(episode=episode, event=cast(Event, event), event_at=event_at,
                                        child_facts_known=child_facts, known=known):
        key = _key(event, recipient)
        if key in existing:
            continue
        if key in drafts:
            merged = drafts[key]
            if recipient.role not in merged.roles:
                merged.roles.append(recipient.role)
                merged.reason = f"{merged.reason}. Also {recipient.reason}"
            continue
        drafts[key] = _draft(episode, event, event_at, recipient, key)
    created = list(drafts.values())
    insert_together(Rows(created))
    if any(n.status == NotificationStatus.QUEUED for n in created):
        transaction.on_commit(wake_workers)
    return created


@transaction.atomic
def notification_requeue(*, notification: Notification, actor: User | None) -> bool:
    """Give a failed notification that has an address a fresh set of attempts, now.

    For an operator after fixing the cause (the mail server, a rejected address). Returns
    False, changing nothing, when it is not failed or has no address to send to.
    """
    row = Notification.objects.select_for_update().get(pk=notification.pk)
    if row.status != NotificationStatus.FAILED or not row.address:
        return False
    before = {"status": row.status, "attempts": row.attempts, "last_error": row.last_error}
    Notification.objects.filter(pk=row.pk).update(
        status=NotificationStatus.QUEUED, attempts=0, next_attempt_at=timezone.now(), leased_until=None,
        lease_token="",
    )
    audit_record(actor=actor, action="update", object_type="notification", object_id=str(row.pk),
                 child_id=row.child_id, detail={"requeued": before})
    transaction.on_commit(wake_workers)
    return True
