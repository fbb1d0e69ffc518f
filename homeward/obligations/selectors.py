"""Reading stored obligations: worklists and boards, through the access choke point."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from homeward.accounts.models import Team, User
from homeward.accounts.permissions import sees_whole_authority, visible_children
from homeward.accounts.roles import Role
from homeward.children.models import Child
from homeward.common.compiled import StatementCache
from homeward.common.made import instance_made, related_held
from homeward.common.together import statements_together
from homeward.episodes.models import Episode
from homeward.protocol.obligation import Basis, Obligation, Status, status_at

from .models import EpisodeObligationState, OwnerQueue, StoredObligation
from .rows import planned_rows

# Who works the front door (MASH) queue: duties of children with no allocated worker or team.
FRONT_DOOR_ROLES = frozenset({Role.COORDINATOR, Role.MCT_ADMIN})

STATUSES = ("upcoming", "pending", "overdue", "done", "missed", "not_done")
# What may still be done: the statuses a worklist shows.
LIVE_STATUSES = ("pending", "overdue")
# A worklist section counts its rows up to here: an exact count of an authority's overdue duties
# grew with its history (issue 11).
SECTION_COUNT_CAP = 1000
# The home worklist's sections, in the page's order.
SECTIONS = ("overdue", "due_today", "due_soon")
# The worklist's statements by person and page asked, compiled once a process.
_WORKLIST_STATEMENTS = StatementCache()

# How far ahead a question may look. A worklist reads the stored rows, exact at least a week
# ahead (the worker renews them daily, eight days ahead: `services.HORIZON`); one episode's duties are
# worked out in memory, a year ahead at most. Without a bound, `as_of` in the year 2405 made one
# request evaluate centuries of daily and monthly duties for every open episode (issue 14).
WORKLIST_LOOKAHEAD = timedelta(days=7)
EPISODE_LOOKAHEAD = timedelta(days=366)


def lookahead_problem(as_of: datetime, *, now: datetime, lookahead: timedelta) -> str:
    """Why `as_of` is too far ahead to ask about ('' when it is not)."""
    if as_of > now + lookahead:
        return f"Ask about a time at most {lookahead.days} days ahead."
    return ""


def _done(as_of: datetime) -> Q:
    return Q(done_at__isnull=False, done_at__lte=as_of)


def _missed(as_of: datetime) -> Q:
    return Q(lapses_at__isnull=False, lapses_at__lte=as_of) & (
        Q(ended_at__isnull=True) | Q(ended_at__gte=F("lapses_at"))
    )


def _ended(as_of: datetime) -> Q:
    return Q(ended_at__isnull=False, ended_at__lte=as_of)


def status_filter(status: str, as_of: datetime, *, present: bool = False) -> Q:
    """The engine's `status_at` as a filter (homeward.protocol.obligation): done once done_at
    has passed; missed once a repeating window lapsed undone; not done once the episode closed
    with it outstanding; else upcoming before it arises, overdue after its due time, pending
    in between."""
    done, missed, ended = _done(as_of), _missed(as_of), _ended(as_of)
    if status == "done":
        return done
    if status == "missed":
        return ~done & missed
    if status == "not_done":
        return ~done & ~missed & ended
    if present:
        # Asked about the present: stored rows are done and ended no later than now, so the plain
        # IS NULL tests say the same and match the partial indexes on what is not done, where
        # NOT (...) defeated them (issue 11).
        live = Q(done_at__isnull=True, ended_at__isnull=True) & (Q(lapses_at__isnull=True) | Q(lapses_at__gt=as_of))
    else:
        live = ~done & ~missed & ~ended
    if status == "upcoming":
        return live & Q(arises_at__gt=as_of)
    if status == "overdue":
        return live & Q(arises_at__lte=as_of, due_at__lt=as_of)
    if status == "pending":
        return live & Q(arises_at__lte=as_of, due_at__gte=as_of)
    raise ValueError(status)


def stored_status(row: StoredObligation, as_of: datetime) -> Status:
    return status_at(arises_at=row.arises_at, due_at=row.due_at, done_at=row.done_at, lapses_at=row.lapses_at,
                     ended_at=row.ended_at, as_of=as_of)


# The names a stored basis may hold of the engine's Basis (a row may hold more).
_BASIS_FIELDS = frozenset(f.name for f in fields(Basis))


def stored_obligation(row: StoredObligation, as_of: datetime) -> Obligation:
    """A stored row as the engine's obligation at `as_of` (its status from its instants), so
    that pages and the API explain it as they explain the engine's own answer."""
    status = stored_status(row, as_of)
    done_at = row.done_at if status == "done" else None
    basis = {name: value for name, value in row.basis.items() if name in _BASIS_FIELDS}
    basis["trigger_at"] = datetime.fromisoformat(str(basis["trigger_at"]))
    return Obligation(
        code=row.code, instance=row.instance, title=row.title, responsible_role=row.responsible_role,
        arises_at=row.arises_at, due_at=row.due_at, done_at=done_at,
        done_recorded_at=row.done_recorded_at if done_at is not None else None, status=status,
        late=done_at is not None and done_at > row.due_at, basis=Basis(**basis), listed_from=row.listed_from,
        lapses_at=row.lapses_at, ended_at=row.ended_at, ended_reason=row.ended_reason,
        for_information=row.for_information,
    )


