"""From the recipient codes of `homeward.protocol.routing` to people and inboxes.

- allocated_social_worker, iro: that person (their account's email).
- front_door, edt, mct: every active contact point of that kind.
- team_manager: every active team manager of the child's team; else the team's shared
  inbox; else the front door's contact points (the front door's manager reads them).
- host_authority: contact points of kind `authority` for the authority of the placement
  in force at `missing_since`.
- placing_authority, responsible_authority: contact points of kind `authority` for the
  child's responsible authority.
- police: contact points of kind `police` for the episode's force, else for the home
  authority's force.

A code that resolves to nobody, or to a person without an email address, still gives a
recipient, with no address and `missing` saying what to configure: it is stored as a failed
notification, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from homeward.accounts.models import User
from homeward.accounts.roles import Role
from homeward.children.models import Child, ResponsibleAdult
from homeward.episodes.models import Episode
from homeward.obligations.facts import bank_holidays, child_facts
from homeward.obligations.protocol_source import home_authority
from homeward.protocol.calendar import Calendar, local_date
from homeward.protocol.facts import ChildFacts
from homeward.protocol.routing import Event, notification_recipients
from homeward.reference.models import Authority, PoliceForce

from .models import ContactKind, ContactPoint

ADMIN_HINT = "add one in the admin under Notifications > Contact points"


@dataclass(frozen=True)
class Recipient:
    role: str
    recipient: str
    reason: str
    address: str = ""
    user: User | None = None
    contact_point: ContactPoint | None = None
    missing: str = ""


def is_out_of_hours(instant: datetime) -> bool:
    """Outside 09:00-17:00 Europe/London on a working day of England and Wales."""
    year = local_date(instant).year
    return Calendar(bank_holidays=bank_holidays(range(year - 1, year + 2))).is_out_of_hours(instant)


def _what(event: Event, episode: Episode) -> str:
    if event == "returned":
        return "the child has returned"
    return f"the child was reported {episode.classification or 'missing'}"


def _person(role: str, label: str, user: User | None, why: str) -> list[Recipient]:
    if user is None:
        return [Recipient(role=role, recipient=label, reason=f"{label}: {why}",
                          missing=f"the child has no {label.lower()} on record")]
    name = user.display_name
    if not user.email:
        return [Recipient(role=role, recipient=name, reason=f"{label}: {why}", user=user,
                          missing=f"{label.lower()} {user.username} has no email address on their account")]
    return [Recipient(role=role, recipient=name, reason=f"{label}: {why}", address=user.email, user=user)]


@dataclass(frozen=True)
class KnownRows:
    """What the people told of one child's event are found among, read by the caller already
    (a report reads them with the child, issue 11): the child's team's active team managers;
    the active contact points of no authority or one of `authorities`, and of no force or one of
    `forces`, by id; the authorities the child's placements name, by code; the child's
    current people with parental responsibility, by id; and the codes of the authorities that
    are exchange partners with an endpoint (ADR 0015), when read (None: not read)."""

    team_managers: list[User]
    points: list[ContactPoint]
    authorities: frozenset[int]
    forces: frozenset[int]
    authority_by_code: dict[str, Authority]
    parents: list[ResponsibleAdult]
    exchange_partners: frozenset[str] | None = None


class ContactBook:
    """The active contact points one event may need (the home authority's own, and those of the
    authorities and force it names), read in one query on first use rather than one per code,
    or found among the `known` ones when they cover it."""

    def __init__(self, *, authorities: set[int], forces: set[int], known: KnownRows | None = None) -> None:
        self._authorities = authorities
        self._forces = forces
        self._points: list[ContactPoint] | None = None
        if known is not None and authorities <= known.authorities and forces <= known.forces:
            self._points = [p for p in known.points
                            if (p.authority_id is None or p.authority_id in authorities)
                            and (p.police_force_id is None or p.police_force_id in forces)]

    def points(self, kind: str, authority: Authority | None, force: PoliceForce | None) -> list[ContactPoint]:
        if (authority is not None and authority.pk not in self._authorities) or (
                force is not None and force.pk not in self._forces):
            return list(_points_query(kind, authority, force))
        if self._points is None:
            self._points = list(
                ContactPoint.objects.filter(archived_at__isnull=True)
                .filter(Q(authority__isnull=True) | Q(authority_id__in=self._authorities))
                .filter(Q(police_force__isnull=True) | Q(police_force_id__in=self._forces)).order_by("id"))
        authority_id = authority.pk if authority is not None else None
        force_id = force.pk if force is not None else None
        return [p for p in self._points
                if p.kind == kind and p.authority_id == authority_id and p.police_force_id == force_id]


def _points_query(kind: str, authority: Authority | None, force: PoliceForce | None) -> QuerySet[ContactPoint]:
    return ContactPoint.objects.filter(kind=kind, archived_at__isnull=True, authority=authority,
                                       police_force=force).order_by("id")


def _contacts(role: str, label: str, kind: str, why: str, *, authority: Authority | None = None,
              force: PoliceForce | None = None, book: ContactBook | None = None) -> list[Recipient]:
    points = book.points(kind, authority, force) if book is not None else _points_query(kind, authority, force)
    found = [Recipient(role=role, recipient=p.name, reason=f"{label}: {why}", address=p.email, contact_point=p)
             for p in points]
    if found:
        return found
    target = f" for {authority}" if authority else f" for {force}" if force else ""
    return [Recipient(role=role, recipient=f"{label} (no contact configured)", reason=f"{label}: {why}",
                      missing=f"no active contact point of kind '{kind}'{target} is configured; {ADMIN_HINT}")]


def _team_managers(child: Child, why: str, book: ContactBook | None = None,
                   known: KnownRows | None = None) -> list[Recipient]:
    team = child.team
    if team is not None:
        managers = known.team_managers if known is not None else User.objects.filter(
            team=team, role=Role.TEAM_MANAGER, is_active=True).order_by("id")
        label = f"Team manager of {team.name}"
        found = [r for m in managers for r in _person("team_manager", label, m, why)]
        if found:
            return found
        if team.email:
            return [Recipient(role="team_manager", recipient=f"{team.name} (shared inbox)",
                              reason=f"{label}: {why} (no team manager on record, so the team's inbox)",
                              address=team.email)]
        fallback = f"{team.name} has no team manager on record and no shared inbox"
    else:
        fallback = "the child has no team"
    return _contacts("team_manager", "Team manager", ContactKind.FRONT_DOOR,
                     f"{why} ({fallback}, so the front door's manager is told)", book=book)


def resolve_recipients(*, episode: Episode, event: Event, event_at: datetime,
                       child_facts_known: ChildFacts | None = None, what: str = "",
                       known: KnownRows | None = None) -> list[Recipient]:
    """Everyone who must be told of `event`, in the order of `routing.RECIPIENTS`.
    `child_facts_known`: the child's facts when the caller has built them already. `what`:
    what happened, for the reasons, when it is not the report or return itself (an absence
    reclassified as missing tells whoever a report tells). `known`: the rows they are found
    among, when the caller has read them (nothing more is read for them)."""
    child = episode.child
    facts = child_facts_known or child_facts(child)
    home = home_authority()
    out_of_hours = is_out_of_hours(event_at)
    codes = notification_recipients(event=event, child=facts, home_authority=home,
                                     missing_since=episode.missing_since, out_of_hours=out_of_hours)
    what = what or _what(event, episode)
    placement = facts.placement_on(local_date(episode.missing_since))
    responsible = child.responsible_authority
    host = None
    if placement and "host_authority" in codes:
        host = known.authority_by_code.get(placement.authority) if known is not None else None
        host = host or Authority.objects.filter(code=placement.authority).first()
    force = (episode.police_force or Authority.objects.get(code=home).police_force) if "police" in codes else None
    book = ContactBook(authorities={a.pk for a in (host, responsible) if a is not None},
                       forces={force.pk} if force is not None else set(), known=known)
    recipients: list[Recipient] = []
    for code in codes:
        if code == "allocated_social_worker":
            recipients += _person(code, "Allocated social worker", child.allocated_worker, what)
        elif code == "front_door":
            recipients += _contacts(code, "Front door (MASH)", ContactKind.FRONT_DOOR,
                                    f"{what} and the case is unallocated", book=book)
        elif code == "team_manager":
            recipients += _team_managers(child, what, book, known)
        elif code == "edt":
            recipients += _contacts(code, "Out-of-hours service (EDT)", ContactKind.EDT,
                                    f"{what} out of office hours", book=book)
        elif code == "mct":
            recipients += _contacts(code, "Missing Children Team", ContactKind.MCT, what, book=book)
        elif code == "host_authority":
            recipients += _contacts(code, f"Host authority {host.code} {host.name}" if host else "Host authority",
                                    ContactKind.AUTHORITY, f"{what}; a looked-after child placed there",
                                    authority=host, book=book)
        elif code == "placing_authority":
            recipients += _contacts(code, f"Placing authority {responsible.code} {responsible.name}",
                                    ContactKind.AUTHORITY, f"{what}; its looked-after child is placed here",
                                    authority=responsible, book=book)
        elif code == "responsible_authority":
            recipients += _contacts(code, f"Responsible authority {responsible.code} {responsible.name}",
                                    ContactKind.AUTHORITY,
                                    f"{what}; the child lives there and it conducts the return interview",
                                    authority=responsible, book=book)
        elif code == "iro":
            recipients += _person(code, "Independent reviewing officer", child.iro, what)
        elif code == "police":
            assert force is not None
            recipients += _contacts(code, f"Police ({force.name})", ContactKind.POLICE, what, force=force, book=book)
    return recipients
