"""What a report reads before it writes, read once (issue 11).

The child as it stands now, with what its facts, the routing and the people told read of it
(its authority, worker, team and IRO, its legal statuses and placements; its team's managers,
the contact points the report may need, its people with parental responsibility and the
authorities that are exchange partners: on PostgreSQL), the child's episodes
(cancelled ones left out: for the open episode, the overlap rule and the repeat count), the
police force and whether the force's reference is held on any episode at all.

On PostgreSQL that is one statement, written here in SQL: the rows of the child's other
tables come as one JSON document, and the statement is built once per process (as a
queryset, its expressions cost more to compile than the reads it saved). Elsewhere (SQLite)
the same answer comes from a few queries.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import (
    AutoField,
    BigAutoField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKey,
    IntegerField,
    Model,
    Q,
    QuerySet,
    TextField,
)

from homeward.accounts.models import Team, User
from homeward.accounts.roles import Role
from homeward.children.models import Child, LegalStatusPeriod, Placement, ResponsibleAdult
from homeward.common.errors import DomainValidationError
from homeward.common.prepared import prepared_cursor
from homeward.episodes.models import Episode, EpisodeStatus
from homeward.episodes.overlap import SPAN_FIELDS
from homeward.exchange.models import Partner
from homeward.notifications.models import ContactPoint
from homeward.notifications.recipients import KnownRows
from homeward.obligations.facts import child_facts_of
from homeward.obligations.protocol_source import home_authority
from homeward.protocol import facts as pf
from homeward.reference.models import Authority, PoliceForce
from homeward.reference.selectors import police_force_resolve

CHILD_RELATED = ("responsible_authority", "allocated_worker", "team", "iro")


@dataclass
class ReportReads:
    child: Child
    force: PoliceForce | None
    episodes: list[Episode]
    held: bool
    # The child's facts, and the rows the people told are found among, when read with the child.
    facts: pf.ChildFacts | None = None
    known: KnownRows | None = None


def _unknown_child(among: QuerySet[Child] | None) -> Exception:
    if among is None:
        return Child.DoesNotExist("Child matching query does not exist.")
    return DomainValidationError.single("child", "No child with this id is known to you.")


def _episodes_and_reference(child: Child, force: PoliceForce | None, reference: str) -> tuple[list[Episode], bool]:
    """The child's episodes and whether the reference is held, in one query."""
    wanted = Q(child_id=child.pk) & ~Q(status=EpisodeStatus.CANCELLED)
    if force is not None and reference:
        wanted |= Q(police_force=force, police_reference=reference)
    rows = list(Episode.objects.filter(wanted).only(*SPAN_FIELDS, "police_force_id", "police_reference"))
    held = force is not None and bool(reference) and any(
        row.police_force_id == force.pk and row.police_reference == reference for row in rows)
    return [row for row in rows if row.child_id == child.pk and row.status != EpisodeStatus.CANCELLED], held


# The fields whose values JSON carries as a query gives them (CharField covers slugs and emails).
_JSON_AS_IS = (AutoField, BigAutoField, BooleanField, CharField, ForeignKey, IntegerField, TextField)

# The child's related rows a report reads, by the child's foreign key.
_RELATED: tuple[tuple[type[Model], str], ...] = (
    (Authority, "responsible_authority"), (User, "allocated_worker"), (Team, "team"), (User, "iro"))



def _in_order(model: type[Model], *names: str) -> list[str]:
    """The columns in the model's order, as `from_db` takes the values of some of them."""
    return [f.attname for f in model._meta.concrete_fields if f.attname in names]


# What the people told read of the rows they are found among (the rest is deferred).
_USER = _in_order(User, "id", "username", "first_name", "last_name", "email")
_POINT = _in_order(ContactPoint, "id", "kind", "authority_id", "police_force_id", "name", "email", "secure")
_ADULT = _in_order(ResponsibleAdult, "id", "name", "email", "relationship")
_AUTHORITY = _in_order(Authority, "id", "code", "name")
_SPAN = _in_order(Episode, *SPAN_FIELDS)


def _columns(model: type[Model]) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