def _live(as_of: datetime, *, present: bool = False) -> Q:
    """Listed, arisen, and still to be done at `as_of`, and ours to do (not for information).
    Asked about the present, stored rows are done or ended no later than now, so the partial
    indexes on `done_at IS NULL AND ended_at IS NULL` serve the filter."""
    still_open = Q(done_at__isnull=True, ended_at__isnull=True) if present else ~_done(as_of) & ~_ended(as_of)
    return (
        still_open
        & (Q(lapses_at__isnull=True) | Q(lapses_at__gt=as_of))
        & Q(for_information=False, listed_from__lte=as_of, arises_at__lte=as_of)
    )


def live_now(now: datetime) -> Q:
    """What is still to be done now (`now` being the present), for annotations such as the
    board's next due time."""
    return _live(now, present=True)


def live_for_episode(now: datetime) -> Q:
    """What is still to be done now, for a look-up of one episode's rows (the board's next duty
    per episode): `live_now` in words that the partial indexes on what is not done do not serve,
    so that the database reads the episode's few rows by its own index. With `live_now`, at a
    million episodes the planner ANDed a bitmap of every live row (45,000) to each episode's,
    2 ms an episode (issue 11). The same rows: stored rows are done and ended no later than now."""
    return _live(now, present=False)


def present_or(as_of: datetime | None, present: bool = False) -> tuple[datetime, bool]:
    """`as_of`, or now; and whether the question is about the present: no `as_of` given, or
    the caller's own "now" (`present`), taken at the start of its request."""
    return (timezone.now(), True) if as_of is None else (as_of, present)


def owned_by(user: User) -> Q:
    """The obligations on this person's own worklist: their own, their team's queue for their
    role (a team manager sees the whole team's queue), their role's, and for the co-ordinator
    and MCT the front door's."""
    mine = Q(owner_queue=OwnerQueue.PERSON, owner_user=user) | Q(owner_queue=OwnerQueue.ROLE,
                                                                   responsible_role=user.role)
    if user.team_id is not None:
        team = Q(owner_queue=OwnerQueue.TEAM, owner_team_id=user.team_id)
        mine |= team if user.role == Role.TEAM_MANAGER else team & Q(responsible_role=user.role)
    if user.role in FRONT_DOOR_ROLES:
        mine |= Q(owner_queue=OwnerQueue.FRONT_DOOR)
    return mine


def _in_scope(user: User) -> QuerySet[StoredObligation]:
    queryset = StoredObligation.objects.all()
    if not sees_whole_authority(user):
        queryset = queryset.filter(child__in=visible_children(user))
    return queryset


