"""Taking in police notifications by email (issue 12; DOMAIN.md "What comes in").

`intake_receive` keeps the message as received first (one record however often it arrives),
then reads it (`parsing.parse_message`) and matches it to a child. A confident match (the
force and reference of an episode; the case-system id; the names and date of birth exactly,
one child) goes straight to the episode through the casework services, as a report typed in
would (ADR 0011): a missing notification reports the episode (the same force and reference
again is the same episode), a found notification records the return. Anything less waits in
the triage queue with the reason, where the MCT or the co-ordinator match it to a child or
create the child (`intake_triage_match`, `intake_triage_create_child`). Every change is audited.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from homeward.accounts.models import User
from homeward.accounts.permissions import Capability, require
from homeward.accounts.roles import Role
from homeward.audit.services import audit_record
from homeward.casework.episodes import (
    CLOCK_SKEW,
    episode_find_by_police_reference,
    episode_record_found,
    episode_regrade_risk,
    episode_report,
)
from homeward.children.models import Child
from homeward.children.selectors import child_get_for_user
from homeward.children.services import child_create
from homeward.common.errors import DomainValidationError
from homeward.episodes.models import Episode, EpisodeStatus
from homeward.reference.models import PoliceForce
from homeward.reference.selectors import police_force_resolve

from .models import MessageSource, MessageStatus, Outcome, PoliceMessage
from .parsing import FOUND, PoliceNotification, Unreadable, message_headers, message_id_of, parse_message

log = logging.getLogger(__name__)

# A message bigger than this is kept but not read (a notification is a few kilobytes; a PDF a few hundred).
MAX_MESSAGE_BYTES = 15 * 1024 * 1024


@dataclass(frozen=True)
class Received:
    message: PoliceMessage
    created: bool


@dataclass(frozen=True)
class Match:
    """Who a notification is about, when Homeward is sure; else why not."""

    child: Child | None = None
    episode: Episode | None = None
    reason: str = ""


def intake_actor() -> User:
    """The account the mailbox acts as: it records what it takes in as the MCT would, and
    cannot sign in (no usable password)."""
    username = getattr(settings, "HOMEWARD_INTAKE_USERNAME", "police-email-intake")
    user = User.objects.filter(username=username).first()
    if user is None:
        from homeward.accounts.services import user_create

        user = user_create(username=username, role=Role.MCT_ADMIN, password=None, validate=False,
                           first_name="Police email", last_name="intake")
    return user


def _audit(actor: User | None, message: PoliceMessage, action: str, detail: dict[str, Any]) -> None:
    audit_record(actor=actor, action=action, object_type="police_message", object_id=str(message.pk),
                 child_id=message.child_id, detail=detail, channel=None if actor else "email")


def intake_receive(*, raw: bytes, source: str, actor: User | None = None) -> Received:
    """Keep a message as received and act on it. The same message again (same bytes, or the
    same Message-ID) is the first record, untouched. `actor` is the person who uploaded it;
    the mailbox acts as `intake_actor()`."""
    if actor is not None:
        require(actor, Capability.INTAKE)
    digest = hashlib.sha256(raw).hexdigest()
    try:
        message_id = message_id_of(raw)
        headers = message_headers(raw)
        sender, subject = str(headers.get("From", "")), str(headers.get("Subject", ""))
    except Exception:  # a damaged message is still kept; reading it will say why it fails
        message_id, sender, subject = "", "", ""
    existing = _already_received(digest, message_id)
    if existing is not None:
        return Received(existing, created=False)
    try:
        with transaction.atomic():
            message = PoliceMessage.objects.create(
                raw=raw, sha256=digest, message_id=message_id, received_at=timezone.now(), source=source,
                uploaded_by=actor if source == MessageSource.UPLOAD else None,
                sender=parseaddr(sender)[1][:300] or sender[:300], subject=" ".join(subject.split())[:300],
            )
            _audit(actor, message, "create", {"source": source, "message_id": message_id, "sha256": digest,
                                              "bytes": len(raw)})
    except IntegrityError:
        # Another worker took in the same message at the same moment.
        existing = _already_received(digest, message_id)
        if existing is None:
            raise
        return Received(existing, created=False)
    intake_process(message=message, actor=actor or intake_actor())
    message.refresh_from_db()
    return Received(message, created=True)


def _already_received(digest: str, message_id: str) -> PoliceMessage | None:
    same = Q(sha256=digest) | (Q(message_id=message_id) if message_id else Q(pk__in=[]))
    return PoliceMessage.objects.filter(same).order_by("id").first()


def intake_process(*, message: PoliceMessage, actor: User) -> PoliceMessage:
    """Read a received message and act on it. Whatever goes wrong, the message stays, waiting in
    the queue with the reason."""
    try:
        with transaction.atomic():
            _process(message, actor)
    except Exception as exc:
        log.exception("police message %s could not be recorded", message.pk)
        message.refresh_from_db()
        _to_triage(message, actor, Outcome.UNMATCHED,
                   f"Homeward could not record it ({type(exc).__name__}); it waits here to be matched by hand.")
    return message


def _process(message: PoliceMessage, actor: User) -> None:
    raw = bytes(message.raw)
    if len(raw) > MAX_MESSAGE_BYTES:
        _to_triage(message, actor, Outcome.UNREADABLE,
                   f"The message is {len(raw) // (1024 * 1024)} MB: too big to read. Open it and record it by hand.")
        return
    try:
        notification = parse_message(raw)
    except Unreadable as exc:
        _to_triage(message, actor, Outcome.UNREADABLE, str(exc))
        return
    force = police_force_resolve(notification.police_force) if notification.police_force else None
    message.kind = notification.kind
    message.parsed = notification.as_json()
    message.police_force = force
    message.police_reference = notification.police_reference[:60]
    message.save(update_fields=["kind", "parsed", "police_force", "police_reference", "updated_at"])
    match = intake_match(notification, force)
    if match.child is None:
        _to_triage(message, actor, Outcome.UNMATCHED, match.reason)
        return
    try:
        with transaction.atomic():
            _apply(message, notification, force, match.child, match.episode, actor)
    except DomainValidationError as exc:
        message.child = match.child
        _to_triage(message, actor, Outcome.UNMATCHED,
                   f"Matched to the child, but not recorded: {'; '.join(e.message for e in exc.errors)}")


def _to_triage(message: PoliceMessage, actor: User | None, outcome: str, reason: str) -> None:
    message.status = MessageStatus.TRIAGE
    message.outcome = outcome
    message.reason = reason
    message.save()
    _audit(actor, message, "update", {"status": message.status, "outcome": outcome, "reason": reason})


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _contradiction(notification: PoliceNotification, child: Child) -> str:
    if notification.date_of_birth and notification.date_of_birth != child.date_of_birth:
        return (f"the notification gives the date of birth {notification.date_of_birth:%d/%m/%Y}, the child's "
                f"record {child.date_of_birth:%d/%m/%Y}")
    if notification.family_name and not _same_text(notification.family_name, child.family_name):
        return f"the notification names {notification.family_name!r}, the child's record {child.family_name!r}"
    return ""


def intake_match(notification: PoliceNotification, force: PoliceForce | None) -> Match:
    """The child (and episode) a notification is surely about, or why Homeward is not sure.

    Confident: the force and reference of an episode; else the case-system id; else the names
    and date of birth exactly, of one child only. Each only when nothing in the notification
    contradicts the record (date of birth, family name)."""
    if force is not None and notification.police_reference:
        episode = episode_find_by_police_reference(force.code, notification.police_reference)
        if episode is not None:
            child = episode.child
            wrong = _contradiction(notification, child)
            if wrong:
                return Match(reason=f"The police reference is that of episode {episode.pk}, but {wrong}.")
            return Match(child=child, episode=episode)
    if notification.case_system_id:
        held = Child.objects.filter(external_id=notification.case_system_id.strip(), archived_at__isnull=True).first()
        if held is not None:
            wrong = _contradiction(notification, held)
            if wrong:
                return Match(reason=f"The case-system id is that of a child on record, but {wrong}.")
            return Match(child=held)
    if not (notification.given_name and notification.family_name and notification.date_of_birth):
        return Match(reason="No episode has this police reference and no child this case-system id; the "
                            "names and date of birth are not all given.")
    same = [c for c in Child.objects.filter(date_of_birth=notification.date_of_birth, archived_at__isnull=True,
                                            family_name__iexact=notification.family_name.strip())
            if _same_text(c.given_name, notification.given_name)]
    if len(same) == 1:
        return Match(child=same[0])
    if same:
        return Match(reason=f"{len(same)} children have these names and date of birth.")
    return Match(reason="No child on record has these names and date of birth.")


def _reported_at(notification: PoliceNotification, message: PoliceMessage) -> datetime:
    # A notification cannot be reported after it reached Homeward.
    when = notification.reported_at or message.received_at
    return min(when, message.received_at + CLOCK_SKEW)


def _circumstances(notification: PoliceNotification) -> str:
    lines = [notification.circumstances]
    if notification.address:
        lines.append(f"Address given by the police: {notification.address}")
    if notification.officer:
        lines.append(f"Officer: {notification.officer}")
    return "\n".join(line for line in lines if line)


def _apply(message: PoliceMessage, notification: PoliceNotification, force: PoliceForce | None, child: Child,
           episode: Episode | None, actor: User) -> None:
    """Record the notification on the child's episode through the casework services."""
    if notification.kind == FOUND:
        outcome, episode = _apply_found(message, notification, child, episode, actor)
    else:
        outcome, episode = _apply_missing(message, notification, force, child, episode, actor)
    message.child = child
    message.episode = episode
    message.status = MessageStatus.DONE
    message.outcome = outcome
    message.reason = f"{Outcome(outcome).label}: episode {episode.pk}."
    message.save()
    _audit(actor, message, "update", {"status": message.status, "outcome": outcome, "episode": episode.pk})


