"""Recording what happens around the episode (DOMAIN.md section 5a): the missing child action
plan and its actions, its review at each strategy meeting and its update after the return
interview; the social worker's visit after the return; a practitioner's judgement that the
child is vulnerable.

Each service validates everything first (DomainValidationError naming the field, nothing
stored), writes its rows and ends with `casework_commit`, so the chronology, the audit entry
and the stored obligations it changes (`action_plan`, `plan_updated`, `return_visit`,
`parental_responsibility_informed`, `strategy_meeting`) are written in the same transaction.
Chronology lines say what happened, never the plan's free text (police read the chronology).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from homeward.accounts.models import User
from homeward.accounts.permissions import Capability, may_complete_meeting_action, require
from homeward.common.errors import DomainValidationError, FieldError, PermissionDenied
from homeward.common.text import counted
from homeward.common.timeutil import LONDON
from homeward.episodes.models import Episode, EpisodeStatus
from homeward.interviews.models import ReturnInterview
from homeward.meetings.models import MeetingKind, StrategyMeeting
from homeward.plans.models import (
    ActionPlan,
    PlanAction,
    PlanReview,
    PlanUpdate,
    ReturnVisit,
    VulnerabilityJudgement,
)

from .commit import Audit, Chronicle, Reach, casework_commit
from .meetings import agreed_action_mark_done, meeting_action_owner_person

CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class PlannedAction:
    """An action agreed in the plan or at its review: who, what, by when."""

    owner: str
    description: str
    due: date | None = None


@dataclass(frozen=True)
class PlanContent:
    """What the plan says besides its actions (seed 002)."""

    contact_by: str
    contact_how: str
    family_told: str
    family_how_often: str
    return_who_sees: str
    return_interviewer: str
    return_where: str = ""


_REQUIRED_CONTENT = {
    "contact_by": "Say who keeps contact with the child.",
    "contact_how": "Say how contact with the child is kept.",
    "family_told": "Say what the family is told.",
    "family_how_often": "Say how often the family is updated.",
    "return_who_sees": "Say who sees the child when they are found.",
    "return_interviewer": "Say who is best placed to do the return home interview.",
}


def _lock(episode: Episode) -> Episode:
    return Episode.objects.select_for_update().get(pk=episode.pk)


def _when(errors: list[FieldError], field: str, value: datetime | None, *, not_before: datetime | None,
          before_message: str, missing_message: str) -> None:
    if value is None:
        errors.append(FieldError(field, missing_message))
        return
    if value > timezone.now() + CLOCK_SKEW:
        errors.append(FieldError(field, "This time is in the future."))
    elif not_before is not None and value < not_before:
        errors.append(FieldError(field, before_message))


def _not_cancelled(errors: list[FieldError], episode: Episode) -> None:
    if episode.status == EpisodeStatus.CANCELLED:
        errors.append(FieldError("episode", "This episode was cancelled."))


def _check_actions(errors: list[FieldError], actions: list[PlannedAction]) -> None:
    for index, item in enumerate(actions):
        if not item.owner.strip():
            errors.append(FieldError(f"actions[{index}].owner", "Say who owns this action."))
        if not item.description.strip():
            errors.append(FieldError(f"actions[{index}].description", "Describe the action."))


def _create_actions(plan: ActionPlan, actions: list[PlannedAction], review: PlanReview | None = None) -> None:
    PlanAction.objects.bulk_create(
        PlanAction(plan=plan, review=review, owner=a.owner.strip(), owner_user=meeting_action_owner_person(a.owner),
                   description=a.description.strip(), due=a.due)
        for a in actions
    )


def _local(instant: datetime) -> str:
    return f"{instant.astimezone(LONDON):%d/%m/%Y %H:%M}"


@transaction.atomic
def action_plan_record(*, actor: User, episode: Episode, agreed_at: datetime | None, content: PlanContent,
                       actions: list[PlannedAction] | None = None) -> ActionPlan:
    """Record the episode's missing child action plan (one per episode, seed 003)."""
    require(actor, Capability.PLAN_RECORD)
    episode = _lock(episode)
    actions = list(actions or [])
    errors: list[FieldError] = []
    _not_cancelled(errors, episode)
    if ActionPlan.objects.filter(episode=episode).exists():
        errors.append(FieldError("episode", "This episode already has its action plan: review it at a strategy "
                                            "meeting or update it after the return."))
    _when(errors, "agreed_at", agreed_at, not_before=episode.missing_since - timedelta(days=1),
          before_message="The plan is dated before the child went missing.",
          missing_message="Enter when the plan was agreed.")
    for name, message in _REQUIRED_CONTENT.items():
        if not getattr(content, name).strip():
            errors.append(FieldError(name, message))
    _check_actions(errors, actions)
    if errors:
        raise DomainValidationError(errors)
    assert agreed_at is not None
    plan = ActionPlan.objects.create(
        episode=episode, agreed_at=agreed_at, recorded_by=actor,
        **{name: getattr(content, name).strip() for name in (*_REQUIRED_CONTENT, "return_where")},
    )
    _create_actions(plan, actions)
    casework_commit(
        actor=actor, child=episode.child_id, episode=episode, event="action_plan",
        chronicle=Chronicle(agreed_at, "action_plan",
                            f"Missing child action plan agreed; {counted(len(actions), 'action')}."),
        audit=Audit("create", "action_plan", str(plan.pk), {"episode": episode.pk, "agreed_at": agreed_at,
                                                              "actions": len(actions)}),
    )
    return plan


