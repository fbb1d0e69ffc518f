"""Reading the exchange. An episode's messages are read after the episode itself was fetched
through the access choke point (`episode_get_for_user`); held messages name children, so
only the MCT and the co-ordinator read them (capability `intake`), and each read is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from homeward.accounts.models import User
from homeward.accounts.permissions import Capability, require
from homeward.audit.services import audit_record
from homeward.common.errors import NotFound
from homeward.episodes.models import Episode

from .models import IncomingMessage, IncomingStatus, MessageType, OutgoingMessage, OutgoingStatus


@dataclass(frozen=True)
class ExchangeRow:
    """One message of an episode, sent or received, and where it stands."""

    direction: str  # "sent" or "received"
    message_id: str
    type: str
    type_label: str
    authority: str
    authority_name: str
    at: datetime
    status: str
    status_label: str
    attempts: int
    detail: str


def exchange_messages_for_episode(episode: Episode) -> list[ExchangeRow]:
    """Every message sent about the episode and every one received onto it, oldest first."""
    rows: list[ExchangeRow] = []
    for out in OutgoingMessage.objects.filter(episode=episode).select_related("partner__authority"):
        authority = out.partner.authority
        if out.status == OutgoingStatus.ACKNOWLEDGED:
            said = out.acknowledgement.get("status", "")
            detail = f"Acknowledged: {said}" + (f" ({out.acknowledgement['note']})"
                                                 if out.acknowledgement.get("note") else "")
        else:
            detail = out.last_error
        rows.append(ExchangeRow("sent", str(out.message_id), out.type, MessageType(out.type).label, authority.code,
                                authority.name, out.acknowledged_at or out.created_at, out.status,
                                OutgoingStatus(out.status).label, out.attempts, detail))
    for inc in IncomingMessage.objects.filter(episode=episode).select_related("sender"):
        rows.append(ExchangeRow("received", str(inc.message_id), inc.type, MessageType(inc.type).label,
                                inc.sender.code, inc.sender.name, inc.received_at, inc.status,
                                IncomingStatus(inc.status).label, 1, inc.reason))
    return sorted(rows, key=lambda r: (r.at, r.direction))


def exchange_held_for_user(user: User) -> list[IncomingMessage]:
    """The messages waiting to be matched to a child, oldest first."""
    require(user, Capability.INTAKE)
    held = list(IncomingMessage.objects.filter(status=IncomingStatus.HELD).select_related("sender")
                .order_by("received_at", "id"))
    for message in held:
        audit_record(actor=user, action="view", object_type="exchange_message", object_id=str(message.pk),
                     child_id=message.child_id)
    return held


def exchange_message_for_user(user: User, message_id: int) -> IncomingMessage:
    require(user, Capability.INTAKE)
    message = IncomingMessage.objects.select_related("sender").filter(pk=message_id).first()
    if message is None:
        raise NotFound
    audit_record(actor=user, action="view", object_type="exchange_message", object_id=str(message.pk),
                 child_id=message.child_id)
    return message