@dataclass(frozen=True)
class ObligationFilter:
    """What a list of obligations asks for; applied in SQL to stored rows and in Python to rows
    built in memory, the same way."""

    status: str | None = None
    role: str | None = None
    mine: User | None = None
    team: int | None = None
    code: str | None = None
    queue: str | None = None
    present: bool = False

    def q(self, as_of: datetime) -> Q:
        query = Q(for_information=False, listed_from__lte=as_of)
        if self.status:
            query &= status_filter(self.status, as_of, present=self.present)
        if self.role:
            query &= Q(responsible_role=self.role)
        if self.mine is not None:
            query &= owned_by(self.mine)
        if self.team is not None:
            query &= Q(child__team_id=self.team)
        if self.code:
            query &= Q(code=self.code)
        if self.queue:
            query &= Q(owner_queue=self.queue)
        return query

    def matches(self, row: StoredObligation, as_of: datetime) -> bool:
        return (
            not row.for_information and row.listed_from <= as_of
            and (not self.status or stored_status(row, as_of) == self.status)
            and (not self.role or row.responsible_role == self.role)
            and (self.mine is None or _owned_by_person(row, self.mine))
            and (self.team is None or row.child.team_id == self.team)
            and (not self.code or row.code == self.code)
            and (not self.queue or row.owner_queue == self.queue)
        )


def _owned_by_person(row: StoredObligation, user: User) -> bool:
    """`owned_by` for one row in memory."""
    queue = row.owner_queue
    return (
        (queue == OwnerQueue.PERSON and row.owner_user_id == user.pk)
        or (queue == OwnerQueue.ROLE and row.responsible_role == user.role)
        or (queue == OwnerQueue.TEAM and user.team_id is not None and row.owner_team_id == user.team_id
            and (user.role == Role.TEAM_MANAGER or row.responsible_role == user.role))
        or (queue == OwnerQueue.FRONT_DOOR and user.role in FRONT_DOOR_ROLES)
    )


def obligation_list_for_user(
    user: User, *, status: str | None = None, as_of: datetime | None = None, role: str | None = None,
    mine: bool = False, team: int | None = None, code: str | None = None, queue: str | None = None,
    present: bool = False,
) -> QuerySet[StoredObligation]:
    """Stored obligations of every episode the person may see, soonest due first; the placing
    authority's duties (for information) are never listed. Filters: `status` at `as_of`,
    `role` (responsible role), `mine` (their own worklist), `team` (the child's team),
    `code`, `queue` (the owner's queue: person, team, role, front_door). Never writes; exact
    for every episode whose stored horizon reaches `as_of` (`obligation_rows_for_user` covers
    the rest)."""
    as_of, present = present_or(as_of, present)
    wanted = ObligationFilter(status=status, role=role, mine=user if mine else None, team=team, code=code,
                              queue=queue, present=present)
    return _stored(user, wanted, as_of)


def _stored(user: User, wanted: ObligationFilter, as_of: datetime) -> QuerySet[StoredObligation]:
    return (_in_scope(user).filter(wanted.q(as_of)).select_related("episode", "child", "owner_user", "owner_team")
            .order_by("due_at", "code", "instance", "id"))


def _beyond_horizon_ids(user: User, as_of: datetime) -> QuerySet[EpisodeObligationState, int]:
    states = EpisodeObligationState.objects.filter(exact_until__isnull=False, exact_until__lte=as_of)
    if not sees_whole_authority(user):
        states = states.filter(episode__child__in=visible_children(user))
    return states.values_list("episode_id", flat=True)


def _beyond_horizon(user: User, as_of: datetime) -> list[int]:
    """The episodes the person may see whose stored rows do not reach `as_of` (an open episode
    asked about more than its horizon ahead, or one the worker has not renewed)."""
    return list(_beyond_horizon_ids(user, as_of))


def _rows_in_memory(episode_ids: list[int], as_of: datetime) -> list[StoredObligation]:
    episodes = Episode.objects.filter(pk__in=episode_ids).select_related("child")
    return [row for episode in episodes for row in planned_rows(episode, now=as_of, through=as_of)]


def obligation_rows_for_user(
    user: User, *, status: str | None = None, as_of: datetime | None = None, role: str | None = None,
    mine: bool = False, team: int | None = None, code: str | None = None, queue: str | None = None,
    present: bool = False,
) -> QuerySet[StoredObligation] | list[StoredObligation]:
    """`obligation_list_for_user`, exact at any `as_of`: the episodes whose stored horizon does
    not reach it are evaluated in memory (never written), so the worklist always agrees with
    each episode's own obligations."""
    as_of, present = present_or(as_of, present)
    wanted = ObligationFilter(status=status, role=role, mine=user if mine else None, team=team, code=code,
                              queue=queue, present=present)
    stored = _stored(user, wanted, as_of)
    beyond = _beyond_horizon(user, as_of)
    if not beyond:
        return stored
    rows = [*stored.exclude(episode_id__in=beyond),
            *(row for row in _rows_in_memory(beyond, as_of) if wanted.matches(row, as_of))]
    return sorted(rows, key=lambda row: (row.due_at, row.code, row.instance, row.episode_id))