def plan_action_snapshot(action: PlanAction) -> dict[str, object]:
    return {
        "done_at": action.done_at.isoformat() if action.done_at else None,
        "done_by": action.done_by.username if action.done_by else None,
        "note": action.done_note,
    }


@transaction.atomic
def plan_action_complete(*, actor: User, action: PlanAction, done_at: datetime | None, note: str = "") -> PlanAction:
    """An action of the plan done: when, by whom (the person recording it), a note. Once."""
    action = (PlanAction.objects.select_for_update(of=("self",))
              .select_related("plan__episode", "done_by").get(pk=action.pk))
    if not may_complete_meeting_action(actor, action.owner_user_id):
        raise PermissionDenied(f"The role {actor.role!r} may not mark this action done.")
    plan = action.plan
    errors: list[FieldError] = []
    if action.done_at is not None:
        errors.append(FieldError("action", f"This action was already marked done ({_local(action.done_at)})."))
    _when(errors, "done_at", done_at, not_before=plan.agreed_at,
          before_message=f"The action was agreed in the plan of {_local(plan.agreed_at)}: it cannot have been "
                         "done before it.",
          missing_message="Enter when the action was done.")
    if errors:
        raise DomainValidationError(errors)
    assert done_at is not None
    before = plan_action_snapshot(action)
    agreed_action_mark_done(action, actor=actor, done_at=done_at, note=note)
    episode = plan.episode
    # The plan's actions are its own business: the protocol reads none of them.
    casework_commit(
        actor=actor, child=episode.child_id, episode=episode, event="plan_action_done", reach=Reach.NONE,
        chronicle=Chronicle(done_at, "plan_action_done", "An action of the missing child action plan done."),
        audit=Audit("update", "plan_action", str(action.pk),
                    {"episode": episode.pk, "plan": plan.pk, "before": before,
                     "after": plan_action_snapshot(action)}),
    )
    return action


@transaction.atomic
def plan_review_record(*, actor: User, episode: Episode, meeting: StrategyMeeting, changes: str,
                       actions: list[PlannedAction] | None = None) -> PlanReview:
    """The plan reviewed at a strategy meeting of the episode (one review per meeting), with
    what the meeting changed and any actions it added."""
    require(actor, Capability.PLAN_RECORD)
    episode = _lock(episode)
    actions = list(actions or [])
    errors: list[FieldError] = []
    _not_cancelled(errors, episode)
    plan = ActionPlan.objects.filter(episode=episode).first()
    if plan is None:
        errors.append(FieldError("plan", "Record the action plan before reviewing it."))
    if meeting.episode_id != episode.pk:
        errors.append(FieldError("meeting", "Choose a meeting held about this episode."))
    elif PlanReview.objects.filter(meeting=meeting).exists():
        errors.append(FieldError("meeting", "The plan was already reviewed at this meeting."))
    if not changes.strip():
        errors.append(FieldError("changes", "Say what the meeting changed in the plan, or that it stands."))
    _check_actions(errors, actions)
    if errors:
        raise DomainValidationError(errors)
    assert plan is not None
    review = PlanReview.objects.create(plan=plan, meeting=meeting, changes=changes.strip(), recorded_by=actor)
    _create_actions(plan, actions, review)
    kind = MeetingKind(meeting.kind).label.lower()
    casework_commit(
        actor=actor, child=episode.child_id, episode=episode, event="plan_reviewed", reach=Reach.NONE,
        chronicle=Chronicle(meeting.held_at, "plan_reviewed",
                            f"Missing child action plan reviewed at the {kind}; "
                            f"{counted(len(actions), 'action')} added."),
        audit=Audit("create", "plan_review", str(review.pk), {"episode": episode.pk, "plan": plan.pk,
                                                              "meeting": meeting.pk, "actions": len(actions)}),
    )
    return review


