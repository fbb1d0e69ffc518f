"""Writing the exchange's outbox in the transaction that records the event (ADR 0015).

`exchange_for_event` is called by `casework_commit` for every event of an episode. When the
child crosses a border (placed here by another authority, or ours placed in another) and that
authority is a partner with an endpoint, one message for the event is queued for the worker;
the email to the authority goes as before whatever happens here. Nothing touches the network.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.utils import timezone

from homeward.episodes.models import Episode
from homeward.obligations.facts import child_facts
from homeward.obligations.protocol_source import home_authority
from homeward.protocol.calendar import local_date
from homeward.protocol.facts import ChildFacts

from .messages import VERSION, child_reference, event_body
from .models import ChildReference, EpisodeReference, MessageType, OutgoingMessage, Partner

#: The casework events that are exchanged, and the message each becomes.
EVENT_TYPES: dict[str, str] = {
    "reported": MessageType.MISSING,
    "returned": MessageType.FOUND,
    "rhi_offered": MessageType.INTERVIEW_OFFERED,
    "rhi_interview": MessageType.INTERVIEW_OUTCOME,
}

# The authority whose message is being recorded: it is not told back what it told us.
_receiving_from: ContextVar[str] = ContextVar("exchange_receiving_from", default="")


@contextmanager
def exchange_receiving(sender: str) -> Iterator[None]:
    token = _receiving_from.set(sender)
    try:
        yield
    finally:
        _receiving_from.reset(token)


def partner_authority_for(episode: Episode, facts: ChildFacts, home: str) -> str:
    """The other authority of a cross-border child, or "": the responsible (placing) authority
    of a child that is not ours, else the authority our child is placed in."""
    responsible = facts.responsible_authority
    if responsible and responsible != home:
        return responsible
    placement = facts.placement_on(local_date(episode.missing_since))
    if placement is not None and placement.authority and placement.authority != home:
        return placement.authority
    return ""


def _dedupe_key(message_type: str, event: dict[str, Any]) -> str:
    if message_type == MessageType.INTERVIEW_OFFERED:
        return f"{message_type}|{event['offered_at']}"
    if message_type == MessageType.INTERVIEW_OUTCOME:
        return f"{message_type}|{event['conducted_at']}|{event['outcome']}"
    return message_type


def exchange_for_event(*, episode: Episode, event: str, child_facts_known: ChildFacts | None = None,
                       partners_known: frozenset[str] | None = None) -> OutgoingMessage | None:
    """Queue the message `event` calls for to the child's other authority, once per event
    (idempotent), or nothing: not an exchanged event, an imported episode, no partner with an
    endpoint, or the event came from that partner. `partners_known`: the codes of the
    authorities that are partners with an endpoint, when the caller has read them (a report,
    with the child): another authority among none of them costs no read."""
    message_type = EVENT_TYPES.get(event)
    if message_type is None or episode.imported_from:
        return None
    partners = Partner.objects.filter(archived_at__isnull=True).exclude(endpoint="")
    # With the child's facts at hand, a child of this authority alone (most) costs no read.
    if child_facts_known is None and not partners.exists():
        return None
    home = home_authority()
    facts = child_facts_known or child_facts(episode.child)
    other = partner_authority_for(episode, facts, home)
    if not other or other == _receiving_from.get() or (partners_known is not None and other not in partners_known):
        return None
    partner = partners.select_related("authority").filter(authority__code=other).first()
    if partner is None:
        return None
    event_at, event_fields = event_body(episode, message_type)
    key = _dedupe_key(message_type, event_fields)
    if OutgoingMessage.objects.filter(episode=episode, partner=partner, dedupe_key=key).exists():
        return None
    child = episode.child
    placement = facts.placement_on(local_date(episode.missing_since))
    their_child = ChildReference.objects.filter(child=child, authority=partner.authority).first()
    their_episode = EpisodeReference.objects.filter(episode=episode, authority=partner.authority).first()
    message_id = uuid.uuid4()
    body = {
        "v": VERSION, "id": str(message_id), "type": message_type, "from": home, "to": other,
        "child": {
            "ref": child_reference(child), "your_ref": their_child.reference if their_child else None,
            "given_name": child.given_name, "family_name": child.family_name,
            "date_of_birth": child.date_of_birth.isoformat(), "sex": child.sex,
            "responsible_authority": facts.responsible_authority,
            "placement_authority": placement.authority if placement else None,
        },
        "episode": {"ref": str(episode.pk), "your_ref": their_episode.reference if their_episode else None},
        "event": event_fields,
    }
    row = OutgoingMessage.objects.create(
        message_id=message_id, partner=partner, episode=episode, child=child, type=message_type, event_at=event_at,
        body=body, dedupe_key=key, next_attempt_at=timezone.now(),
    )
    return row
