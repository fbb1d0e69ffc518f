"""Home (the signed-in person's worklist) and the 'Missing now' board."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Case, Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString

from homeward.accounts.models import User
from homeward.accounts.permissions import EXPLOITATION_TEAM_OUTCOMES, Capability, can, may_complete_meeting_action
from homeward.accounts.roles import Role
from homeward.audit.services import audit_list_read
from homeward.children.models import LegalStatus, Placement
from homeward.children.selectors import child_caseload_exists, child_caseload_for_user
from homeward.common.together import read_together
from homeward.consultations.models import Consultation
from homeward.consultations.selectors import consultations_awaiting_outcome_for_user
from homeward.episodes.models import Episode, EpisodeStatus, RiskLevel
from homeward.episodes.selectors import episode_list_for_user
from homeward.meetings.models import MeetingKind
from homeward.meetings.selectors import meeting_action_open_for_owner
from homeward.notifications.selectors import exploitation_recorded_since
from homeward.obligations.models import StoredObligation
from homeward.obligations.selectors import (
    FRONT_DOOR_ROLES,
    SECTION_COUNT_CAP,
    WorklistSection,
    episodes_next_duty,
    live_for_episode,
    worklist_sections,
)
from homeward.plans.selectors import plan_action_open_for_owner
from homeward.web.duties import duty
from homeward.web.formatting import duration_text, hours_between
from homeward.web.forms.board import BoardFilterForm
from homeward.web.forms.episodes import ActionForm
from homeward.web.worklist import (
    MEETING_ACTION_VALUES,
    PLAN_ACTION_VALUES,
    ActionRows,
    BoardRowsDrawn,
    DutyRows,
)

from .base import page, person, query_without_page, recordable_actions

ESCALATION_HOURS = 72
# The worklist shows this many of each section; the rest are counted (up to a cap). The page
# renders what it shows, so the limit is what keeps it quick to draw and to read.
WORKLIST_LIMIT = 25
BOARD_PAGE_SIZE = 50
# A child's names, as pages name them (full_name, known_as).
NAMES = ("given_name", "family_name", "known_as")
# The exploitation team's home page lists the exploitation indicators recorded this recently.
EXPLOITATION_RECENT = timedelta(days=14)
WORKLIST_HEADINGS = (("overdue", "overdue", "Overdue"), ("due_today", "due-today", "Due today"),
                     ("due_soon", "due-soon", "Due in the next 3 days"))
ACTION_HEADINGS = (("meeting_actions", "meeting-actions", "Your actions from strategy meetings"),
                   ("plan_actions", "plan-actions", "Your actions from missing child action plans"))


@dataclass(frozen=True)
class BoardRow:
    episode: Episode
    hours_missing: int
    missing_for: str
    looked_after: bool
    placement: Placement | None
    # The episode's next duty still to be done (its title and when it is due), if any.
    next_title: str | None
    next_due_at: datetime | None
    next_overdue: bool
    over_72_hours: bool
    high_risk: bool


def board_rows(episodes: list[Episode], now: datetime) -> list[BoardRow]:
    """Each open episode as the board and the home page show it (the episodes read by
    `_open_episodes`), with its next duty."""
    rows = []
    next_duties = episodes_next_duty([episode.pk for episode in episodes], now) if episodes else {}
    for episode in episodes:
        placements = getattr(episode.child, "current_placements", [])
        next_due_at, next_title = next_duties.get(episode.pk, (None, None))
        hours = hours_between(episode.missing_since, now)
        rows.append(BoardRow(
            episode=episode, hours_missing=hours, missing_for=duration_text(episode.missing_since, now),
            looked_after=episode.child.legal_status == LegalStatus.LOOKED_AFTER,
            placement=placements[0] if placements else None,
            next_title=next_title,
            next_due_at=next_due_at,
            next_overdue=bool(next_due_at and next_due_at < now),
            over_72_hours=hours >= ESCALATION_HOURS,
            high_risk=episode.risk_level == RiskLevel.HIGH,
        ))
    return rows


def _open_episodes(user: User) -> QuerySet[Episode]:
    """The open episodes the person may see, with what the board and the home page show of each
    episode, its child and the child's current placement (the rest of them unread: at a page of
    fifty rows, building whole episodes cost more than drawing them)."""
    current = (Placement.objects.filter(ended_on__isnull=True).select_related("authority")
               .only("child_id", "provider", "authority__name").order_by("-id"))
    return (
        episode_list_for_user(user).filter(status=EpisodeStatus.OPEN)
        .select_related(None).select_related("child")
        .only("child_id", "missing_since", "classification", "risk_level", "child__external_id",
              "child__legal_status", *(f"child__{name}" for name in NAMES))
        .prefetch_related(Prefetch("child__placements", queryset=current, to_attr="current_placements"))
    )


def _with_next_due(episodes: QuerySet[Episode], now: datetime) -> QuerySet[Episode]:
    """Each episode with when its next duty still to be done is due (`next_due_at`), for the
    board's order by it and its filter on what is overdue: a subquery by episode."""
    first = (StoredObligation.objects.filter(episode=OuterRef("pk")).filter(live_for_episode(now))
             .order_by("due_at", "id"))
    return episodes.annotate(next_due_at=Subquery(first.values("due_at")[:1]))