def plan_update_interview(episode: Episode) -> ReturnInterview | None:
    """The return interview an update reads: the episode's, once it is authorised."""
    rhi = ReturnInterview.objects.filter(episode=episode).first()
    return rhi if rhi is not None and rhi.authorised_at is not None else None


@transaction.atomic
def plan_update_record(*, actor: User, episode: Episode, updated_at: datetime | None, risk_analysis: str,
                       safety_plan: str, what_changed: str) -> PlanUpdate:
    """After the return: the updated risk analysis and safety plan, reading the authorised
    return interview, and what changed (`plan_updated`, from the authorisation on)."""
    require(actor, Capability.PLAN_RECORD)
    episode = _lock(episode)
    errors: list[FieldError] = []
    _not_cancelled(errors, episode)
    if episode.found_at is None:
        errors.append(FieldError("episode", "The plan is updated after the child's return."))
    interview = plan_update_interview(episode)
    _when(errors, "updated_at", updated_at, not_before=episode.found_at,
          before_message="The update is dated before the child's return.",
          missing_message="Enter when the plan was updated.")
    for name, value, message in (
        ("risk_analysis", risk_analysis, "Enter the updated risk analysis."),
        ("safety_plan", safety_plan, "Enter the updated safety plan."),
        ("what_changed", what_changed, "Say what changed, from what the interview found."),
    ):
        if not value.strip():
            errors.append(FieldError(name, message))
    if errors:
        raise DomainValidationError(errors)
    assert updated_at is not None
    update = PlanUpdate.objects.create(
        episode=episode, interview=interview, revised_at=updated_at, risk_analysis=risk_analysis.strip(),
        safety_plan=safety_plan.strip(), what_changed=what_changed.strip(), recorded_by=actor,
    )
    read = "reading the authorised return interview" if interview is not None else "no authorised interview yet"
    casework_commit(
        actor=actor, child=episode.child_id, episode=episode, event="plan_updated",
        chronicle=Chronicle(updated_at, "plan_updated", f"Risk analysis and safety plan updated ({read})."),
        audit=Audit("create", "plan_update", str(update.pk), {"episode": episode.pk, "updated_at": updated_at,
                                                              "interview": interview.pk if interview else None}),
    )
    return update


@transaction.atomic
def return_visit_record(*, actor: User, episode: Episode, visited_at: datetime | None, visited_by: str,
                        discussed_episode: str, prevention: str, outcome: str,
                        parental_responsibility_informed_at: datetime | None = None,
                        parental_responsibility_informed: str = "") -> ReturnVisit:
    """The social worker's visit after the return (seed 000), with what was discussed about
    the episode and its prevention, the outcome, and, when already done, those with parental
    responsibility told of the episode, the visit and its outcome."""
    require(actor, Capability.PLAN_RECORD)
    episode = _lock(episode)
    errors: list[FieldError] = []
    _not_cancelled(errors, episode)
    if episode.found_at is None:
        errors.append(FieldError("episode", "A return visit is recorded once the child has returned."))
    _when(errors, "visited_at", visited_at, not_before=episode.found_at,
          before_message="The visit is dated before the child's return.", missing_message="Enter when the visit was.")
    for name, value, message in (
        ("visited_by", visited_by, "Say who visited."),
        ("discussed_episode", discussed_episode, "Say what was discussed about the missing episode."),
        ("prevention", prevention, "Say what was discussed about preventing another episode."),
        ("outcome", outcome, "Enter the outcome of the visit."),
    ):
        if not value.strip():
            errors.append(FieldError(name, message))
    _informed_errors(errors, visited_at, parental_responsibility_informed_at, parental_responsibility_informed)
    if errors:
        raise DomainValidationError(errors)
    assert visited_at is not None
    visit = ReturnVisit.objects.create(
        episode=episode, visited_at=visited_at, visited_by=visited_by.strip(),
        discussed_episode=discussed_episode.strip(), prevention=prevention.strip(), outcome=outcome.strip(),
        parental_responsibility_informed_at=parental_responsibility_informed_at,
        parental_responsibility_informed=parental_responsibility_informed.strip(), recorded_by=actor,
    )
    lines = [Chronicle(visited_at, "return_visit", "Social worker's visit after the return.")]
    if parental_responsibility_informed_at is not None:
        lines.append(_informed_line(parental_responsibility_informed_at))
    casework_commit(
        actor=actor, child=episode.child_id, episode=episode, event="return_visit", chronicle=lines,
        audit=Audit("create", "return_visit", str(visit.pk),
                    {"episode": episode.pk, "visited_at": visited_at,
                     "parental_responsibility_informed_at": parental_responsibility_informed_at}),
    )
    return visit