@dataclass(frozen=True)
class WorklistSection:
    """One page of a worklist section (`limit` obligations from `offset`), soonest due first,
    and how many there are in all (the page shows some and counts the rest)."""

    rows: list[StoredObligation]
    count: int  # at most SECTION_COUNT_CAP: "1,000 or more" is all a page needs to say
    offset: int = 0

    @property
    def capped(self) -> bool:
        return self.count >= SECTION_COUNT_CAP


# What a worklist row needs of its obligation, child and owner (the sentence, the trace, the
# owner's name, the links): the episode and the rest of the child are not read.
_ROW_FIELDS = ("id", "episode_id", "child_id", "code", "instance", "title", "responsible_role", "arises_at", "due_at",
               "done_at", "done_recorded_at", "basis", "listed_from", "lapses_at", "ended_at", "ended_reason",
               "for_information", "owner_queue", "owner_user_id", "owner_team_id")
_ROW_CHILD = ("child__given_name", "child__family_name", "child__known_as")


def _owner_values() -> dict[str, Subquery]:
    """The owner's names, each by key for each row: joined, the planner hashed every person and
    team of the installation for a page of rows (thousands of people at national scale)."""
    person = User.objects.filter(pk=OuterRef("owner_user_id")).order_by()
    return {
        "owner_username": Subquery(person.values("username")[:1]),
        "owner_first_name": Subquery(person.values("first_name")[:1]),
        "owner_last_name": Subquery(person.values("last_name")[:1]),
        "owner_team_name": Subquery(Team.objects.filter(pk=OuterRef("owner_team_id")).order_by().values("name")[:1]),
    }


@cache
def _rows_read() -> QuerySet[StoredObligation, dict[str, Any]]:
    """What `worklist_rows` reads of every row, built once a process: building it (the owner's
    subqueries resolved) cost more than a third of reading a page's rows (issue 11). Each read
    filters a copy of it."""
    read: QuerySet[StoredObligation, dict[str, Any]] = StoredObligation.objects.values(
        *_ROW_FIELDS, *_ROW_CHILD, **_owner_values())
    return read


def worklist_rows(ids: list[int]) -> dict[int, StoredObligation]:
    """The rows of these keys with their child's names and their owner, for reading only: read as
    values and made here, since Django's own making of a model with deferred fields cost more
    than everything else a worklist row needs (issue 11); each instance made at once
    (`instance_made`), not field by field through `__init__`, and its child and owner held on
    it without the relation's router checks."""
    rows: dict[int, StoredObligation] = {}
    db = StoredObligation.objects.db
    for values in _rows_read().filter(pk__in=ids):
        row = instance_made(StoredObligation, {name: values[name] for name in _ROW_FIELDS}, db=db)
        related_held(row, "child", instance_made(Child, {
            "id": values["child_id"], "given_name": values["child__given_name"],
            "family_name": values["child__family_name"], "known_as": values["child__known_as"]}, db=db))
        if values["owner_user_id"] is not None:
            related_held(row, "owner_user", instance_made(User, {
                "id": values["owner_user_id"], "username": values["owner_username"],
                "first_name": values["owner_first_name"], "last_name": values["owner_last_name"]}, db=db))
        if values["owner_team_id"] is not None:
            related_held(row, "owner_team", instance_made(Team, {
                "id": values["owner_team_id"], "name": values["owner_team_name"]}, db=db))
        rows[values["id"]] = row
    return rows


def _statement(queryset: QuerySet[Any]) -> tuple[str, tuple[Any, ...]] | None:
    """A queryset's SQL and parameters; None for one that can match nothing (an empty scope)."""
    try:
        sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:
        return None
    return sql, tuple(params)