def _apply_missing(message: PoliceMessage, notification: PoliceNotification, force: PoliceForce | None,
                   child: Child, episode: Episode | None, actor: User) -> tuple[str, Episode]:
    if episode is None:
        result = episode_report(
            actor=actor, child=child, reported_at=_reported_at(notification, message), reported_by="police",
            last_seen_at=notification.last_seen_at, location_last_seen=notification.location_last_seen[:300],
            circumstances=_circumstances(notification), risk_level=notification.risk_level,
            risk_graded_by=notification.officer[:200], police_force=force.code if force else "",
            police_reference=notification.police_reference if force else "",
            reporter_name=(notification.officer or (force.name if force else "Police"))[:200],
        )
        if result.created:
            return Outcome.EPISODE_CREATED, result.episode
        episode = result.episode
    if (notification.risk_level and notification.risk_level != episode.risk_level
            and episode.status == EpisodeStatus.OPEN):
        episode_regrade_risk(actor=actor, episode=episode, risk_level=notification.risk_level,
                             graded_at=max(_reported_at(notification, message), episode.missing_since),
                             graded_by=notification.officer[:200], rationale="From the police notification.")
        return Outcome.RISK_REGRADED, episode
    return Outcome.EPISODE_KNOWN, episode


def _apply_found(message: PoliceMessage, notification: PoliceNotification, child: Child, episode: Episode | None,
                 actor: User) -> tuple[str, Episode]:
    if episode is None:
        episode = child.episodes.filter(status=EpisodeStatus.OPEN).first()
        if episode is None:
            raise DomainValidationError.single("episode", "The child has no open episode to record the return on.")
    if episode.status != EpisodeStatus.OPEN:
        return Outcome.RETURN_KNOWN, episode
    found_at = notification.found_at or _reported_at(notification, message)
    episode = episode_record_found(actor=actor, episode=episode, found_at=min(found_at, timezone.now()),
                                   found_location=notification.found_location[:300],
                                   found_by=notification.officer[:200])
    return Outcome.RETURN_RECORDED, episode