@cache
def _statement() -> str:
    q = connection.ops.quote_name
    select = ", ".join(f"c.{q(str(field.column))}" for field in Child._meta.concrete_fields)
    # The child's authority, worker, team and IRO as rows by key: as joins, planning the
    # statement cost PostgreSQL three times as much (issue 11). `held` says `<> ''` of the
    # reference twice: its unique index holds given references only, and the plan kept for
    # every reference (the statement is prepared) can use it only when the statement says so.
    related = "".join(
        f"  '{name}', (SELECT to_jsonb(x) FROM {q(model._meta.db_table)} x WHERE x.id = c.{q(name + '_id')}),\n"  # noqa: S608
        for model, name in _RELATED)
    return f"""
SELECT {select}, jsonb_build_object(
{related}  'legal', ARRAY(SELECT jsonb_build_array(l.status, l.started_on) FROM {q(LegalStatusPeriod._meta.db_table)} l
                 WHERE l.child_id = c.id ORDER BY l.started_on ASC NULLS FIRST, l.id),
  'placements', ARRAY(SELECT jsonb_build_array(a.code, p.started_on, p.ended_on)
                      FROM {q(Placement._meta.db_table)} p JOIN {q(Authority._meta.db_table)} a ON a.id = p.authority_id
                      WHERE p.child_id = c.id ORDER BY p.started_on ASC NULLS FIRST, p.id),
  'episodes', ARRAY(SELECT jsonb_build_array(e.id, e.status, e.missing_since, e.found_at)
                    FROM {q(Episode._meta.db_table)} e WHERE e.child_id = c.id AND e.status <> %s
                    ORDER BY e.missing_since DESC, e.id DESC),
  'force', (SELECT jsonb_build_array(f.id, f.code, f.name, f.retired_on)
            FROM {q(PoliceForce._meta.db_table)} f WHERE f.code = %s),
  'held', %s <> '' AND EXISTS(SELECT FROM {q(Episode._meta.db_table)} e JOIN {q(PoliceForce._meta.db_table)} f
                 ON f.id = e.police_force_id WHERE f.code = %s AND e.police_reference = %s
                 AND e.police_reference <> ''),
  'managers', ARRAY(SELECT jsonb_build_array({", ".join(f"u.{q(c)}" for c in _USER)})
                    FROM {q(User._meta.db_table)} u WHERE u.team_id = c.team_id AND u.role = %s AND u.is_active
                    ORDER BY u.id),
  'authorities', ARRAY(SELECT jsonb_build_array({", ".join(f"a.{q(c)}" for c in _AUTHORITY)})
                       FROM {q(Authority._meta.db_table)} a
                       WHERE a.id IN (SELECT p.authority_id FROM {q(Placement._meta.db_table)} p
                                      WHERE p.child_id = c.id)),
  'forces', ARRAY(SELECT f.id FROM {q(PoliceForce._meta.db_table)} f WHERE f.code = %s
                  UNION SELECT a.police_force_id FROM {q(Authority._meta.db_table)} a WHERE a.code = %s),
  'points', ARRAY(SELECT jsonb_build_array({", ".join(f"cp.{q(c)}" for c in _POINT)})
                  FROM {q(ContactPoint._meta.db_table)} cp WHERE cp.archived_at IS NULL
                  AND (cp.authority_id IS NULL OR cp.authority_id = c.responsible_authority_id
                       OR cp.authority_id IN (SELECT p.authority_id FROM {q(Placement._meta.db_table)} p
                                              WHERE p.child_id = c.id))
                  AND (cp.police_force_id IS NULL OR cp.police_force_id IN (
                       SELECT f.id FROM {q(PoliceForce._meta.db_table)} f WHERE f.code = %s
                       UNION SELECT a.police_force_id FROM {q(Authority._meta.db_table)} a WHERE a.code = %s))
                  ORDER BY cp.id),
  'partners', ARRAY(SELECT a.code FROM {q(Partner._meta.db_table)} x JOIN {q(Authority._meta.db_table)} a
                    ON a.id = x.authority_id WHERE x.archived_at IS NULL AND x.endpoint <> ''),
  'parents', ARRAY(SELECT jsonb_build_array({", ".join(f"r.{q(c)}" for c in _ADULT)})
                   FROM {q(ResponsibleAdult._meta.db_table)} r WHERE r.child_id = c.id
                   AND r.has_parental_responsibility AND r.archived_at IS NULL ORDER BY r.id))
FROM {q(Child._meta.db_table)} c
WHERE c.id = %s"""  # noqa: S608 - names from the models


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _instance(model: type[Model], row: dict[str, Any]) -> Model:
    """A row as to_jsonb gives it, as the instance a query would (times and days parsed)."""
    values = []
    for field in model._meta.concrete_fields:
        value = row[str(field.column)]
        if isinstance(field, DateTimeField):
            value = datetime.fromisoformat(value) if value is not None else None
        elif isinstance(field, DateField):
            value = date.fromisoformat(value) if value is not None else None
        elif not isinstance(field, _JSON_AS_IS):
            raise TypeError(f"{model.__name__}.{field.name}: a {type(field).__name__} is not read from JSON here")
        values.append(value)
    return model.from_db(connection.alias, _columns(model), values)


