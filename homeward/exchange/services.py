"""Receiving the exchange: check, keep, record through the casework services, acknowledge
(docs/exchange.md, ADR 0015).

`exchange_receive` refuses (DomainValidationError, nothing stored) a message that is not a JWS,
is not from a partner, does not verify with the sender's published key (forged or altered),
is stale or the exact token seen before (replayed), or reuses a message id for different
content. A message already recorded, sent again freshly signed, is answered with the first
acknowledgement and changes nothing (idempotent by id). A new message is kept, matched to our
child (by our reference the sender holds, a reference learned before, or the exact names and
date of birth of a child the sender placed or hosts) and recorded on the child's episode
through the casework services, so duties are raised as for any report; a message Homeward
cannot match or record is held for the MCT to match, as a police notification is; once
matched (`exchange_match`) the sender is sent a follow-up acknowledgement through the outbox.
A follow-up acknowledgement received (type `acknowledgement`) is checked the same way and
recorded on the message of ours it answers (`acknowledgements`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from homeward.accounts.models import User
from homeward.accounts.permissions import Capability, require
from homeward.accounts.roles import Role
from homeward.audit.services import audit_record
from homeward.casework.commit import Audit, Chronicle, Reach, casework_commit
from homeward.casework.episodes import CLOCK_SKEW, episode_record_found, episode_report
from homeward.children.models import Child
from homeward.children.selectors import child_get_for_user
from homeward.common.errors import DomainValidationError, FieldError
from homeward.episodes.models import Classification, Episode, EpisodeStatus, MissingFrom, RiskLevel
from homeward.obligations.protocol_source import home_authority
from homeward.reference.models import Authority, PoliceForce

from .acknowledgements import acknowledged_message, acknowledgement_take, follow_up_queue
from .messages import (
    ACKNOWLEDGEMENT,
    Checked,
    CheckedAcknowledgement,
    acknowledgement,
    check_acknowledgement,
    check_message,
    child_reference,
    identity,
    parse_time,
)
from .models import (
    ChildReference,
    EpisodeReference,
    IncomingMessage,
    IncomingStatus,
    MessageType,
    Partner,
    ReceivedToken,
)
from .outbox import exchange_receiving
from .selectors import placed_by_or_with
from .signing import Unverifiable, peek, sign, token_digest, verify

log = logging.getLogger(__name__)

#: A message signed this far ahead of our clock is refused.
FUTURE_SKEW = timedelta(seconds=60)


@dataclass(frozen=True)
class Receipt:
    message: IncomingMessage
    created: bool

    @property
    def acknowledgement_jws(self) -> str:
        return self.message.acknowledgement_jws


def exchange_actor() -> User:
    """The account the exchange records as: an MCT account that cannot sign in."""
    username = settings.HOMEWARD_EXCHANGE_USERNAME
    user = User.objects.filter(username=username).first()
    if user is None:
        from homeward.accounts.services import user_create

        user = user_create(username=username, role=Role.MCT_ADMIN, password=None, validate=False,
                           first_name="Authority", last_name="exchange")
    return user


def _refuse(field: str, message: str) -> DomainValidationError:
    log.warning("exchange: refused a message: %s: %s", field, message)
    return DomainValidationError([FieldError(field, message)])


def _verified(token: str) -> tuple[dict[str, Any], Authority]:
    """The payload, once its signature and sender are checked."""
    try:
        _, claimed = peek(token)
    except Unverifiable as exc:
        raise _refuse(exc.field, exc.message) from None
    sender_code = str(claimed.get("from", ""))
    partner = Partner.objects.select_related("authority").filter(authority__code=sender_code,
                                                                 archived_at__isnull=True).first()
    if partner is None or not partner.jwks:
        raise _refuse("from", f"Authority {sender_code!r} is not an exchange partner of this Homeward "
                              "(no published keys are configured for it).")
    try:
        payload = verify(token, partner.jwks, signer=sender_code)
    except Unverifiable as exc:
        raise _refuse(exc.field, exc.message) from None
    return payload, partner.authority


def _fresh(payload: dict[str, Any]) -> None:
    """Refuse a message signed too long ago (replayed or delayed) or in the future."""
    sent_at = parse_time(payload["sent_at"])
    assert sent_at is not None
    now = timezone.now()
    max_age = timedelta(seconds=settings.HOMEWARD_EXCHANGE_MAX_AGE_SECONDS)
    if sent_at < now - max_age:
        raise _refuse("sent_at", f"Signed at {sent_at.isoformat()}, more than {int(max_age.total_seconds())} "
                                 "seconds ago: a replayed or delayed message. The sender signs each attempt "
                                 "afresh.")
    if sent_at > now + FUTURE_SKEW:
        raise _refuse("sent_at", f"Signed at {sent_at.isoformat()}, in the future.")


def exchange_receive(*, token: str) -> Receipt:
    """Take in one signed message; see the module's docstring."""
    payload, sender = _verified(token)
    checked: Checked | CheckedAcknowledgement | None
    if payload.get("type") == ACKNOWLEDGEMENT:
        checked, errors = check_acknowledgement(payload, home=home_authority())
    else:
        checked, errors = check_message(payload, home=home_authority())
    if errors:
        raise DomainValidationError(errors)
    assert checked is not None
    _fresh(payload)
    digest = token_digest(token)
    if ReceivedToken.objects.filter(sha256=digest).exists():
        raise _refuse("jws", "Replayed: this exact signed message was received before. A sender signs each "
                             "attempt afresh.")
    try:
        with transaction.atomic():
            existing = IncomingMessage.objects.select_for_update().filter(
                sender=sender, message_id=checked.message_id).first()
            if existing is not None:
                if identity(existing.body) != identity(checked.payload):
                    raise _refuse("id", f"Message {checked.message_id} was received before with different content.")
                ReceivedToken.objects.create(sha256=digest, message=existing, received_at=timezone.now())
                return Receipt(existing, created=False)
            answered = (acknowledged_message(checked, sender) if isinstance(checked, CheckedAcknowledgement)
                        else None)
            message = IncomingMessage.objects.create(
                sender=sender, message_id=checked.message_id, type=str(payload["type"]), jws=token,
                body=identity(checked.payload), received_at=timezone.now(), status=IncomingStatus.HELD,
                acknowledgement_jws="",
            )
            ReceivedToken.objects.create(sha256=digest, message=message, received_at=message.received_at)
            actor = exchange_actor()
            audit_record(actor=actor, action="create", object_type="exchange_message", object_id=str(message.pk),
                         child_id=None, detail={"from": sender.code, "type": message.type,
                                                "message_id": str(checked.message_id)},
                         channel="exchange")
            if answered is not None:
                assert isinstance(checked, CheckedAcknowledgement)
                acknowledgement_take(message, checked, answered, actor)
            else:
                assert isinstance(checked, Checked)
                _process(message, checked, actor)
    except IntegrityError:
        # The same token or message at the same moment on another connection.
        raise _refuse("jws", "Replayed: this signed message is being received already.") from None
    return Receipt(message, created=True)