# The triage queue -----------------------------------------------------------------------------


def _waiting(actor: User, message: PoliceMessage) -> tuple[PoliceMessage, PoliceNotification]:
    require(actor, Capability.INTAKE)
    message = PoliceMessage.objects.select_for_update().get(pk=message.pk)
    if message.status != MessageStatus.TRIAGE or message.archived_at is not None:
        raise DomainValidationError.single("message", "This message is no longer waiting in the queue.")
    if not message.parsed:
        raise DomainValidationError.single("message", "Nothing could be read from this message: record it by hand "
                                                      "and archive it with the reason.")
    return message, PoliceNotification.from_json(message.parsed)


@transaction.atomic
def intake_triage_match(*, actor: User, message: PoliceMessage, child_id: int) -> PoliceMessage:
    """The MCT or the co-ordinator say which child a waiting notification is about; it then
    becomes the child's episode (or its return), as a confident match would."""
    message, notification = _waiting(actor, message)
    child = child_get_for_user(actor, child_id)
    episode = None
    if message.police_force is not None and message.police_reference:
        episode = episode_find_by_police_reference(message.police_force.code, message.police_reference)
        if episode is not None and episode.child_id != child.pk:
            raise DomainValidationError.single(
                "child", f"The police reference is already on episode {episode.pk} of another child.")
    _apply(message, notification, message.police_force, child, episode, actor)
    message.resolved_by = actor
    message.resolved_at = timezone.now()
    message.save(update_fields=["resolved_by", "resolved_at", "updated_at"])
    return message


@transaction.atomic
def intake_triage_create_child(*, actor: User, message: PoliceMessage, given_name: str, family_name: str,
                               date_of_birth: date, sex: str, legal_status: str, responsible_authority: str,
                               external_id: str = "") -> PoliceMessage:
    """No child on record: record the child, then the notification becomes their episode."""
    message, _ = _waiting(actor, message)
    child = child_create(actor=actor, external_id=external_id, given_name=given_name, family_name=family_name,
                         date_of_birth=date_of_birth, sex=sex, legal_status=legal_status,
                         responsible_authority=responsible_authority, external_id_required=False)
    return intake_triage_match(actor=actor, message=message, child_id=child.pk)


@transaction.atomic
def intake_archive(*, actor: User, message: PoliceMessage, reason: str) -> PoliceMessage:
    """Take a message out of the queue with a reason (not a notification, recorded by hand...); it is kept."""
    require(actor, Capability.INTAKE)
    message = PoliceMessage.objects.select_for_update().get(pk=message.pk)
    if not reason.strip():
        raise DomainValidationError.single("reason", "Say why the message leaves the queue.")
    if message.archived_at is not None:
        raise DomainValidationError.single("message", "The message is already archived.")
    message.archived_at = timezone.now()
    message.archive_reason = reason.strip()
    message.save(update_fields=["archived_at", "archive_reason", "updated_at"])
    _audit(actor, message, "archive", {"reason": message.archive_reason})
    return message