def _at_once(child_id: int, code: str, reference: str, among: QuerySet[Child] | None) -> ReportReads | None:
    sql = _statement()
    home = home_authority()
    params: list[Any] = [EpisodeStatus.CANCELLED, code, reference, code, reference, Role.TEAM_MANAGER, code, home,
                         code, home, child_id]
    if among is not None and among.query.where:
        # A caller who sees some children only: the child must be among them.
        scope, scope_params = among.order_by().values("pk").query.sql_with_params()
        sql += f" AND c.id IN ({scope})"
        params += scope_params
    with prepared_cursor() as cursor:  # every report sends it: planned once, not each time
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    alias = connection.alias
    names = _columns(Child)
    child = Child.from_db(alias, names, row[:len(names)])
    more = json.loads(row[len(names)])
    for model, name in _RELATED:
        Child._meta.get_field(name).set_cached_value(  # type: ignore[union-attr]
            child, None if more[name] is None else _instance(model, more[name]))
    facts = child_facts_of(child, legal_statuses=[(status, _day(on)) for status, on in more["legal"]],
                           placements=[(code, _day(on), _day(off)) for code, on, off in more["placements"]])
    # As `only(*SPAN_FIELDS)` gives them (the rest deferred): a report reads no more of them.
    episodes = []
    for pk, status, since, found in more["episodes"]:
        span = {"id": pk, "child_id": child.pk, "status": status, "missing_since": datetime.fromisoformat(since),
                "found_at": datetime.fromisoformat(found) if found else None}
        episodes.append(Episode.from_db(alias, _SPAN, [span[name] for name in _SPAN]))
    force = None
    if more["force"] is not None:
        pk, force_code, name, retired = more["force"]
        force = PoliceForce(id=pk, code=force_code, name=name, retired_on=_day(retired))
        force._state.adding = False
        force._state.db = connection.alias
    authorities = [Authority.from_db(alias, _AUTHORITY, row) for row in more["authorities"]]
    known = KnownRows(
        team_managers=[User.from_db(alias, _USER, row) for row in more["managers"]],
        points=[ContactPoint.from_db(alias, _POINT, row) for row in more["points"]],
        authorities=frozenset([child.responsible_authority_id, *(a.pk for a in authorities)]),
        forces=frozenset(pk for pk in more["forces"] if pk is not None),
        authority_by_code={a.code: a for a in authorities},
        parents=[ResponsibleAdult.from_db(alias, _ADULT, row) for row in more["parents"]],
        exchange_partners=frozenset(more["partners"]))
    return ReportReads(child, force, episodes, bool(more["held"]), facts, known)


def report_reads(child_id: int, force_text: str, reference: str, among: QuerySet[Child] | None) -> ReportReads:
    """What a report reads, once. `force_text`: the force's code or name (`police_force_resolve`);
    `among`: the children the caller may see (a child not among them is unknown); None: any."""
    code = force_text.strip()
    if connection.vendor == "postgresql":
        read = _at_once(child_id, code.lower(), reference, among)
        if read is None:
            raise _unknown_child(among)
        if read.force is not None or not code:
            return read
        # A force named by its name, not its code: resolved apart.
        force = police_force_resolve(force_text)
        episodes, held = _episodes_and_reference(read.child, force, reference)
        return ReportReads(read.child, force, episodes, held, read.facts, read.known)
    children = (Child.objects.all() if among is None else among).select_related(None).select_related(
        *CHILD_RELATED).filter(pk=child_id).order_by()
    child = children.first()
    if child is None:
        raise _unknown_child(among)
    force = police_force_resolve(force_text) if code else None
    episodes, held = _episodes_and_reference(child, force, reference)
    return ReportReads(child, force, episodes, held)