def _hold(message: IncomingMessage, reason: str, child: Child | None = None) -> None:
    message.status = IncomingStatus.HELD
    message.reason = reason
    message.child = child
    message.episode = None


def _process(message: IncomingMessage, checked: Checked, actor: User, child: Child | None = None,
             channel: str | None = "exchange") -> None:
    """Match and record, or hold; then the acknowledgement. A failure to record leaves the
    message held with the reason (a savepoint undoes any part written)."""
    if child is None:
        child, why = _match_child(checked)
        if child is None:
            _hold(message, why)
    if child is not None:
        try:
            with transaction.atomic(), exchange_receiving(checked.sender):
                episode, done = _apply(checked, child, actor)
                _remember(checked, child, episode)
            message.status = IncomingStatus.RECORDED
            message.child = child
            message.episode = episode
            message.reason = done
        except DomainValidationError as exc:
            _hold(message, "Matched to a child, but not recorded: "
                           + "; ".join(f"{e.field}: {e.message}" for e in exc.errors), child)
    _acknowledge(message, checked)
    message.save()
    audit_record(actor=actor, action="update", object_type="exchange_message", object_id=str(message.pk),
                 child_id=message.child_id, detail={"status": message.status, "reason": message.reason,
                                                    "episode": message.episode_id}, channel=channel)


def _acknowledge(message: IncomingMessage, checked: Checked) -> None:
    ack = acknowledgement(
        in_reply_to=str(checked.message_id), home=home_authority(), to=checked.sender, status=message.status,
        child_ref=child_reference(message.child) if message.child else None,
        episode_ref=str(message.episode_id) if message.episode_id else None, note=message.reason)
    ack["sent_at"] = timezone.now().isoformat()
    message.acknowledgement = ack
    message.acknowledgement_jws = sign(ack)