def _section_keys_statement(sections: dict[str, QuerySet[StoredObligation]], offsets: Mapping[str, int],
                            limit: int) -> tuple[str, list[Any]] | None:
    """The statement of each section's page of keys, every section in one (None: no section
    can hold any)."""
    parts: list[str] = []
    params: list[Any] = []
    for number, (name, queryset) in enumerate(sections.items()):
        offset = offsets.get(name, 0)
        statement = _statement(queryset.values_list("pk", "due_at", "code", "instance")[offset:offset + limit])
        if statement is not None:
            # Django's own statement, its values as parameters; the section by its number.
            parts.append(f"SELECT {number}, k{number}.* FROM ({statement[0]}) k{number}")  # noqa: S608
            params.extend(statement[1])
    return (" UNION ALL ".join(parts), params) if parts else None


def _section_keys(names: Sequence[str], found: list[tuple[Any, ...]]) -> dict[str, list[int]]:
    """Each section's page of keys, soonest due first, from the rows of its statement."""
    keys: dict[str, list[tuple[Any, ...]]] = {name: [] for name in names}
    for number, pk, due_at, code, instance in found:
        keys[names[number]].append((due_at, code, instance, pk))
    # UNION ALL keeps no order of its own: each section is put back in its order here.
    return {name: [key[3] for key in sorted(rows)] for name, rows in keys.items()}


def _section_counts_statement(sections: dict[str, QuerySet[StoredObligation]]) -> tuple[str, list[Any]]:
    """The statement counting what each section holds, up to SECTION_COUNT_CAP, every section in
    one: the same statements at any scale, where counting only full sections added one at a time."""
    parts: list[str] = []
    params: list[Any] = []
    for number, queryset in enumerate(sections.values()):
        statement = _statement(queryset.order_by().values("pk")[:SECTION_COUNT_CAP])
        if statement is None:
            parts.append("0")
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({statement[0]}) c{number})")  # noqa: S608 - as above
        params.extend(statement[1])
    return "SELECT " + ", ".join(parts), params


def worklist_sections(user: User, *, as_of: datetime | None = None, soon: timedelta = timedelta(days=3),
                      role: str | None = None, mine: bool = True, limit: int = 50,
                      offsets: Mapping[str, int] | None = None) -> dict[str, WorklistSection]:
    """The home page: overdue, due today (Europe/London), due soon; by default the person's own
    (`owned_by`), else every duty they may see. Each section is a page: `limit` rows from its
    `offsets` entry (0 by default).

    Each section is counted and cut in the database: a co-ordinator's authority can hold
    thousands of open obligations and the page shows `limit` of each, counted up to
    SECTION_COUNT_CAP. Two round trips at any scale on PostgreSQL: the keys with the counts
    (and the episodes beyond their horizon), then the rows."""
    offsets = offsets or {}
    asked, (as_of, present) = as_of, present_or(as_of)
    end_of_today = timezone.localtime(as_of).replace(hour=23, minute=59, second=59, microsecond=0)

    def sections_at(at: Mapping[str, datetime]) -> dict[str, QuerySet[StoredObligation]]:
        open_rows = (obligation_list_for_user(user, as_of=at["as_of"], present=present, role=role, mine=mine)
                     .filter(_live(at["as_of"], present=present)))
        return {
            "overdue": open_rows.filter(due_at__lt=at["as_of"]),
            "due_today": open_rows.filter(due_at__gte=at["as_of"], due_at__lte=at["end_of_today"]),
            "due_soon": open_rows.filter(due_at__gt=at["end_of_today"], due_at__lte=at["soon"]),
        }

    def statements(at: Mapping[str, datetime]) -> list[tuple[str, Sequence[Any]] | None]:
        sections = sections_at(at)
        return [_statement(_beyond_horizon_ids(user, at["as_of"])), _section_keys_statement(sections, offsets, limit),
                _section_counts_statement(sections)]

    # Each section's keys first, then its rows with their child and owner by key: joined in the
    # same statement as the ORDER BY ... LIMIT, the planner can misjudge how few rows the limit
    # leaves and hash every episode of the authority. The episodes beyond their horizon, the
    # keys and the counts are asked in one round trip (PostgreSQL); the keys and counts go
    # unused in the rare case that there are such episodes. Their statements are compiled once
    # for the person and the page asked (`common.compiled`).
    key = ("worklist_sections", user.pk, user.role, user.is_active, user.team_id, user.organisation_id, role, mine,
           limit, tuple(sorted(offsets.items())), present)
    beyond, keys, counts = _WORKLIST_STATEMENTS.statements(
        key, statements, {"as_of": as_of, "end_of_today": end_of_today, "soon": as_of + soon})
    answers = statements_together([statement for statement in (beyond, keys, counts) if statement is not None])
    beyond_rows = answers.pop(0) if beyond is not None else []
    key_rows = answers.pop(0) if keys is not None else []
    [counted] = answers.pop(0)
    if beyond_rows:
        # Rare (the worker far behind): the sections from rows built in memory for those episodes.
        def section_of(row: StoredObligation) -> str | None:
            if row.due_at < as_of:
                return "overdue"
            if row.due_at <= end_of_today:
                return "due_today"
            return "due_soon" if row.due_at <= as_of + soon else None

        grouped: dict[str, list[StoredObligation]] = {"overdue": [], "due_today": [], "due_soon": []}
        for row in obligation_rows_for_user(user, as_of=asked, role=role, mine=mine):
            name = section_of(row)
            if name is not None and stored_status(row, as_of) in LIVE_STATUSES:
                grouped[name].append(row)
        return {name: WorklistSection(rows=rows[offsets.get(name, 0):offsets.get(name, 0) + limit],
                                      count=min(len(rows), SECTION_COUNT_CAP), offset=offsets.get(name, 0))
                for name, rows in grouped.items()}
    shown_ids = _section_keys(SECTIONS, key_rows)
    counted_by = {name: int(count) for name, count in zip(SECTIONS, counted, strict=True)}
    by_id = worklist_rows([pk for ids in shown_ids.values() for pk in ids])
    return {name: WorklistSection(rows=[by_id[pk] for pk in shown_ids[name]], count=counted_by[name],
                                  offset=offsets.get(name, 0))
            for name in SECTIONS}