# Highest risk first: graded high, medium, low, very low, then not yet graded.
_RISK_ORDER = Case(*(When(risk_level=level, then=Value(rank)) for rank, level in enumerate(
    (RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW, RiskLevel.VERY_LOW))), default=Value(9))
_ORDERS = {
    "hours": ("missing_since", "id"),
    "risk": (_RISK_ORDER, "missing_since", "id"),
    "next_due": (F("next_due_at").asc(nulls_last=True), "missing_since", "id"),
}


def board_episodes(user: User, now: datetime, filters: dict[str, Any]) -> QuerySet[Episode]:
    """The open episodes the person may see, filtered and ordered in SQL: the board pages them
    rather than loading every one (issue 11). The next duty's due time is worked out here only to
    order or filter by it; each row's next duty is read for the page alone (`board_rows`)."""
    episodes = _open_episodes(user)
    if filters.get("overdue") or filters.get("sort") == "next_due":
        episodes = _with_next_due(episodes, now)
    if filters.get("risk"):
        episodes = episodes.filter(risk_level=filters["risk"])
    if filters.get("team"):
        episodes = episodes.filter(child__team_id=filters["team"])
    if filters.get("owner"):
        episodes = episodes.filter(_allocated(user, filters["owner"]))
    if filters.get("missing_from"):
        episodes = episodes.filter(missing_from=filters["missing_from"])
    if filters.get("area"):
        episodes = episodes.filter(rhi_out_of_area=filters["area"] == "out")
    if filters.get("overdue"):
        episodes = episodes.filter(Q(next_due_at__lt=now))  # annotated by _with_next_due
    return episodes.order_by(*_ORDERS[filters.get("sort") or "hours"])


def _allocated(user: User, owner: str) -> Q:
    """The episodes of children allocated to the person, to their team (none without a team), or
    to no worker."""
    if owner == "me":
        return Q(child__allocated_worker_id=user.pk)
    if owner == "my_team":
        return Q(child__team_id=user.team_id) if user.team_id is not None else Q(pk__in=[])
    return Q(child__allocated_worker__isnull=True)


