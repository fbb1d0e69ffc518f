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
from homeward.common.together import ByKey, read_together
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
    also: dict[str, list[Any]] = field(default_factory=dict)  # the caller's own reads (`also`), by name


M = TypeVar("M", bound=Model)


def _sorted(rows: list[M], *fields: str, newest_first: bool = False) -> list[M]:
    """An episode's few rows of one kind in the order of `fields` (an empty one last), sorted
    here: an ORDER BY cost more to compile than this sort, and the models' default orders joined
    the episode again."""
    def key(row: M) -> tuple[tuple[bool, Any], ...]:
        values = (getattr(row, name) for name in fields)
        return tuple((value is None, value if value is not None else 0) for value in values)

    return sorted(rows, key=key, reverse=newest_first)


class _Reads:
    """The page's reads, gathered to be sent together (common.together.read_together): `add`
    answers the number under which `rows` then finds the read's rows."""

    def __init__(self) -> None:
        self.querysets: list[QuerySet[Any] | ByKey] = []
        self.answers: list[list[Any]] = []

    def add(self, queryset: QuerySet[Any], *, ordered: bool = False) -> int:
        """`ordered`: in the queryset's own order (else in none: the rows are sorted here)."""
        self.querysets.append(queryset if ordered else queryset.order_by())
        return len(self.querysets) - 1

    def by_key(self, model: type[Model], lookup: str, value: int, **fixed: Any) -> int:
        """The rows of `model` whose `lookup` is `value` (and `fixed`), in no order: a statement
        compiled once a process (`common.together.ByKey`)."""
        self.querysets.append(ByKey(model, lookup, value, tuple(sorted(fixed.items()))))
        return len(self.querysets) - 1

    def read(self) -> None:
        self.answers = read_together(self.querysets)

    def rows(self, number: int | None) -> list[Any]:
        return [] if number is None else self.answers[number]


def _interview_reads(episode: Episode, reads: _Reads) -> dict[str, int]:
    return {
        "rhi": reads.by_key(ReturnInterview, "episode_id", episode.pk),
        "versions": reads.by_key(RhiVersion, "interview__episode_id", episode.pk),
        "sharings": reads.by_key(RhiSharing, "interview__episode_id", episode.pk),
        "allocations": reads.by_key(RhiAllocation, "interview__episode_id", episode.pk),
        "offers": reads.by_key(RhiOffer, "interview__episode_id", episode.pk),
    }


def _interview_made(reads: _Reads, numbers: dict[str, int]) -> InterviewRead:
    interviews = reads.rows(numbers["rhi"])
    rhi = min(interviews, key=lambda row: row.pk) if interviews else None
    read = InterviewRead(
        rhi=rhi,
        versions=_sorted(reads.rows(numbers["versions"]), "number"),
        sharings=_sorted(reads.rows(numbers["sharings"]), "shared_at", "id"),
        allocations=_sorted(reads.rows(numbers["allocations"]), "allocated_at", "id"),
        offers=_sorted(reads.rows(numbers["offers"]), "offered_at", "id"),
    )
    if rhi is not None:
        # rhi.versions.all() and rhi.sharings.all() read these.
        rows_held(rhi, {"versions": read.versions, "sharings": read.sharings})
    return read


def interview_read(episode: Episode) -> InterviewRead:
    """The episode's return interview and its rows, read together."""
    reads = _Reads()
    numbers = _interview_reads(episode, reads)
    reads.read()
    return _interview_made(reads, numbers)


def _plans_reads(episode: Episode, reads: _Reads) -> dict[str, int]:
    return {
        "plans": reads.by_key(ActionPlan, "episode_id", episode.pk),
        "reviews": reads.add(PlanReview.objects.filter(plan__episode_id=episode.pk).select_related("meeting")),
        "actions": reads.by_key(PlanAction, "plan__episode_id", episode.pk),
        "updates": reads.by_key(PlanUpdate, "episode_id", episode.pk),
        "visits": reads.by_key(ReturnVisit, "episode_id", episode.pk),
        "judgements": reads.by_key(VulnerabilityJudgement, "episode_id", episode.pk),
    }


