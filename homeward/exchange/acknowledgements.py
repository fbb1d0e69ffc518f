"""The follow-up acknowledgement (docs/exchange.md, ADR 0015): a message first acknowledged
`held` and later matched by hand is acknowledged again, `recorded`, as a message of its own
sent through the outbox (retried, signed afresh at each attempt, as the others); and such a
follow-up, received, replaces the `held` answer on the message of ours it acknowledges, so
the sender's episode shows the message recorded."""

from __future__ import annotations

import logging

from django.utils import timezone

from homeward.accounts.models import User
from homeward.audit.services import audit_record
from homeward.common.errors import DomainValidationError, FieldError
from homeward.obligations.protocol_source import home_authority
from homeward.reference.models import Authority

from .delivery import learn_references
from .messages import ACKNOWLEDGEMENT, MAX_TEXT, CheckedAcknowledgement, acknowledgement, child_reference
from .models import IncomingMessage, IncomingStatus, MessageType, OutgoingMessage, OutgoingStatus, Partner
from .signing import sign

log = logging.getLogger(__name__)


def follow_up_queue(message: IncomingMessage, *, note: str) -> OutgoingMessage | None:
    """Queue the follow-up for a held message just recorded, in the match's transaction; none
    when the sender has no endpoint (it learns of the match only by the messages that follow)."""
    partner = (Partner.objects.select_related("authority").filter(authority_id=message.sender_id,
                                                                  archived_at__isnull=True)
               .exclude(endpoint="").first())
    if partner is None or message.episode is None or message.child is None:
        return None
    body = acknowledgement(in_reply_to=str(message.message_id), home=home_authority(), to=partner.authority.code,
                           status=message.status, child_ref=child_reference(message.child),
                           episode_ref=str(message.episode_id), note=note[:MAX_TEXT])
    return OutgoingMessage.objects.create(
        message_id=body["id"], partner=partner, episode=message.episode, child=message.child,
        type=MessageType.ACKNOWLEDGEMENT, event_at=message.resolved_at or timezone.now(), body=body,
        dedupe_key=f"{ACKNOWLEDGEMENT}|{message.message_id}", next_attempt_at=timezone.now(),
    )


def acknowledged_message(checked: CheckedAcknowledgement, sender: Authority) -> OutgoingMessage:
    """The message of ours to `sender` a follow-up acknowledges (locked), or refused naming
    `in_reply_to`: nothing is stored for a follow-up of a message we never sent it."""
    out = (OutgoingMessage.objects.select_for_update().select_related("partner__authority", "child")
           .filter(message_id=checked.in_reply_to, partner__authority=sender).first())
    if out is None or out.type == MessageType.ACKNOWLEDGEMENT:
        why = (f"No message this Homeward sent to authority {sender.code} has the id {checked.in_reply_to}."
               if out is None else "An acknowledgement is not acknowledged by another.")
        log.warning("exchange: refused an acknowledgement: in_reply_to: %s", why)
        raise DomainValidationError([FieldError("in_reply_to", why)])
    return out


def acknowledgement_take(message: IncomingMessage, checked: CheckedAcknowledgement, out: OutgoingMessage,
                         actor: User) -> None:
    """Record a follow-up on the message it acknowledges and answer it. A `recorded` answer is
    final: a later acknowledgement of a message already recorded is kept and changes nothing."""
    said = checked.payload
    final = out.status == OutgoingStatus.ACKNOWLEDGED and out.acknowledgement.get("status") == IncomingStatus.RECORDED
    if not final:
        # The lease is cleared too: an attempt in flight no longer writes its older answer.
        OutgoingMessage.objects.filter(pk=out.pk).update(
            status=OutgoingStatus.ACKNOWLEDGED, acknowledged_at=timezone.now(), acknowledgement=said,
            acknowledgement_jws=message.jws, next_attempt_at=None, last_error="", leased_until=None, lease_token="")
        learn_references(out, said)
    sender = out.partner.authority
    note = f" ({said['note']})" if said.get("note") else ""
    message.status = IncomingStatus.RECORDED
    message.child_id, message.episode_id = out.child_id, out.episode_id
    message.reason = (f"{sender.name} ({sender.code}) acknowledged our {MessageType(out.type).label.lower()} "
                      f"message {out.message_id}: {checked.status}{note}."
                      + (" It was acknowledged as recorded before; nothing changed." if final else ""))
    answer = acknowledgement(in_reply_to=str(checked.message_id), home=home_authority(), to=sender.code,
                             status=IncomingStatus.RECORDED, child_ref=child_reference(out.child),
                             episode_ref=str(out.episode_id), note=message.reason[:MAX_TEXT])
    answer["sent_at"] = timezone.now().isoformat()
    message.acknowledgement, message.acknowledgement_jws = answer, sign(answer)
    message.save()
    audit_record(actor=actor, action="update", object_type="exchange_message", object_id=str(message.pk),
                 child_id=out.child_id, detail={"acknowledges": str(out.message_id), "status": checked.status,
                                                "changed": not final, "episode": out.episode_id},
                 channel="exchange")
