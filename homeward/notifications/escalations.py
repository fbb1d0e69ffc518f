"""Telling people of the escalations and sharings of an episode (DOMAIN.md section 4; issue 13).

Beside the report and the return (`services.notifications_for_event`), these events tell
people, each as notifications like the others: a record per recipient, delivered by the
worker with retries, never created (so never sent) twice for one occurrence:

- `graded_high`: the child graded high risk (seed 002: "senior managers involved"): the team
  manager, the service leaders, the senior manager on duty (a contact point of kind
  `senior_on_duty`) and the MCT.
- `missing_72_hours`: still missing 72 hours after `missing_since` (seed 002): the Senior
  Assistant Director (every active person of role `senior_manager`), and the police of the
  episode's force, who tell the UK Missing Persons Unit.
- `reclassified_missing`: an absence reclassified as missing: whoever a report tells.
- `concern_shared`: a safeguarding concern shared before authorisation, at once and urgent,
  with the police, the social worker and the IRO chosen.
- `interview_shared`: the authorised interview shared with the police, the social worker
  and the IRO chosen: a message that it is ready in Homeward; to a contact point marked
  `secure`, the authorised interview itself as a PDF attachment.
- `parental_responsibility`: a looked-after child of the home authority reported: each person
  with parental responsibility whose email address is held (the social worker's duty
  `parental_responsibility_informed` is still theirs to record).
- `exploitation`: exploitation indicators recorded in a risk analysis or an interview: the
  exploitation (CSE/CCE) team's contact points and each active person of role
  `exploitation_team`.

The casework services say what happened (`Escalation`) to `casework_commit`, which calls
`notifications_for_escalation` in the transaction that records the fact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from homeward.accounts.models import User
from homeward.accounts.roles import Role
from homeward.episodes.models import Episode
from homeward.interviews.models import RhiVersion
from homeward.obligations.facts import child_facts
from homeward.obligations.protocol_source import home_authority
from homeward.protocol.calendar import local_date
from homeward.protocol.facts import ChildFacts
from homeward.reference.models import Authority

from .models import ContactKind, Notification, NotificationEvent
from .recipients import KnownRows, Recipient, _contacts, _person, _team_managers, resolve_recipients
from .services import _draft, notifications_suppressed_now
from .wake import wake_workers

#: The people an interview or a concern is shared with (`rhi_share`'s recipients).
SHARE_RECIPIENTS = ("police", "social_worker", "iro")


@dataclass(frozen=True)
class Escalation:
    """Something that happened on an episode that tells people beyond the report and return.

    `event`: a `NotificationEvent` value. `at`: when it happened. `occurrence`: what makes this
    one distinct among the episode's events of the kind (a grading's id, a sharing's id, the
    exploitation codes): the same occurrence twice tells nobody twice. `shared_with`: for a
    sharing, the recipients chosen (police, social_worker, iro). `version`: for an interview
    shared, the authorised version a secure contact point receives. `what`: a few words on
    what was recorded, for the reason (never personal details: the email is not secure).
    """

    event: str
    at: datetime
    occurrence: str
    shared_with: tuple[str, ...] = ()
    version: RhiVersion | None = None
    what: str = ""

    @property
    def urgent(self) -> bool:
        return self.event == NotificationEvent.CONCERN_SHARED


def _everyone_of_role(code: str, label: str, role: str, why: str) -> list[Recipient]:
    people = list(User.objects.filter(role=role, is_active=True).order_by("id"))
    if not people:
        return [Recipient(role=code, recipient=f"{label} (nobody on record)", reason=f"{label}: {why}",
                          missing=f"no active person has the role '{role}'; add one, or give one that role")]
    return [r for person in people for r in _person(code, label, person, why)]


def _police(episode: Episode, why: str) -> list[Recipient]:
    force = episode.police_force or Authority.objects.get(code=home_authority()).police_force
    return _contacts("police", f"Police ({force.name})", ContactKind.POLICE, why, force=force)


def _social_worker(episode: Episode, why: str) -> list[Recipient]:
    child = episode.child
    if child.allocated_worker is not None:
        return _person("allocated_social_worker", "Allocated social worker", child.allocated_worker, why)
    return _contacts("front_door", "Front door (MASH)", ContactKind.FRONT_DOOR, f"{why}; the case is unallocated")


def _shared(episode: Episode, escalation: Escalation, why: str) -> list[Recipient]:
    out: list[Recipient] = []
    for code in SHARE_RECIPIENTS:
        if code not in escalation.shared_with:
            continue
        if code == "police":
            out += _police(episode, why)
        elif code == "social_worker":
            out += _social_worker(episode, why)
        else:
            out += _person("iro", "Independent reviewing officer", episode.child.iro, why)
    return out


def _parents(episode: Episode, facts: ChildFacts, known: KnownRows | None = None) -> list[Recipient]:
    """Each person with parental responsibility whose email address is held, for a looked-after
    child of the home authority (another authority tells its own child's parents)."""
    day = local_date(episode.missing_since)
    if facts.legal_status_on(day) != "looked_after" or facts.responsible_authority != home_authority():
        return []
    adults = known.parents if known is not None else episode.child.responsible_adults.filter(
        has_parental_responsibility=True, archived_at__isnull=True).order_by("id")
    what = f"the child was reported {episode.classification or 'missing'}"
    unknown = "relationship not recorded"
    return [Recipient(role="parental_responsibility", recipient=adult.name[:200], address=adult.email.strip(),
                      reason=f"Person with parental responsibility ({adult.relationship or unknown}): {what}")
            for adult in adults if adult.email.strip()]


def recipients_for_escalation(*, episode: Episode, escalation: Escalation,
                              facts: ChildFacts | None = None, known: KnownRows | None = None) -> list[Recipient]:
    """Everyone `escalation` tells, in a stable order. A role that resolves to nobody still
    gives a recipient, with no address, stored as a failed notification saying what to set up.
    `known`: the rows the child's people are found among, when the caller has read them."""
    event = escalation.event
    if event == NotificationEvent.GRADED_HIGH:
        why = "the child was graded high risk"
        return (_team_managers(episode.child, why, known=known)
                + _everyone_of_role("service_leader", "Service leader", Role.SERVICE_LEADER, why)
                + _contacts("senior_on_duty", "Senior manager on duty", ContactKind.SENIOR_ON_DUTY, why)
                + _contacts("mct", "Missing Children Team", ContactKind.MCT, why))
    if event == NotificationEvent.MISSING_72_HOURS:
        why = "the child has been missing for 72 hours"
        return (_everyone_of_role("senior_assistant_director", "Senior Assistant Director", Role.SENIOR_MANAGER,
                                  why)
                + _police(episode, f"{why}: notify the UK Missing Persons Unit"))
    if event == NotificationEvent.RECLASSIFIED_MISSING:
        return resolve_recipients(episode=episode, event="reported", event_at=escalation.at, child_facts_known=facts,
                                  what="the episode was reclassified from absent to missing", known=known)
    if event == NotificationEvent.CONCERN_SHARED:
        return _shared(episode, escalation, "a safeguarding concern from the return interview, shared at once "
                                            "before authorisation")
    if event == NotificationEvent.INTERVIEW_SHARED:
        return _shared(episode, escalation, "the authorised return interview is shared with you")
    if event == NotificationEvent.PARENTAL_RESPONSIBILITY:
        return _parents(episode, facts or child_facts(episode.child), known)
    if event == NotificationEvent.EXPLOITATION:
        why = f"exploitation indicators recorded in {escalation.what or 'the episode'}"
        # The team's inbox, and each member who signs in to Homeward with the role (ADR 0016),
        # who finds the child on their home page.
        members = User.objects.filter(role=Role.EXPLOITATION_TEAM, is_active=True).order_by("id")
        return (_contacts("exploitation", "Exploitation (CSE/CCE) team", ContactKind.EXPLOITATION, why)
                + [r for member in members for r in _person("exploitation", "Exploitation (CSE/CCE) team", member,
                                                            why)])
    raise ValueError(f"{event!r} is not an escalation")


def _key(escalation: Escalation, recipient: Recipient) -> str:
    head = f"{escalation.event}:{escalation.occurrence}"
    if recipient.address:
        return f"{head}|email|{recipient.address.strip().lower()}"[:300]
    who = recipient.user.pk if recipient.user else recipient.recipient
    return f"{head}|unaddressed|{recipient.role}|{who}"[:300]


def notifications_for_escalation(*, episode: Episode, escalation: Escalation, facts: ChildFacts | None = None,
                                 fresh: bool = False, known: KnownRows | None = None) -> list[Notification]:
    """Record who `escalation` tells and queue their email, in the caller's transaction.

    Idempotent per occurrence: recipients already recorded for it are skipped. One address
    due several roles gets one message listing every reason. Nobody is told of an imported
    episode or inside `notifications_suppressed(...)`. The authorised interview is attached
    only for a contact point marked `secure`. `fresh`: the episode was written in this
    transaction, so nobody has been told of it yet. Returns the notifications created.
    """
    if episode.imported_from or notifications_suppressed_now():
        return []
    recipients = recipients_for_escalation(episode=episode, escalation=escalation, facts=facts, known=known)
    if not recipients:
        return []
    existing = set() if fresh else set(Notification.objects.filter(episode=episode, event=escalation.event)
                                       .values_list("dedupe_key", flat=True))
    drafts: dict[str, Notification] = {}
    for recipient in recipients:
        key = _key(escalation, recipient)
        if key in existing:
            continue
        if key in drafts:
            merged = drafts[key]
            if recipient.role not in merged.roles:
                merged.roles.append(recipient.role)
                merged.reason = f"{merged.reason}. Also {recipient.reason}"
            continue
        draft = _draft(episode, escalation.event, escalation.at, recipient, key)
        draft.urgent = escalation.urgent
        point = recipient.contact_point
        if escalation.version is not None and point is not None and point.secure and recipient.address:
            draft.attachment_version = escalation.version
        drafts[key] = draft
    created = Notification.objects.bulk_create(list(drafts.values()))
    if any(n.address for n in created):
        transaction.on_commit(wake_workers)
    return created


def escalations_notify(*, episode: Episode, escalations: Sequence[Escalation], facts: ChildFacts | None = None,
                       fresh: bool = False, known: KnownRows | None = None) -> list[Notification]:
    """`notifications_for_escalation` for each, in order."""
    created: list[Notification] = []
    for escalation in escalations:
        created += notifications_for_escalation(episode=episode, escalation=escalation, facts=facts, fresh=fresh,
                                                known=known)
    return created