def _plans_made(reads: _Reads, numbers: dict[str, int]) -> PlansRead:
    plans = reads.rows(numbers["plans"])
    reviews = sorted(reads.rows(numbers["reviews"]), key=lambda review: (review.meeting.held_at, review.pk))
    actions = _sorted(reads.rows(numbers["actions"]), "id")
    by_id = {review.pk: review for review in reviews}
    review_field = cast(ForeignKey, PlanAction._meta.get_field("review"))
    for action in actions:
        if action.review_id in by_id:  # the review that added it, read above, not joined again
            review_field.set_cached_value(action, by_id[action.review_id])
    return PlansRead(
        plan=plans[0] if plans else None,
        actions=actions,
        reviews=reviews,
        updates=_sorted(reads.rows(numbers["updates"]), "revised_at", "id"),
        visits=_sorted(reads.rows(numbers["visits"]), "visited_at", "id"),
        judgements=_sorted(reads.rows(numbers["judgements"]), "judged_at", "id"),
    )


def plans_read(episode: Episode) -> PlansRead:
    """What is around the episode (social care's record), read together."""
    reads = _Reads()
    numbers = _plans_reads(episode, reads)
    reads.read()
    return _plans_made(reads, numbers)


def episode_read(episode: Episode, *, casework: bool, consultations: bool,
                 also: dict[str, QuerySet[Any]] | None = None) -> EpisodeRead:
    """The episode's casework for its page. `casework`: the person reads social care's record
    (the risk analyses and what is around the episode); `consultations`: they read the
    consultations and referrals (whose prompts read the other episodes' starts); `also`: the
    page's other reads, answered in `also` by name, each in its own order. Every kind is read
    in one round trip (PostgreSQL), and the people the rows name once for all of them
    (`people_attach`), not joined to each kind."""
    reads = _Reads()
    others_read = {name: reads.add(queryset, ordered=True) for name, queryset in (also or {}).items()}
    meetings_read = reads.by_key(StrategyMeeting, "episode_id", episode.pk)
    actions_read = reads.by_key(MeetingAction, "meeting__episode_id", episode.pk)
    gradings = reads.by_key(RiskGrading, "episode_id", episode.pk)
    classifications = reads.by_key(ClassificationChange, "episode_id", episode.pk)
    whereabouts = reads.by_key(WhereaboutsChange, "episode_id", episode.pk)
    # The prompts read every analysis' risks, also for those who may not read the analysis.
    analyses = (reads.by_key(EpisodeAction, "episode_id", episode.pk, action="risk_analysis")
                if consultations or casework else None)
    interview = _interview_reads(episode, reads)
    consulted = reads.by_key(Consultation, "episode_id", episode.pk) if consultations else None
    around = _plans_reads(episode, reads) if casework or consultations else None
    others = (reads.add(Episode.objects.filter(child_id=episode.child_id).exclude(pk=episode.pk)
                        .exclude(status="cancelled").values_list("missing_since", flat=True))
              if consultations else None)
    chronology = reads.by_key(ChronologyEntry, "episode_id", episode.pk)
    reads.read()
    # Each row holds the episode, as read through the episode's relations it did.
    for number, model in ((gradings, RiskGrading), (classifications, ClassificationChange),
                          (whereabouts, WhereaboutsChange), (chronology, ChronologyEntry)):
        episode_held(reads.rows(number), model, episode)

    meetings = _sorted(reads.rows(meetings_read), "held_at", "id")
    actions: dict[int, list[MeetingAction]] = defaultdict(list)
    meeting_actions = _sorted(reads.rows(actions_read), "meeting_id", "id")
    for action in meeting_actions:
        actions[action.meeting_id].append(action)
    read = EpisodeRead(
        gradings=_sorted(reads.rows(gradings), "graded_at", "id"),
        classifications=_sorted(reads.rows(classifications), "at", "id"),
        whereabouts_changes=_sorted(reads.rows(whereabouts), "at", "id"),
        risk_analyses=_sorted(reads.rows(analyses), "at", "id", newest_first=True),
        meetings=[(meeting, actions[meeting.pk]) for meeting in meetings],
        interview=_interview_made(reads, interview),
        consultations=_sorted(reads.rows(consulted), "decided_at", "id") if consultations else None,
        plans=_plans_made(reads, around) if around is not None else None,
        other_starts=tuple(sorted(reads.rows(others))) if consultations else None,
        chronology=_sorted(reads.rows(chronology), "at", "id"),
        also={name: reads.rows(number) for name, number in others_read.items()},
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


def episode_held(rows: list[Model], model: type[Model], episode: Episode) -> None:
    field = cast(ForeignKey, model._meta.get_field("episode"))
    for row in rows:
        field.set_cached_value(row, episode)


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