def _informed_errors(errors: list[FieldError], visited_at: datetime | None, informed_at: datetime | None,
                     who: str) -> None:
    if informed_at is None:
        if who.strip():
            errors.append(FieldError("parental_responsibility_informed_at",
                                     "Enter when those with parental responsibility were told."))
        return
    if informed_at > timezone.now() + CLOCK_SKEW:
        errors.append(FieldError("parental_responsibility_informed_at", "This time is in the future."))
    elif visited_at is not None and informed_at < visited_at:
        errors.append(FieldError("parental_responsibility_informed_at",
                                 "They are told of the visit and its outcome after the visit."))
    if not who.strip():
        errors.append(FieldError("parental_responsibility_informed",
                                 "Say who with parental responsibility was told, and how."))


def _informed_line(at: datetime) -> Chronicle:
    return Chronicle(at, "return_visit_parental_responsibility",
                     "Those with parental responsibility told of the episode, the visit and its outcome.")


@transaction.atomic
def return_visit_inform_parental_responsibility(*, actor: User, visit: ReturnVisit, informed_at: datetime | None,
                                                informed: str) -> ReturnVisit:
    """Record, after the visit, that those with parental responsibility were told of the
    episode, the visit and its outcome (once per visit)."""
    require(actor, Capability.PLAN_RECORD)
    visit = ReturnVisit.objects.select_for_update(of=("self",)).select_related("episode").get(pk=visit.pk)
    errors: list[FieldError] = []
    if visit.parental_responsibility_informed_at is not None:
        errors.append(FieldError("visit", "Those with parental responsibility were already recorded as told "
                                          f"({_local(visit.parental_responsibility_informed_at)})."))
    if informed_at is None:
        errors.append(FieldError("informed_at", "Enter when those with parental responsibility were told."))
    else:
        moved: list[FieldError] = []
        _informed_errors(moved, visit.visited_at, informed_at, informed)
        errors += [FieldError("informed_at" if e.field.endswith("_at") else "informed", e.message) for e in moved]
    if errors:
        raise DomainValidationError(errors)
    assert informed_at is not None
    visit.parental_responsibility_informed_at = informed_at
    visit.parental_responsibility_informed = informed.strip()
    visit.save(update_fields=["parental_responsibility_informed_at", "parental_responsibility_informed",
                              "updated_at"])
    episode = visit.episode
    casework_commit(
        actor=actor, child=episode.child_id, episode=episode, event="return_visit_informed",
        chronicle=_informed_line(informed_at),
        audit=Audit("update", "return_visit", str(visit.pk), {"episode": episode.pk,
                                                              "parental_responsibility_informed_at": informed_at}),
    )
    return visit


@transaction.atomic
def vulnerability_judge(*, actor: User, episode: Episode, judged_at: datetime | None,
                        reason: str) -> VulnerabilityJudgement:
    """A practitioner's judgement that the child is vulnerable, with the reason: it brings the
    strategy meeting forward as a high grading does (DOMAIN.md section 3)."""
    require(actor, Capability.PLAN_RECORD)
    episode = _lock(episode)
    errors: list[FieldError] = []
    _not_cancelled(errors, episode)
    _when(errors, "judged_at", judged_at, not_before=episode.missing_since - timedelta(days=1),
          before_message="The judgement is dated before the child went missing.",
          missing_message="Enter when the judgement was made.")
    if not reason.strip():
        errors.append(FieldError("reason", "Give the reason the child is vulnerable."))
    if errors:
        raise DomainValidationError(errors)
    assert judged_at is not None
    judgement = VulnerabilityJudgement.objects.create(episode=episode, judged_at=judged_at, reason=reason.strip(),
                                                      judged_by=actor)
    casework_commit(
        actor=actor, child=episode.child_id, episode=episode, event="judged_vulnerable",
        chronicle=Chronicle(judged_at, "judged_vulnerable", "Judged vulnerable by a practitioner."),
        audit=Audit("create", "vulnerability_judgement", str(judgement.pk),
                    {"episode": episode.pk, "judged_at": judged_at}),
    )
    return judgement

