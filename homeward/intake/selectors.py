"""Reading police messages and the triage queue: only for the MCT and the co-ordinator, and
only what the access choke point lets them see (`visible_children`). A message names a child,
so every read is audited (ADR 0009)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from homeward.accounts.models import User
from homeward.accounts.permissions import Capability, require, visible_children
from homeward.audit.services import audit_list_read, audit_record
from homeward.children.models import Child
from homeward.common.errors import NotFound

from .models import MessageStatus, PoliceMessage
from .parsing import PoliceNotification

CANDIDATES_SHOWN = 10


def police_message_list_for_user(user: User) -> QuerySet[PoliceMessage]:
    """Every message the person may read: those matched to a child they may see, and those
    matched to nobody yet (the queue's own)."""
    require(user, Capability.INTAKE)
    return PoliceMessage.objects.filter(Q(child__isnull=True) | Q(child__in=visible_children(user))).select_related(
        "police_force", "child", "episode")


def triage_queue_for_user(user: User) -> list[PoliceMessage]:
    """The messages waiting for a person, oldest first; the read is audited, naming each."""
    waiting = list(police_message_list_for_user(user).filter(status=MessageStatus.TRIAGE, archived_at__isnull=True)
                   .order_by("received_at", "id").defer("raw"))
    audit_record(actor=user, action="view", object_type="police_message_queue",
                 detail={"messages": [m.pk for m in waiting]})
    audit_list_read(actor=user, object_type="police_message", query={"queue": "triage"},
                    rows=[(m.pk, m.child_id) for m in waiting if m.child_id])
    return waiting


def police_message_get_for_user(user: User, message_id: int, *, audit: bool = True) -> PoliceMessage:
    """One message the person may read, or NotFound; the read is audited, naming the child."""
    message = police_message_list_for_user(user).filter(pk=message_id).first()
    if message is None:
        raise NotFound
    if audit:
        audit_record(actor=user, action="view", object_type="police_message", object_id=str(message.pk),
                     child_id=message.child_id)
    return message


@dataclass(frozen=True)
class Candidate:
    child: Child
    score: int
    reasons: tuple[str, ...]


def _same(a: str, b: str) -> bool:
    return bool(a and b) and " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def intake_candidates(user: User, message: PoliceMessage) -> list[Candidate]:
    """The children a waiting notification may be about, most likely first: among those the
    person may see, any who shares the case-system id, the date of birth, or a name. The
    children listed are audited as read."""
    if not message.parsed:
        return []
    notification = PoliceNotification.from_json(message.parsed)
    near = Q(pk__in=[])
    if notification.case_system_id:
        near |= Q(external_id=notification.case_system_id.strip())
    if notification.date_of_birth:
        near |= Q(date_of_birth=notification.date_of_birth)
    if notification.family_name:
        near |= Q(family_name__iexact=notification.family_name.strip())
    if notification.given_name:
        near |= Q(given_name__iexact=notification.given_name.strip(), date_of_birth__isnull=False)
    ranked: list[Candidate] = []
    for child in visible_children(user).filter(near, archived_at__isnull=True).order_by("id")[:200]:
        reasons = []
        score = 0
        for points, yes, why in (
            (8, _same(child.external_id, notification.case_system_id), "case-system id"),
            (4, child.date_of_birth == notification.date_of_birth, "date of birth"),
            (3, _same(child.family_name, notification.family_name), "family name"),
            (2, _same(child.given_name, notification.given_name) or _same(child.known_as, notification.given_name),
             "given name"),
        ):
            if yes:
                score += points
                reasons.append(why)
        ranked.append(Candidate(child, score, tuple(reasons)))
    ranked.sort(key=lambda c: (-c.score, c.child.family_name, c.child.given_name, c.child.pk))
    shown = ranked[:CANDIDATES_SHOWN]
    audit_list_read(actor=user, object_type="child", query={"police_message": message.pk, "candidates": True},
                    rows=[(c.child.pk, c.child.pk) for c in shown])
    return shown