@page
def board(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    user = person(request)
    form = BoardFilterForm(data=request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    episodes = board_episodes(user, now, filters)
    # Every count in one query; the rows of one page.
    counts = episodes.order_by().aggregate(
        total=Count("id"), high_risk=Count("id", filter=Q(risk_level=RiskLevel.HIGH)),
        over_72=Count("id", filter=Q(missing_since__lte=now - timedelta(hours=ESCALATION_HOURS))))
    paginator = Paginator(episodes, BOARD_PAGE_SIZE)
    paginator.count = counts["total"]  # counted above: the paginator need not count again
    entries = paginator.get_page(request.GET.get("page"))
    rows = board_rows(list(entries.object_list), now)
    # A list naming children is a read of each child's record (ARCHITECTURE.md habit 4).
    audit_list_read(actor=user, object_type="missing_now_board",
                    rows=[(row.episode.pk, row.episode.child_id) for row in rows], query=request.GET.dict())
    drawn = BoardRowsDrawn()
    return render(request, "web/pages/board.html", {
        "form": form, "rows": [drawn.row(row) for row in rows], "now": now, "entries": entries,
        "query": query_without_page(request),
        "open_count": counts["total"], "high_risk_count": counts["high_risk"], "over_72_count": counts["over_72"],
        "filtered": bool(filters and any(value for name, value in filters.items() if name != "sort")),
    })


def _exploitation_work(user: User, now: datetime) -> tuple[list[Consultation], list[Episode]]:
    """What the exploitation team must do: outcomes to record, indicators to look at."""
    if user.role != Role.EXPLOITATION_TEAM:
        return [], []
    awaiting = list(consultations_awaiting_outcome_for_user(user, EXPLOITATION_TEAM_OUTCOMES)[:WORKLIST_LIMIT])
    recent = list(exploitation_recorded_since(user, now - EXPLOITATION_RECENT)[:WORKLIST_LIMIT])
    return awaiting, recent


def _section_pages(request: HttpRequest) -> dict[str, int]:
    """Which page of each section of the home page to show (`overdue_page=2`...), the first by
    default; the sections are counted up to SECTION_COUNT_CAP, so no page lies beyond it."""
    last = -(-SECTION_COUNT_CAP // WORKLIST_LIMIT)
    pages = {}
    for key, _anchor, _heading in (*WORKLIST_HEADINGS, *ACTION_HEADINGS):
        given = request.GET.get(f"{key}_page", "")
        # Only plain numbers of a few digits: int() refuses "²" and numbers of thousands of digits.
        number = int(given) if given.isascii() and given.isdigit() and len(given) <= 4 else 1
        pages[key] = min(max(number, 1), last)
    return pages


@dataclass(frozen=True)
class WorklistPart:
    """One section of the home page as it shows it: its rows drawn, and its paging."""

    key: str
    anchor: str
    heading: str
    items: list[SafeString]
    count: int
    capped: bool
    page: int
    first: int  # the position of the first row shown, from 1
    last: int
    first_query: str
    previous_query: str | None  # None on the first page
    next_query: str | None  # None on the last
    next_label: str  # which rows the next page shows: "26 to 50"
    elsewhere: bool = False  # the rest also listed on overdue and unowned work
    counted: bool = True  # False: more lie beyond this page, not counted


def _part(request: HttpRequest, key: str, anchor: str, heading: str, items: list[SafeString], *, count: int,
          capped: bool, page: int, offset: int, elsewhere: bool = False, counted: bool = True) -> WorklistPart:
    """A section of the home page showing `items` from `offset`, and the links to its pages."""

    def query(number: int) -> str:
        # The other sections stay on their pages; page 1 is said by leaving it out.
        query = request.GET.copy()
        query.pop(f"{key}_page", None)
        if number > 1:
            query[f"{key}_page"] = str(number)
        return query.urlencode()

    shown_to = offset + len(items)
    next_to = shown_to + WORKLIST_LIMIT if capped else min(shown_to + WORKLIST_LIMIT, count)
    return WorklistPart(
        key=key, anchor=anchor, heading=heading, items=items, count=count, capped=capped, page=page,
        first=offset + 1, last=shown_to, first_query=query(1),
        previous_query=query(page - 1) if page > 1 else None,
        next_query=query(page + 1) if shown_to < count else None,
        next_label=f"{shown_to + 1} to {next_to}", elsewhere=elsewhere, counted=counted,
    )


def _worklist_parts(request: HttpRequest, sections: dict[str, WorklistSection], pages: dict[str, int],
                    rows: DutyRows, now: datetime, elsewhere: bool) -> list[WorklistPart]:
    return [_part(request, key, anchor, heading, [rows.item(duty(row, now)) for row in sections[key].rows],
                  count=sections[key].count, capped=sections[key].capped, page=pages[key],
                  offset=sections[key].offset, elsewhere=elsewhere)
            for key, anchor, heading in WORKLIST_HEADINGS]


def _action_part(request: HttpRequest, heading: tuple[str, str, str], items: list[SafeString], *, page: int,
                 offset: int, more: bool) -> WorklistPart:
    """A page of a person's open actions, read with one more row than it shows: whether more lie
    beyond it, without counting them (a person's open actions grow with the years they were
    given them in: 13,000 for the benchmark's co-ordinator at a million episodes)."""
    key, anchor, title = heading
    shown = offset + len(items)
    return _part(request, key, anchor, title, items, count=shown + 1 if more else shown, capped=more, page=page,
                 offset=offset, counted=not more)


@page
def home(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    user = person(request)
    # The person's own worklist (ADR 0011): their duties, their team's queue, their role's, and
    # for the co-ordinator and MCT the front door's (children with no allocated worker or team).
    # Each section a page of WORKLIST_LIMIT rows.
    pages = _section_pages(request)
    sections = worklist_sections(user, soon=timedelta(days=3), mine=True, limit=WORKLIST_LIMIT,
                                 offsets={key: (number - 1) * WORKLIST_LIMIT for key, number in pages.items()})
    every_open = _open_episodes(user)
    # Without a caseload of their own (most co-ordinators, police, providers), "your children"
    # means nothing: the page says how many of those they may see are missing.
    has_caseload = child_caseload_exists(user)
    # The children of the person's own caseload who are missing.
    mine = board_rows(list(every_open.filter(child__in=child_caseload_for_user(user))
                           .order_by("missing_since", "id")[:WORKLIST_LIMIT]), now) if has_caseload else []
    # Each obligation in words with, where a simple record completes it, the form to record it
    # inline; each kind of form drawn once for the page.
    rows = DutyRows(request, recordable_actions(user), lambda auto_id, code: ActionForm(auto_id=auto_id, action=code),
                    back_to=reverse("web:home"))
    # What the page says of each action, its meeting or plan, and its child, read as values,
    # both in one round trip (PostgreSQL).
    # A page of each, and one row more: whether there are more.
    meeting_from, plan_from = ((pages[key] - 1) * WORKLIST_LIMIT for key in ("meeting_actions", "plan_actions"))
    meeting_read, plan_read = read_together([
        meeting_action_open_for_owner(user).values(*MEETING_ACTION_VALUES)[
            meeting_from:meeting_from + WORKLIST_LIMIT + 1],
        plan_action_open_for_owner(user).values(*PLAN_ACTION_VALUES)[plan_from:plan_from + WORKLIST_LIMIT + 1],
    ])
    meeting_actions, plan_actions = meeting_read[:WORKLIST_LIMIT], plan_read[:WORKLIST_LIMIT]
    awaiting, recent = _exploitation_work(user, now)
    # Every child the page names, by the episodes it shows (as the API's worklist does).
    audit_list_read(actor=user, object_type="worklist", query={"page": "home", **request.GET.dict()}, rows=[
        *((row.episode_id, row.child_id) for section in sections.values() for row in section.rows),
        *((row.episode.pk, row.episode.child_id) for row in mine),
        *((action["meeting__episode_id"], action["meeting__episode__child_id"]) for action in meeting_actions),
        *((action["plan__episode_id"], action["plan__episode__child_id"]) for action in plan_actions),
        *((c.episode_id, c.episode.child_id) for c in awaiting),
        *((episode.pk, episode.child_id) for episode in recent),
    ])
    worklist = _worklist_parts(request, sections, pages, rows, now, elsewhere=user.role in FRONT_DOOR_ROLES)
    actions = ActionRows(request, rows.forms, back_to=reverse("web:home"), today=timezone.localdate(now),
                         kinds=dict(MeetingKind.choices))
    action_parts = [
        _action_part(request, heading, items, page=pages[heading[0]], offset=offset, more=len(read) > WORKLIST_LIMIT)
        for heading, items, read, offset in zip(ACTION_HEADINGS, (
            [actions.meeting(action, _may_mark_done(user, action)) for action in meeting_actions],
            [actions.plan(action, _may_mark_done(user, action)) for action in plan_actions],
        ), (meeting_read, plan_read), (meeting_from, plan_from), strict=True)]
    context: dict[str, Any] = {
        "now": now,
        # Each section: its anchor, heading, the rows shown (drawn), how many in all, whether
        # that count stopped at its cap, and the links to its other pages.
        "worklist": worklist,
        "worklist_count": sum(section.count for section in sections.values()),
        "mine_missing": mine,
        "has_caseload": has_caseload,
        "reads_children": can(user, Capability.CHILD_READ),
        "open_count": every_open.count() if not has_caseload else None,
        # Actions agreed at strategy meetings that name this person as their owner, and actions
        # of missing child action plans, each with its 'Mark as done' fields drawn once a kind;
        # a page of each.
        "action_parts": action_parts,
        "today": timezone.localdate(now),
        # The co-ordinator and MCT also look after what nobody owns (the front door queue).
        "sees_unowned_work": user.role in FRONT_DOOR_ROLES,
        # The exploitation (CSE/CCE) team (ADR 0016): the Pre-MACE referrals awaiting the
        # panel's outcome, and the children whose exploitation indicators were just recorded.
        "exploitation_team": user.role == Role.EXPLOITATION_TEAM,
        "awaiting_outcome": awaiting,
        "exploitation_recent": recent,
        "exploitation_since": timezone.localdate(now - EXPLOITATION_RECENT),
    }
    return render(request, "web/pages/home.html", context)


def _may_mark_done(user: User, action: dict[str, Any]) -> bool:
    """Whether the person may mark this open action done, as action_done_form and
    plan_action_done_form decide, without making a form for each."""
    return action["done_at"] is None and may_complete_meeting_action(user, action["owner_user_id"])
