"""Reading the action plan, return visits and judgements of vulnerability, always through the
access choke point (`visible_children`). They are social care's record: those who may not read
case notes (police liaison, ADR 0008) are refused."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, Prefetch, QuerySet

from homeward.accounts.models import User
from homeward.accounts.permissions import may_read_casework_notes, scoped_to_visible_children, visible_children
from homeward.audit.services import audit_record
from homeward.common.errors import NotFound, PermissionDenied
from homeward.episodes.models import Episode

from .models import ActionPlan, PlanAction, PlanReview, PlanUpdate, ReturnVisit, VulnerabilityJudgement

PLAN_PREFETCH = (
    Prefetch("actions", queryset=PlanAction.objects.select_related("owner_user", "done_by", "review")
             .order_by("id")),
    Prefetch("reviews", queryset=PlanReview.objects.select_related("meeting", "recorded_by")
             .order_by("meeting__held_at", "id")),
)


def _require_casework_reader(user: User) -> None:
    if not may_read_casework_notes(user):
        raise PermissionDenied(f"The role {user.role!r} does not read social care's plans and visits.")


def _audit(user: User, episode: Episode, object_type: str, object_id: object) -> None:
    audit_record(actor=user, action="view", object_type=object_type, object_id=str(object_id),
                 child_id=episode.child_id)


@dataclass(frozen=True)
class AroundEpisode:
    plan: ActionPlan | None
    updates: list[PlanUpdate]
    visits: list[ReturnVisit]
    judgements: list[VulnerabilityJudgement]


def plans_around_episode(user: User, episode: Episode, *, audit: bool = True) -> AroundEpisode:
    """Everything around an episode the person may see (the episode already fetched through
    `episode_get_for_user`): its plan (with actions and reviews), updates, return visits and
    judgements of vulnerability. The look is audited naming the child."""
    _require_casework_reader(user)
    plan = ActionPlan.objects.filter(episode=episode).select_related("recorded_by").prefetch_related(
        *PLAN_PREFETCH).first()
    found = AroundEpisode(
        plan=plan,
        updates=list(PlanUpdate.objects.filter(episode=episode).select_related("recorded_by", "interview")),
        visits=list(ReturnVisit.objects.filter(episode=episode).select_related("recorded_by")),
        judgements=list(VulnerabilityJudgement.objects.filter(episode=episode).select_related("judged_by")),
    )
    if audit:
        _audit(user, episode, "episode_plans", episode.pk)
    return found


def action_plan_get(user: User, episode: Episode, *, audit: bool = True) -> ActionPlan:
    """The episode's action plan with its actions and reviews, or NotFound."""
    _require_casework_reader(user)
    plan = ActionPlan.objects.filter(episode=episode).select_related("recorded_by").prefetch_related(
        *PLAN_PREFETCH).first()
    if plan is None:
        raise NotFound
    if audit:
        _audit(user, episode, "action_plan", plan.pk)
    return plan


def plan_action_get_for_user(user: User, *, episode_id: int, action_id: int, audit: bool = True) -> PlanAction:
    """One action of the plan of an episode the person may see, or NotFound (the ids must
    belong together)."""
    action = (
        PlanAction.objects.filter(pk=action_id, plan__episode_id=episode_id,
                                  plan__episode__child__in=visible_children(user))
        .select_related("plan__episode__child", "owner_user", "done_by")
        .first()
    )
    if action is None:
        raise NotFound
    if audit:
        _audit(user, action.plan.episode, "plan_action", action.pk)
    return action


def plan_action_open_for_owner(user: User) -> QuerySet[PlanAction]:
    """The plan actions given to this person by name that are not yet done, on episodes of
    children they may still see; soonest due first, those without a due date last."""
    owned = PlanAction.objects.filter(owner_user=user, done_at__isnull=True)
    return (
        scoped_to_visible_children(owned, user, "plan__episode__child")
        .exclude(plan__episode__status="cancelled")
        .select_related("plan__episode__child")
        .order_by(F("due").asc(nulls_last=True), "id")
    )


def return_visit_get_for_user(user: User, *, episode_id: int, visit_id: int, audit: bool = True) -> ReturnVisit:
    """One return visit of an episode the person may see, or NotFound."""
    _require_casework_reader(user)
    visit = (ReturnVisit.objects.filter(pk=visit_id, episode_id=episode_id,
                                        episode__child__in=visible_children(user))
             .select_related("episode", "recorded_by").first())
    if visit is None:
        raise NotFound
    if audit:
        _audit(user, visit.episode, "return_visit", visit.pk)
    return visit
