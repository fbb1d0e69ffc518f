"""Around the episode (DOMAIN.md section 5a) on the pages: the missing child action plan and
its actions, its review at a strategy meeting and its update after the return (reading the
authorised interview), the social worker's visit after the return, those with parental
responsibility told, and a judgement that the child is vulnerable."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from homeward.accounts.models import User
from homeward.accounts.permissions import (
    Capability,
    can,
    may_complete_meeting_action,
    may_read_casework_notes,
    require,
)
from homeward.casework.plans import (
    PlanContent,
    PlannedAction,
    action_plan_record,
    plan_action_complete,
    plan_review_record,
    plan_update_interview,
    plan_update_record,
    return_visit_inform_parental_responsibility,
    return_visit_record,
    vulnerability_judge,
)
from homeward.common.errors import DomainValidationError, PermissionDenied
from homeward.common.timeutil import LONDON
from homeward.episodes.models import Episode, EpisodeStatus
from homeward.episodes.selectors import episode_get_for_user
from homeward.interviews.models import RhiVersion
from homeward.interviews.selectors import rhi_content_visible_to
from homeward.meetings.models import StrategyMeeting
from homeward.plans.models import PlanAction
from homeward.plans.selectors import AroundEpisode, plan_action_get_for_user, return_visit_get_for_user
from homeward.reference.selectors import coded_labels
from homeward.web.forms.meetings import MeetingActionDoneForm
from homeward.web.forms.plans import (
    ActionPlanForm,
    InformedForm,
    PlanReviewForm,
    PlanUpdateForm,
    ReturnVisitForm,
    VulnerabilityForm,
    plan_action_field,
)

from .base import apply_domain_errors, back_to, form_for, page, person
from .episode_read import EpisodeRead

SECTION = "#around-the-episode"


def plan_action_done_form(user: User, action: PlanAction) -> MeetingActionDoneForm | None:
    """The inline 'Mark as done' form of an open plan action this person may mark done."""
    if action.done_at is not None or not may_complete_meeting_action(user, action.owner_user_id):
        return None
    return MeetingActionDoneForm(auto_id=f"p{action.pk}_%s")


def plans_context(user: User, episode: Episode, read: EpisodeRead) -> dict[str, Any]:
    """The episode page's section 'Around the episode', for those who read social care's
    record (not police liaison), from the rows the page read (`episode_read`). The page's own
    read is audited with the episode."""
    if not may_read_casework_notes(user) or read.plans is None:
        return {"plans_shown": False}
    plans = read.plans
    around = AroundEpisode(plan=plans.plan, updates=plans.updates, visits=plans.visits, judgements=plans.judgements)
    recordable = episode.status != EpisodeStatus.CANCELLED and can(user, Capability.PLAN_RECORD)
    returned = episode.found_at is not None
    reviewed = {r.meeting_id for r in plans.reviews}
    unreviewed = any(meeting.pk not in reviewed for meeting, _actions in read.meetings)
    return {
        "plans_shown": True,
        "around": around,
        "plan_reviews": plans.reviews if plans.plan else [],
        "plan_actions": [(a, plan_action_done_form(user, a)) for a in plans.actions] if plans.plan else [],
        "can_record_plan": recordable and around.plan is None,
        "can_review_plan": recordable and around.plan is not None and unreviewed,
        "can_update_plan": recordable and returned,
        "can_record_visit": recordable and returned,
        "can_record_informed": recordable,
        "can_judge_vulnerable": recordable,
    }


def _form_page(request: HttpRequest, episode_id: int, *, form_class: type, template: str, save: Any, done: str,
               field_map: Any = None, form_kwargs: Any = None,
               context: Any = None) -> HttpResponse:
    user = person(request)
    # The episode first: one the person may not see is 404 whatever their role (as in the API).
    episode = episode_get_for_user(user, episode_id, audit=request.method != "POST")
    require(user, Capability.PLAN_RECORD)
    kwargs = form_kwargs(episode) if callable(form_kwargs) else (form_kwargs or {})
    form, restored = form_for(request, form_class, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            save(user, episode, form)
        except DomainValidationError as exc:
            apply_domain_errors(form, exc, field_map(form) if callable(field_map) else (field_map or {}))
        else:
            messages.success(request, done)
            return redirect(back_to(request) or reverse("web:episode", args=[episode.pk]) + SECTION)
    extra = context(user, episode) if callable(context) else {}
    return render(request, template, {"form": form, "restored": restored, "episode": episode,
                                      "child": episode.child, "next": back_to(request), **extra})


def _rows_map(form: Any) -> dict[str, str]:
    field_map = {}
    for position, (index, _owner, _description, _due) in enumerate(form.actions()):
        field_map[f"actions[{position}].owner"] = plan_action_field(index, "owner")
        field_map[f"actions[{position}].description"] = plan_action_field(index, "description")
    return field_map


def _planned(form: Any) -> list[PlannedAction]:
    return [PlannedAction(owner=o, description=d, due=due) for _i, o, d, due in form.actions()]


@page
def plan_new(request: HttpRequest, episode_id: int) -> HttpResponse:
    def save(user: User, episode: Episode, form: ActionPlanForm) -> None:
        data = form.cleaned_data
        content = PlanContent(**{name: data[name] for name in (
            "contact_by", "contact_how", "family_told", "family_how_often", "return_who_sees",
            "return_interviewer", "return_where")})
        action_plan_record(actor=user, episode=episode, agreed_at=data["agreed_at"], content=content,
                           actions=_planned(form))

    return _form_page(request, episode_id, form_class=ActionPlanForm, template="web/plans/plan.html", save=save,
                      done="Missing child action plan recorded.", field_map=_rows_map)


def _meeting_choices(episode: Episode) -> list[tuple[int, str]]:
    meetings = StrategyMeeting.objects.filter(episode=episode).exclude(plan_review__isnull=False).order_by("held_at")
    return [(m.pk, f"{m.get_kind_display()}, {m.held_at.astimezone(LONDON):%d/%m/%Y %H:%M}") for m in meetings]


@page
def plan_review_new(request: HttpRequest, episode_id: int) -> HttpResponse:
    def save(user: User, episode: Episode, form: PlanReviewForm) -> None:
        meeting = StrategyMeeting.objects.get(pk=form.cleaned_data["meeting"], episode=episode)
        plan_review_record(actor=user, episode=episode, meeting=meeting, changes=form.cleaned_data["changes"],
                           actions=_planned(form))

    return _form_page(request, episode_id, form_class=PlanReviewForm, template="web/plans/review.html", save=save,
                      done="Review of the action plan recorded.", field_map=_rows_map,
                      form_kwargs=lambda episode: {"meetings": _meeting_choices(episode)})


def _interview_read(user: User, episode: Episode) -> dict[str, Any]:
    """What the update reads: the authorised interview's latest authorised version, for those
    who may read it."""
    rhi = plan_update_interview(episode)
    if rhi is None:
        return {"interview": None}
    if not rhi_content_visible_to(user, rhi):
        return {"interview": None, "interview_withheld": True}
    version = RhiVersion.objects.filter(interview=rhi, authorised_at__isnull=False).order_by("-number").first()
    content = version.content if version is not None else {}
    lists = []
    for name, heading in (("push_factors", "Push factors"), ("pull_factors", "Pull factors"),
                          ("exploitation_indicators", "Exploitation indicators")):
        labels = coded_labels(name)
        lists.append((heading, [labels.get(code, code) for code in content.get(name, [])]))
    return {"interview": {
        "authorised_at": rhi.authorised_at, "outcome": content.get("outcome", rhi.outcome),
        "reasons": content.get("reasons", ""), "wishes_and_feelings": content.get("wishes_and_feelings", ""),
        "actions": content.get("actions", ""),
        "recommendations": version.recommendations if version is not None else rhi.recommendations,
        "lists": lists,
    }}


@page
def plan_update_new(request: HttpRequest, episode_id: int) -> HttpResponse:
    def save(user: User, episode: Episode, form: PlanUpdateForm) -> None:
        plan_update_record(actor=user, episode=episode, **form.cleaned_data)

    return _form_page(request, episode_id, form_class=PlanUpdateForm, template="web/plans/update.html", save=save,
                      done="Updated risk analysis and safety plan recorded.", context=_interview_read)


@page
def return_visit_new(request: HttpRequest, episode_id: int) -> HttpResponse:
    def save(user: User, episode: Episode, form: ReturnVisitForm) -> None:
        return_visit_record(actor=user, episode=episode, **form.cleaned_data)

    return _form_page(request, episode_id, form_class=ReturnVisitForm, template="web/plans/visit.html", save=save,
                      done="Return visit recorded.")


@page
def vulnerability_new(request: HttpRequest, episode_id: int) -> HttpResponse:
    def save(user: User, episode: Episode, form: VulnerabilityForm) -> None:
        vulnerability_judge(actor=user, episode=episode, **form.cleaned_data)

    return _form_page(request, episode_id, form_class=VulnerabilityForm, template="web/plans/vulnerable.html",
                      save=save, done="Judgement recorded: the child is vulnerable.")


@page
def return_visit_informed(request: HttpRequest, episode_id: int, visit_id: int) -> HttpResponse:
    user = person(request)
    episode = episode_get_for_user(user, episode_id, audit=False)
    require(user, Capability.PLAN_RECORD)
    visit = return_visit_get_for_user(user, episode_id=episode.pk, visit_id=visit_id,
                                      audit=request.method != "POST")
    form, restored = form_for(request, InformedForm)
    if request.method == "POST" and form.is_valid():
        try:
            return_visit_inform_parental_responsibility(actor=user, visit=visit, **form.cleaned_data)
        except DomainValidationError as exc:
            apply_domain_errors(form, exc, {"visit": "__all__"})
        else:
            messages.success(request, "Recorded: those with parental responsibility were told.")
            return redirect(reverse("web:episode", args=[episode.pk]) + SECTION)
    return render(request, "web/plans/informed.html", {"form": form, "restored": restored, "episode": episode,
                                                       "child": episode.child, "visit": visit, "next": ""})


@page
def plan_action_done(request: HttpRequest, episode_id: int, action_id: int) -> HttpResponse:
    """Mark an action of the plan done. The episode page and the home page carry this form
    inline; this page shows it alone, and again with its errors."""
    user = person(request)
    action = plan_action_get_for_user(user, episode_id=episode_id, action_id=action_id,
                                      audit=request.method != "POST")
    if not may_complete_meeting_action(user, action.owner_user_id):
        raise PermissionDenied(f"The role {user.role!r} may not mark this action done.")
    episode = action.plan.episode
    form, restored = form_for(request, MeetingActionDoneForm)
    if request.method == "POST" and form.is_valid():
        try:
            plan_action_complete(actor=user, action=action, **form.cleaned_data)
        except DomainValidationError as exc:
            apply_domain_errors(form, exc, {})
        else:
            messages.success(request, f"Marked as done: {action.description}")
            return redirect(back_to(request) or reverse("web:episode", args=[episode.pk]) + SECTION)
    return render(request, "web/plans/action_done.html", {
        "form": form, "restored": restored, "episode": episode, "child": episode.child, "action": action,
        "next": back_to(request),
    })
