"""Home (the signed-in person's worklist) and the 'Missing now' board."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Case, Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from homeward.accounts.models import User
from homeward.accounts.permissions import EXPLOITATION_TEAM_OUTCOMES, Capability, can
from homeward.accounts.roles import Role
from homeward.audit.services import audit_list_read
from homeward.children.models import LegalStatus, Placement
from homeward.children.selectors import child_caseload_exists, child_caseload_for_user
from homeward.consultations.models import Consultation
from homeward.consultations.selectors import consultations_awaiting_outcome_for_user
from homeward.episodes.models import Episode, EpisodeStatus, RiskLevel
from homeward.episodes.selectors import episode_list_for_user
from homeward.meetings.selectors import meeting_action_open_for_owner
from homeward.notifications.selectors import exploitation_recorded_since
from homeward.obligations.models import StoredObligation
from homeward.obligations.selectors import FRONT_DOOR_ROLES, episodes_next_obligation, live_now, worklist_sections
from homeward.plans.selectors import plan_action_open_for_owner
from homeward.web.duties import Duty, duty
from homeward.web.formatting import duration_text, hours_between
from homeward.web.forms.board import BoardFilterForm
from homeward.web.forms.episodes import ActionForm

from .base import page, person, query_without_page, recordable_actions
from .meetings import action_done_form
from .plans import plan_action_done_form

ESCALATION_HOURS = 72
# The worklist shows this many of each section; the rest are counted (up to a cap). The page
# renders what it shows, so the limit is what keeps it quick to draw and to read.
WORKLIST_LIMIT = 25
BOARD_PAGE_SIZE = 50
# The exploitation team's home page lists the exploitation indicators recorded this recently.
EXPLOITATION_RECENT = timedelta(days=14)
WORKLIST_HEADINGS = (("overdue", "overdue", "Overdue"), ("due_today", "due-today", "Due today"),
                     ("due_soon", "due-soon", "Due in the next 3 days"))


@dataclass(frozen=True)
class BoardRow:
    episode: Episode
    hours_missing: int
    missing_for: str
    looked_after: bool
    placement: Placement | None
    next_obligation: StoredObligation | None
    next_overdue: bool
    over_72_hours: bool
    high_risk: bool


def board_rows(episodes: list[Episode], now: datetime) -> list[BoardRow]:
    rows = []
    next_obligations = episodes_next_obligation([e.pk for e in episodes], as_of=now)
    for episode in episodes:
        placements = getattr(episode.child, "current_placements", [])
        next_obligation = next_obligations.get(episode.pk)
        hours = hours_between(episode.missing_since, now)
        rows.append(BoardRow(
            episode=episode, hours_missing=hours, missing_for=duration_text(episode.missing_since, now),
            looked_after=episode.child.legal_status == LegalStatus.LOOKED_AFTER,
            placement=placements[0] if placements else None,
            next_obligation=next_obligation,
            next_overdue=bool(next_obligation and next_obligation.due_at < now),
            over_72_hours=hours >= ESCALATION_HOURS,
            high_risk=episode.risk_level == RiskLevel.HIGH,
        ))
    return rows


def _open_episodes(user: User) -> QuerySet[Episode]:
    current = Placement.objects.filter(ended_on__isnull=True).select_related("authority").order_by("-id")
    return (
        episode_list_for_user(user).filter(status=EpisodeStatus.OPEN)
        .select_related("child__responsible_authority")
        .prefetch_related(Prefetch("child__placements", queryset=current, to_attr="current_placements"))
    )


# Highest risk first: graded high, medium, low, very low, then not yet graded.
_RISK_ORDER = Case(*(When(risk_level=level, then=Value(rank)) for rank, level in enumerate(
    (RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW, RiskLevel.VERY_LOW))), default=Value(9))
_ORDERS = {
    "hours": ("missing_since", "id"),
    "risk": (_RISK_ORDER, "missing_since", "id"),
    "next_due": (F("next_due_at").asc(nulls_last=True), "missing_since", "id"),
}


def board_episodes(user: User, now: datetime, filters: dict[str, Any]) -> QuerySet[Episode]:
    """The open episodes the person may see, filtered and ordered in SQL, each with when its next
    duty is due (`next_due_at`): the board pages them rather than loading every one (issue 11)."""
    next_due = (StoredObligation.objects.filter(episode=OuterRef("pk")).filter(live_now(now))
                .order_by("due_at").values("due_at")[:1])
    episodes = _open_episodes(user).annotate(next_due_at=Subquery(next_due))
    if filters.get("risk"):
        episodes = episodes.filter(risk_level=filters["risk"])
    if filters.get("team"):
        episodes = episodes.filter(child__team_id=filters["team"])
    if filters.get("missing_from"):
        episodes = episodes.filter(missing_from=filters["missing_from"])
    if filters.get("area"):
        episodes = episodes.filter(rhi_out_of_area=filters["area"] == "out")
    if filters.get("overdue"):
        episodes = episodes.filter(next_due_at__lt=now)
    return episodes.order_by(*_ORDERS[filters.get("sort") or "hours"])



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
    entries = Paginator(episodes, BOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = board_rows(list(entries.object_list), now)
    # A list naming children is a read of each child's record (ARCHITECTURE.md habit 4).
    audit_list_read(actor=user, object_type="missing_now_board",
                    rows=[(row.episode.pk, row.episode.child_id) for row in rows], query=request.GET.dict())
    return render(request, "web/pages/board.html", {
        "form": form, "rows": rows, "now": now, "entries": entries, "query": query_without_page(request),
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


@page
def home(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    user = person(request)
    # The person's own worklist (ADR 0011): their duties, their team's queue, their role's, and
    # for the co-ordinator and MCT the front door's (children with no allocated worker or team).
    sections = worklist_sections(user, soon=timedelta(days=3), mine=True, limit=WORKLIST_LIMIT)
    every_open = _open_episodes(user)
    caseload = child_caseload_for_user(user)
    # The children of the person's own caseload who are missing (a co-ordinator has none).
    mine = board_rows(list(every_open.filter(child__in=caseload).order_by("missing_since", "id")[:WORKLIST_LIMIT]),
                      now)
    recordable = recordable_actions(user)

    def with_forms(rows: list[StoredObligation]) -> list[tuple[Duty, ActionForm | None]]:
        """Each obligation in words with, where a simple record completes it, the form to record it inline."""
        return [
            (duty(row, now), ActionForm(auto_id=f"o{row.pk}_%s", action=row.code) if row.code in recordable else None)
            for row in rows
        ]

    meeting_actions = list(meeting_action_open_for_owner(user)[:WORKLIST_LIMIT])
    plan_actions = list(plan_action_open_for_owner(user)[:WORKLIST_LIMIT])
    awaiting, recent = _exploitation_work(user, now)
    # Every child the page names, by the episodes it shows (as the API's worklist does).
    audit_list_read(actor=user, object_type="worklist", query={"page": "home", **request.GET.dict()}, rows=[
        *((row.episode_id, row.child_id) for section in sections.values() for row in section.rows),
        *((row.episode.pk, row.episode.child_id) for row in mine),
        *((action.meeting.episode_id, action.meeting.episode.child_id) for action in meeting_actions),
        *((action.plan.episode_id, action.plan.episode.child_id) for action in plan_actions),
        *((c.episode_id, c.episode.child_id) for c in awaiting),
        *((episode.pk, episode.child_id) for episode in recent),
    ])
    context: dict[str, Any] = {
        "now": now,
        # Each section: its anchor, heading, the rows shown with their forms, how many in all, how
        # many more, and whether those counts stopped at their cap.
        "worklist": [
            (anchor, heading, with_forms(sections[key].rows), sections[key].count,
             sections[key].count - len(sections[key].rows), sections[key].capped)
            for key, anchor, heading in WORKLIST_HEADINGS
        ],
        "worklist_count": sum(section.count for section in sections.values()),
        "mine_missing": mine,
        # Without a caseload of their own (most co-ordinators, police, providers), "your
        # children" means nothing: the page says how many of those they may see are missing.
        "has_caseload": child_caseload_exists(user),
        "reads_children": can(user, Capability.CHILD_READ),
        "open_count": every_open.count(),
        # Actions agreed at strategy meetings that name this person as their owner.
        "meeting_actions": [(action, action_done_form(user, action)) for action in meeting_actions],
        # Actions of missing child action plans that name this person as their owner.
        "plan_actions": [(action, plan_action_done_form(user, action)) for action in plan_actions],
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