def episodes_next_duty(episode_ids: list[int], now: datetime) -> dict[int, tuple[datetime, str]]:
    """For each of these episodes, its duty still to be done that is due soonest (due time and
    title), in one statement read by the episodes' own index (`live_for_episode`): the board
    shows one per open episode. A subquery per episode cost a plan dear enough at a million
    episodes for PostgreSQL to compile it (JIT, 20 ms) (issue 11)."""
    first: dict[int, tuple[datetime, str]] = {}
    rows = (StoredObligation.objects.filter(episode_id__in=episode_ids).filter(live_for_episode(now))
            .order_by("episode_id", "due_at", "id").values_list("episode_id", "due_at", "title"))
    for episode_id, due_at, title in rows:
        first.setdefault(episode_id, (due_at, title))
    return first


def episode_obligations_listed(episode: Episode, as_of: datetime) -> QuerySet[StoredObligation]:
    """The episode's stored rows listed by `as_of`, soonest due first, with their owners and
    their episode's horizon, as `episode_obligation_rows` reads them."""
    return (episode.obligations.filter(listed_from__lte=as_of).select_related("owner_user", "owner_team")
            .annotate(horizon=F("episode__obligation_state__exact_until")).order_by("due_at", "code", "instance"))


def episode_obligation_rows(episode: Episode, as_of: datetime,
                            listed: list[StoredObligation] | None = None) -> list[StoredObligation]:
    """One episode's obligations listed by `as_of`, soonest due first, with their owners: the
    stored rows, or, for an episode whose stored rows do not reach `as_of` (the worker behind,
    a far `as_of`), the same rows built in memory and never written, as the worklists do, so
    that the episode page and the worklists agree. The stored rows come with their episode's
    horizon in one statement (`listed`: `episode_obligations_listed`, when the caller has read
    it); an episode with none listed asks for its horizon alone."""
    stored = list(episode_obligations_listed(episode, as_of)) if listed is None else listed
    exact_until = (stored[0].horizon if stored  # type: ignore[attr-defined]
                   else EpisodeObligationState.objects.filter(episode=episode).values_list("exact_until", flat=True)
                   .first())
    if exact_until is not None and exact_until <= as_of:
        rows = [row for row in planned_rows(episode, now=as_of, through=as_of) if row.listed_from <= as_of]
        return sorted(rows, key=lambda row: (row.due_at, row.code, row.instance))
    return stored
