"""Recording a strategy meeting with its agreed actions, marking an action done, and closing
an episode."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from homeward.accounts.models import User
from homeward.accounts.permissions import Capability, may_complete_meeting_action, require
from homeward.casework.episodes import CLOSING_MANAGERS, episode_close, episode_outstanding
from homeward.casework.meetings import AgreedAction, meeting_action_complete, strategy_meeting_record
from homeward.common.errors import DomainValidationError, PermissionDenied
from homeward.episodes.models import EpisodeStatus
from homeward.episodes.selectors import episode_get_for_user
from homeward.meetings.models import MeetingAction, StrategyMeeting
from homeward.meetings.selectors import meeting_action_get_for_user
from homeward.protocol.explain import explain
from homeward.web.auth import draft_take
from homeward.web.duties import child_name
from homeward.web.forms.meetings import (
    BLANK_ACTION_ROWS,
    MAX_ACTION_ROWS,
    CloseForm,
    MeetingActionDoneForm,
    MeetingForm,
    action_field,
)

from .base import apply_domain_errors, back_to, form_for, page, person, recordable_actions

ADD_ROW = "add_action"


def _rows(data: QueryDict) -> int:
    """How many action rows the form had when it was sent (a kept draft says so too)."""
    try:
        rows = int(data.get("rows", BLANK_ACTION_ROWS))
    except ValueError:
        rows = BLANK_ACTION_ROWS
    return max(BLANK_ACTION_ROWS, min(rows, MAX_ACTION_ROWS))


@page
def meeting_new(request: HttpRequest, episode_id: int) -> HttpResponse:
    user = person(request)
    # The episode first: one the person may not see is 404 whatever their role (as in the API).
    episode = episode_get_for_user(user, episode_id, audit=request.method != "POST")
    require(user, Capability.MEETING_RECORD)
    # Not form_for: the number of rows must be known, from the POST or a kept draft, first.
    data = request.POST if request.method == "POST" else draft_take(request)
    restored = request.method != "POST" and data is not None
    rows = _rows(data if data is not None else request.GET)
    adding = request.method == "POST" and ADD_ROW in request.POST
    if adding:
        rows = min(rows + 1, MAX_ACTION_ROWS)
    form = MeetingForm(data=data, rows=rows) if data is not None else MeetingForm(rows=rows)
    if adding:
        form.without_errors()
    elif request.method == "POST" and form.is_valid():
        filled = form.actions()
        field_map = {}
        for position, (index, _owner, _description, _due) in enumerate(filled):
            field_map[f"actions[{position}].owner"] = action_field(index, "owner")
            field_map[f"actions[{position}].description"] = action_field(index, "description")
        try:
            strategy_meeting_record(
                actor=user, episode=episode, held_at=form.cleaned_data["held_at"], kind=form.cleaned_data["kind"],
                attendees=form.attendee_list(), decisions=form.cleaned_data["decisions"],
                actions=[AgreedAction(owner=o, description=d, due=due) for _i, o, d, due in filled],
            )
        except DomainValidationError as exc:
            apply_domain_errors(form, exc, field_map)
        else:
            messages.success(request, "Strategy meeting recorded.")
            return redirect(reverse("web:episode", args=[episode.pk]) + "#meetings")
    return render(request, "web/meetings/meeting.html", {
        "form": form, "restored": restored, "episode": episode, "child": episode.child,
        "row_count": form.rows, "can_add": form.rows < MAX_ACTION_ROWS,
        "add_row": ADD_ROW,
    })


@page
def episode_close_page(request: HttpRequest, episode_id: int) -> HttpResponse:
    """Close a returned episode. With duties still outstanding a manager gives the reason they
    close not done (DOMAIN.md section 5a); anyone else is told only a manager may."""
    user = person(request)
    # The episode first: one the person may not see is 404 whatever their role (as in the API).
    episode = episode_get_for_user(user, episode_id, audit=request.method != "POST")
    require(user, Capability.EPISODE_CLOSE)
    now = timezone.now()
    outstanding = episode_outstanding(episode, now) if episode.status == EpisodeStatus.RETURNED else []
    manager = user.role in CLOSING_MANAGERS
    form, restored = form_for(request, CloseForm, with_reason=bool(outstanding) and manager)
    if request.method == "POST" and form.is_valid():
        try:
            episode_close(actor=user, episode=episode, **form.cleaned_data)
        except DomainValidationError as exc:
            apply_domain_errors(form, exc, {})
        else:
            messages.success(request, "Episode closed." if not outstanding
                             else "Episode closed. The duties still outstanding are recorded as not done.")
            return redirect("web:episode", episode.pk)
    name = child_name(episode.child)
    return render(request, "web/meetings/close.html", {
        "form": form, "restored": restored, "episode": episode, "child": episode.child,
        "outstanding": [(o, explain(o, child_name=name)) for o in outstanding],
        "manager": manager,
        "recordable": recordable_actions(user),
    })


def action_done_form(user: User, action: MeetingAction) -> MeetingActionDoneForm | None:
    """The inline 'Mark as done' form of an open action this person may mark done, else None."""
    if action.done_at is not None or not may_complete_meeting_action(user, action.owner_user_id):
        return None
    return MeetingActionDoneForm(auto_id=f"a{action.pk}_%s")


def meeting_panels(
    user: User, meetings: list[tuple[StrategyMeeting, list[MeetingAction]]],
) -> list[tuple[StrategyMeeting, list[tuple[MeetingAction, MeetingActionDoneForm | None]]]]:
    """Each meeting with its actions (in the order agreed), each with its 'Mark as done' form."""
    return [(meeting, [(action, action_done_form(user, action)) for action in sorted(actions, key=lambda a: a.pk)])
            for meeting, actions in meetings]


@page
def meeting_action_done(request: HttpRequest, episode_id: int, meeting_id: int, action_id: int) -> HttpResponse:
    """Mark an action agreed at a strategy meeting as done. The episode page and the worklist
    carry this form inline; this page shows it alone, and again with its errors."""
    user = person(request)
    action = meeting_action_get_for_user(user, episode_id=episode_id, meeting_id=meeting_id, action_id=action_id,
                                         audit=request.method != "POST")
    if not may_complete_meeting_action(user, action.owner_user_id):
        raise PermissionDenied(f"The role {user.role!r} may not mark this action done.")
    episode = action.meeting.episode
    form, restored = form_for(request, MeetingActionDoneForm)
    if request.method == "POST" and form.is_valid():
        try:
            meeting_action_complete(actor=user, action=action, **form.cleaned_data)
        except DomainValidationError as exc:
            apply_domain_errors(form, exc, {})
        else:
            messages.success(request, f"Marked as done: {action.description}")
            return redirect(back_to(request) or reverse("web:episode", args=[episode.pk]) + "#meetings")
    return render(request, "web/meetings/action_done.html", {
        "form": form, "restored": restored, "episode": episode, "child": episode.child, "action": action,
        "meeting": action.meeting, "next": back_to(request),
    })
