"""Everything the episode page shows of an episode's casework, read once, one query per kind.

The page used to ask each panel for its own rows: the interview was read four times, the risk
analyses twice, the meetings twice, and prefetches ran only for what existed, so the page cost
34 to 51 queries by episode (issue 11). Here each kind is read by the episode's id whether or
not there is any, so every episode costs the same, and the panels are built from these rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar, cast

from django.db.models import ForeignKey, Model, QuerySet

from homeward.accounts.models import User
from homeward.children.models import ChronologyEntry
from homeward.common.prefetch import rows_held
from homeward.consultations.models import Consultation
from homeward.episodes.models import ClassificationChange, Episode, EpisodeAction, RiskGrading, WhereaboutsChange
from homeward.interviews.models import ReturnInterview, RhiAllocation, RhiOffer, RhiSharing, RhiVersion
from homeward.meetings.models import MeetingAction, StrategyMeeting
from homeward.plans.models import ActionPlan, PlanAction, PlanReview, PlanUpdate, ReturnVisit, VulnerabilityJudgement


@dataclass
class InterviewRead:
    """The episode's return interview with its versions, sharings, allocations and offers (each
    oldest first); `rhi` None while there is none. The interview's `versions` and `sharings`
    answer from these rows (as if prefetched), so the selectors that read them ask no more."""

    rhi: ReturnInterview | None
    versions: list[RhiVersion] = field(default_factory=list)
    sharings: list[RhiSharing] = field(default_factory=list)
    allocations: list[RhiAllocation] = field(default_factory=list)
    offers: list[RhiOffer] = field(default_factory=list)


@dataclass
class PlansRead:
    """Around the episode (social care's record): the action plan with its actions and reviews,
    the updates after the return, the return visits and the judgements of vulnerability."""

    plan: ActionPlan | None
    actions: list[PlanAction]
    reviews: list[PlanReview]
    updates: list[PlanUpdate]
    visits: list[ReturnVisit]
    judgements: list[VulnerabilityJudgement]


@dataclass
class EpisodeRead:
    gradings: list[RiskGrading]
    classifications: list[ClassificationChange]
    whereabouts_changes: list[WhereaboutsChange]
    risk_analyses: list[EpisodeAction]  # latest first
    meetings: list[tuple[StrategyMeeting, list[MeetingAction]]]
    interview: InterviewRead
    consultations: list[Consultation] | None  # None: not read (the person may not)
    plans: PlansRead | None  # None: not read (the person may not read social care's record)
    other_starts: tuple[datetime, ...] | None  # the child's other episodes' starts, for the prompts
    chronology: list[ChronologyEntry]  # oldest first


M = TypeVar("M", bound=Model)


def _sorted(rows: QuerySet[M], *fields: str, newest_first: bool = False) -> list[M]:
    """An episode's few rows of one kind in the order of `fields` (an empty one last), sorted
    here: an ORDER BY cost more to compile than this sort, and the models' default orders joined
    the episode again."""
    def key(row: M) -> tuple[tuple[bool, Any], ...]:
        values = (getattr(row, name) for name in fields)
        return tuple((value is None, value if value is not None else 0) for value in values)

    return sorted(rows.order_by(), key=key, reverse=newest_first)


def interview_read(episode: Episode) -> InterviewRead:
    rhi = ReturnInterview.objects.filter(episode_id=episode.pk).first()
    of_episode = {"interview__episode_id": episode.pk}
    read = InterviewRead(
        rhi=rhi,
        versions=_sorted(RhiVersion.objects.filter(**of_episode), "number"),
        sharings=_sorted(RhiSharing.objects.filter(**of_episode), "shared_at", "id"),
        allocations=_sorted(RhiAllocation.objects.filter(**of_episode), "allocated_at", "id"),
        offers=_sorted(RhiOffer.objects.filter(**of_episode), "offered_at", "id"),
    )
    if rhi is not None:
        # rhi.versions.all() and rhi.sharings.all() read these.
        rows_held(rhi, {"versions": read.versions, "sharings": read.sharings})
    return read


def plans_read(episode: Episode) -> PlansRead:
    plans = list(ActionPlan.objects.filter(episode_id=episode.pk).order_by())
    of_plan = {"plan__episode_id": episode.pk}
    reviews = sorted(PlanReview.objects.filter(**of_plan).select_related("meeting").order_by(),
                     key=lambda review: (review.meeting.held_at, review.pk))
    actions = _sorted(PlanAction.objects.filter(**of_plan), "id")
    by_id = {review.pk: review for review in reviews}
    review_field = cast(ForeignKey, PlanAction._meta.get_field("review"))
    for action in actions:
        if action.review_id in by_id:  # the review that added it, read above, not joined again
            review_field.set_cached_value(action, by_id[action.review_id])
    return PlansRead(
        plan=plans[0] if plans else None,
        actions=actions,
        reviews=reviews,
        updates=_sorted(PlanUpdate.objects.filter(episode_id=episode.pk), "revised_at", "id"),
        visits=_sorted(ReturnVisit.objects.filter(episode_id=episode.pk), "visited_at", "id"),
        judgements=_sorted(VulnerabilityJudgement.objects.filter(episode_id=episode.pk), "judged_at", "id"),
    )


def episode_read(episode: Episode, *, casework: bool, consultations: bool) -> EpisodeRead:
    """The episode's casework for its page. `casework`: the person reads social care's record
    (the risk analyses and what is around the episode); `consultations`: they read the
    consultations and referrals (whose prompts read the other episodes' starts). The people the
    rows name are read once for all of them (`people_attach`), not joined to each kind."""
    meetings = _sorted(StrategyMeeting.objects.filter(episode_id=episode.pk), "held_at", "id")
    actions: dict[int, list[MeetingAction]] = defaultdict(list)
    meeting_actions = _sorted(MeetingAction.objects.filter(meeting__episode_id=episode.pk), "meeting_id", "id")
    for action in meeting_actions:
        actions[action.meeting_id].append(action)
    read = EpisodeRead(
        gradings=_sorted(episode.risk_gradings.all(), "graded_at", "id"),
        classifications=_sorted(episode.classifications.all(), "at", "id"),
        whereabouts_changes=_sorted(episode.whereabouts_changes.all(), "at", "id"),
        # The prompts read every analysis' risks, also for those who may not read the analysis.
        risk_analyses=_sorted(EpisodeAction.objects.filter(episode_id=episode.pk, action="risk_analysis"), "at", "id",
                              newest_first=True) if consultations or casework else [],
        meetings=[(meeting, actions[meeting.pk]) for meeting in meetings],
        interview=interview_read(episode),
        consultations=_sorted(Consultation.objects.filter(episode_id=episode.pk), "decided_at", "id")
        if consultations else None,
        plans=plans_read(episode) if casework or consultations else None,
        other_starts=tuple(sorted(Episode.objects.filter(child_id=episode.child_id).exclude(pk=episode.pk)
                                  .exclude(status="cancelled").order_by().values_list("missing_since", flat=True)))
        if consultations else None,
        chronology=_sorted(episode.chronology.all(), "at", "id"),
    )
    rhi, plans = read.interview, read.plans
    named: list[tuple[Sequence[Model], tuple[str, ...]]] = [
        (read.gradings, ("recorded_by",)), (read.classifications, ("recorded_by",)),
        (read.whereabouts_changes, ("recorded_by",)), (read.risk_analyses, ("recorded_by",)),
        (meeting_actions, ("done_by",)), (read.chronology, ("recorded_by",)),
        ([rhi.rhi] if rhi.rhi else [], ("practitioner", "allocated_by", "authorised_by")),
        (rhi.versions, ("recorded_by", "authorised_by")), (rhi.allocations, ("practitioner", "previous_practitioner")),
        (read.consultations or [], ("recorded_by", "outcome_recorded_by")),
    ]
    if plans is not None:
        named += [([plans.plan] if plans.plan else [], ("recorded_by",)), (plans.actions, ("owner_user", "done_by")),
                  (plans.reviews, ("recorded_by",)), (plans.updates, ("recorded_by",)),
                  (plans.visits, ("recorded_by",)), (plans.judgements, ("judged_by",))]
    people_attach(named)
    return read


def people_attach(named: list[tuple[Sequence[Model], tuple[str, ...]]]) -> None:
    """The people these rows name in these fields (who recorded it, whose it is...), read in one
    query and held on each row as select_related would have (a row naming nobody holds None)."""
    wanted = {getattr(row, f"{name}_id") for rows, names in named for row in rows for name in names}
    wanted.discard(None)
    people = User.objects.in_bulk(wanted)
    for rows, names in named:
        for name in names:
            for row in rows:
                field = cast(ForeignKey, row._meta.get_field(name))
                field.set_cached_value(row, people.get(getattr(row, f"{name}_id")))