def _related(child: Child, sender: str) -> bool:
    return placed_by_or_with(child, sender)


def _match_child(checked: Checked) -> tuple[Child | None, str]:
    said = checked.child
    children = Child.objects.filter(archived_at__isnull=True).select_related("responsible_authority")
    child: Child | None = None
    your_ref = (said.get("your_ref") or "").strip()
    if your_ref:
        if your_ref.startswith("homeward-") and your_ref[9:].isdigit():
            child = children.filter(pk=int(your_ref[9:])).first()
        else:
            child = children.filter(external_id=your_ref).first()
        if child is None:
            return None, f"No child on record has our reference {your_ref!r}, which the sender gives."
    if child is None:
        learned = ChildReference.objects.filter(authority__code=checked.sender, reference=said["ref"]).first()
        child = children.filter(pk=learned.child_id).first() if learned else None
    if child is None:
        given, family, dob = said.get("given_name"), said.get("family_name"), said.get("date_of_birth")
        if not (given and family and dob):
            return None, "No reference we know, and the names and date of birth are not all given."
        same = [c for c in children.filter(date_of_birth=dob, family_name__iexact=family.strip())
                if c.given_name.strip().casefold() == given.strip().casefold() and _related(c, checked.sender)]
        if len(same) != 1:
            return None, (f"{len(same)} children placed by or with authority {checked.sender} have these names and "
                          "date of birth." if same else
                          f"No child placed by or with authority {checked.sender} has these names and date of birth.")
        child = same[0]
    dob = said.get("date_of_birth")
    if dob and dob != child.date_of_birth.isoformat():
        return None, (f"The message gives the date of birth {dob}, the record of the child it names "
                      f"{child.date_of_birth.isoformat()}.")
    if not _related(child, checked.sender):
        return None, f"The child it names is not one placed by or with authority {checked.sender}."
    return child, ""


def _episode_for(checked: Checked, child: Child) -> Episode | None:
    said = checked.episode
    episodes = Episode.objects.filter(child=child).exclude(status=EpisodeStatus.CANCELLED)
    your_ref = (said.get("your_ref") or "").strip()
    if your_ref.isdigit():
        mine = episodes.filter(pk=int(your_ref)).first()
        if mine is not None:
            return mine
    learned = EpisodeReference.objects.filter(authority__code=checked.sender, reference=said["ref"]).first()
    if learned is not None and learned.episode.child_id == child.pk:
        return learned.episode
    if checked.type in (MessageType.MISSING, MessageType.FOUND):
        # The same absence may be known here already (the carers rang): its open episode.
        return episodes.filter(status=EpisodeStatus.OPEN).first()
    return episodes.order_by("-missing_since", "-id").first()


def _time(checked: Checked, name: str) -> datetime | None:
    return parse_time(checked.event.get(name))


def _authority_name(code: str) -> str:
    authority = Authority.objects.filter(code=code).first()
    return f"{authority.name} ({code})" if authority else code


