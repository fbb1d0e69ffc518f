"""Reading the exchange. An episode's messages are read after the episode itself was fetched
through the access choke point (`episode_get_for_user`); held messages name children, so
only the MCT and the co-ordinator read them (capability `intake`), and each read is audited."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q, QuerySet

from homeward.accounts.models import User
from homeward.accounts.permissions import Capability, require, visible_children
from homeward.audit.services import audit_list_read, audit_record
from homeward.children.models import Child
from homeward.common.errors import NotFound
from homeward.episodes.models import Episode
from homeward.obligations.facts import child_facts

from .messages import ACKNOWLEDGEMENT
from .models import IncomingMessage, IncomingStatus, MessageType, OutgoingMessage, OutgoingStatus

#: The children a held message may be about, shown at most.
CANDIDATES_SHOWN = 10


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


def exchange_sent_for_episode(episode: Episode) -> QuerySet[OutgoingMessage]:
    return OutgoingMessage.objects.filter(episode=episode).select_related("partner__authority")


def exchange_received_for_episode(episode: Episode) -> QuerySet[IncomingMessage]:
    # A follow-up acknowledgement received is shown on the message of ours it answers.
    return (IncomingMessage.objects.filter(episode=episode).exclude(type=MessageType.ACKNOWLEDGEMENT)
            .select_related("sender"))


def exchange_messages_for_episode(episode: Episode, *, sent: Iterable[OutgoingMessage] | None = None,
                                  received: Iterable[IncomingMessage] | None = None) -> list[ExchangeRow]:
    """Every message sent about the episode and every one received onto it, oldest first;
    `sent` and `received`: `exchange_sent_for_episode` and `exchange_received_for_episode` when
    the caller has read them."""
    rows: list[ExchangeRow] = []
    for out in exchange_sent_for_episode(episode) if sent is None else sent:
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
    for inc in exchange_received_for_episode(episode) if received is None else received:
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


def exchange_message_for_user(user: User, message_id: int, *, audit: bool = True) -> IncomingMessage:
    """One message received, for the MCT and the co-ordinator; the read is audited (not when
    the message is only fetched to be changed: the change is audited)."""
    require(user, Capability.INTAKE)
    message = IncomingMessage.objects.select_related("sender").filter(pk=message_id).first()
    if message is None:
        raise NotFound
    if audit:
        audit_record(actor=user, action="view", object_type="exchange_message", object_id=str(message.pk),
                     child_id=message.child_id)
    return message


def placed_by_or_with(child: Child, authority: str) -> bool:
    """The authority placed this child (it is responsible) or hosts its placement: the only
    children an authority's messages may be recorded on."""
    facts = child_facts(child)
    if facts.responsible_authority == authority:
        return True
    return any(p.authority == authority for p in facts.placements)


@dataclass(frozen=True)
class Candidate:
    child: Child
    reasons: tuple[str, ...]
    placed_by_or_with_sender: bool


def _same(ours: str, theirs: object) -> bool:
    return isinstance(theirs, str) and bool(theirs.strip()) and ours.strip().casefold() == theirs.strip().casefold()


def exchange_candidates(user: User, message: IncomingMessage) -> list[Candidate]:
    """The children a held message may be about, most likely first: among those the person
    may see (the access choke point), any with our reference the sender gives, the date of
    birth, or a name as sent. The children listed are audited as read."""
    require(user, Capability.INTAKE)
    said = message.body.get("child") if isinstance(message.body.get("child"), dict) else {}
    your_ref = str(said.get("your_ref") or "").strip()
    near = Q(pk__in=[])
    if your_ref.startswith("homeward-") and your_ref[9:].isdigit():
        near |= Q(pk=int(your_ref[9:]))
    elif your_ref:
        near |= Q(external_id=your_ref)
    born: date | None = None
    try:
        born = date.fromisoformat(str(said.get("date_of_birth")))
    except ValueError:
        born = None
    if born is not None:
        near |= Q(date_of_birth=born)
    for name in ("family_name", "given_name"):
        if isinstance(said.get(name), str) and said[name].strip():
            near |= Q(**{f"{name}__iexact": said[name].strip()})
    ranked: list[tuple[int, Candidate]] = []
    for child in visible_children(user).filter(near, archived_at__isnull=True).order_by("id")[:200]:
        scored = [(points, why) for points, yes, why in (
            (8, bool(your_ref) and your_ref in (child.external_id, f"homeward-{child.pk}"), "our reference"),
            (4, child.date_of_birth == born, "date of birth"),
            (3, _same(child.family_name, said.get("family_name")), "family name"),
            (2, _same(child.given_name, said.get("given_name")) or _same(child.known_as, said.get("given_name")),
             "given name"),
        ) if yes]
        related = placed_by_or_with(child, message.sender.code)
        ranked.append((sum(p for p, _ in scored), Candidate(child, tuple(why for _, why in scored), related)))
    ranked.sort(key=lambda r: (-r[0], not r[1].placed_by_or_with_sender, r[1].child.family_name,
                               r[1].child.given_name, r[1].child.pk))
    shown = [candidate for _, candidate in ranked[:CANDIDATES_SHOWN]]
    if shown:
        audit_list_read(actor=user, object_type="child", query={"exchange_message": message.pk, "candidates": True},
                        rows=[(c.child.pk, c.child.pk) for c in shown])
    return shown


def exchange_follow_up(message: IncomingMessage) -> OutgoingMessage | None:
    """The follow-up acknowledgement queued when the message was matched by hand, if any (read
    after the message itself was fetched for the person)."""
    return OutgoingMessage.objects.filter(dedupe_key=f"{ACKNOWLEDGEMENT}|{message.message_id}",
                                          partner__authority_id=message.sender_id).first()