def _apply(checked: Checked, child: Child, actor: User) -> tuple[Episode, str]:
    episode = _episode_for(checked, child)
    event = checked.event
    sender = _authority_name(checked.sender)
    now = timezone.now()
    if checked.type == MessageType.MISSING:
        if episode is not None:
            return episode, f"Already recorded: episode {episode.pk}."
        reported_at = _time(checked, "reported_at")
        assert reported_at is not None
        force = str(event.get("police_force") or "")
        known_force = bool(force) and PoliceForce.objects.filter(code=force).exists()
        classification = event.get("classification") or Classification.MISSING
        result = episode_report(
            actor=actor, child=child, reported_at=min(reported_at, now + CLOCK_SKEW), reported_by="other",
            reporter_name=f"{sender}, by the authority exchange"[:200],
            last_seen_at=_time(checked, "last_seen_at"),
            location_last_seen=str(event.get("location_last_seen") or "")[:300],
            circumstances=str(event.get("circumstances") or ""),
            missing_from=str(event["missing_from"]) if event.get("missing_from") in MissingFrom.values else "",
            classification=classification if classification in Classification.values else Classification.MISSING,
            whereabouts_known=event.get("whereabouts_known") is True,
            risk_level=str(event["risk_level"]) if event.get("risk_level") in RiskLevel.values else "",
            risk_graded_by=sender[:200],
            police_force=force if known_force else "",
            police_reference=str(event.get("police_reference") or "")[:60] if known_force else "",
        )
        return result.episode, f"Reported: episode {result.episode.pk}."
    if episode is None:
        raise DomainValidationError.single("episode", "The child has no episode here to record this on.")
    if checked.type == MessageType.FOUND:
        if episode.status != EpisodeStatus.OPEN:
            return episode, f"Return already recorded on episode {episode.pk}."
        found_at = _time(checked, "found_at")
        assert found_at is not None
        episode_record_found(actor=actor, episode=episode, found_at=min(found_at, now),
                             found_location=str(event.get("found_location") or "")[:300],
                             found_by=str(event.get("found_by") or "")[:200])
        return episode, f"Return recorded on episode {episode.pk}."
    at = _time(checked, "offered_at" if checked.type == MessageType.INTERVIEW_OFFERED else "conducted_at")
    assert at is not None
    if checked.type == MessageType.INTERVIEW_OFFERED:
        answer = f"; {event['answer']}" if event.get("answer") else ""
        summary = f"Return interview offered by {sender} ({event.get('method') or 'method not given'}{answer})."
    else:
        summary = (f"Return interview by {sender}: {event.get('outcome') or 'outcome not given'}"
                   + (f", {str(event['method']).replace('_', ' ')}" if event.get("method") else "") + ".")
    casework_commit(actor=actor, child=child, episode=episode, reach=Reach.NONE, event=f"exchange_{checked.type}",
                    chronicle=Chronicle(min(at, now), f"exchange_{checked.type}", summary),
                    audit=Audit("update", "episode", str(episode.pk), {"exchange": checked.type, "from": checked.sender,
                                                                       "message_id": str(checked.message_id)}))
    return episode, f"Recorded on episode {episode.pk}: {summary}"


def _remember(checked: Checked, child: Child, episode: Episode) -> None:
    """The sender's references for our child and episode, for the messages that follow."""
    sender = Authority.objects.get(code=checked.sender)
    if not ChildReference.objects.filter(child=child, authority=sender).exists() and \
            not ChildReference.objects.filter(authority=sender, reference=checked.child["ref"]).exists():
        ChildReference.objects.create(child=child, authority=sender, reference=checked.child["ref"][:60])
    if not EpisodeReference.objects.filter(episode=episode, authority=sender).exists() and \
            not EpisodeReference.objects.filter(authority=sender, reference=checked.episode["ref"]).exists():
        EpisodeReference.objects.create(episode=episode, authority=sender, reference=checked.episode["ref"][:60])


@transaction.atomic
def exchange_match(*, actor: User, message: IncomingMessage, child_id: int) -> IncomingMessage:
    """The MCT or the co-ordinator say which child a held message is about; it is then
    recorded as a confident match would be, and the sender, told `held` at first, is sent a
    follow-up acknowledgement (`recorded`) through the outbox. The child is looked up through
    the access choke point: one the person may not see is NotFound, as one that does not exist."""
    require(actor, Capability.INTAKE)
    message = IncomingMessage.objects.select_for_update().get(pk=message.pk)
    if message.status != IncomingStatus.HELD:
        raise DomainValidationError.single("message", "This message is not held for matching.")
    child = child_get_for_user(actor, child_id)
    checked, errors = check_message({**message.body, "sent_at": message.received_at.isoformat()},
                                    home=home_authority())
    if checked is None:
        raise DomainValidationError(errors)
    if not _related(child, checked.sender):
        raise DomainValidationError.single("child", f"This child is not placed by or with authority "
                                                    f"{checked.sender}.")
    first_answer, first_answer_jws = message.acknowledgement, message.acknowledgement_jws
    held_because = message.reason
    _process(message, checked, actor, child=child, channel=None)
    if message.status != IncomingStatus.RECORDED:
        raise DomainValidationError.single("child", message.reason)
    # What was answered stays what was answered: a re-delivery gets the same acknowledgement.
    # What the match recorded reaches the sender as a follow-up of its own.
    message.acknowledgement, message.acknowledgement_jws = first_answer, first_answer_jws
    message.resolved_by = actor
    message.resolved_at = timezone.now()
    message.save()
    follow_up_queue(message, note=f"Held on receipt ({held_because}); matched to the child by hand: "
                                  f"{message.reason}")
    return message


def receipt_summary(message: IncomingMessage) -> dict[str, Any]:
    return {"status": message.status, "in_reply_to": str(message.message_id), "note": message.reason}
