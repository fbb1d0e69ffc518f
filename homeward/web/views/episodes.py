"""The episode's page, and the forms that change it: regrade, reclassify, found, cancel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from homeward.accounts.permissions import Capability, can, may_read_casework_notes, require, require_action
from homeward.casework.episodes import (
    episode_cancel,
    episode_change_whereabouts,
    episode_reclassify,
    episode_record_action,
    episode_record_found,
    episode_regrade_risk,
)
from homeward.common.errors import DomainValidationError
from homeward.common.timeutil import local_date
from homeward.episodes.actions import ACTION_LABELS
from homeward.episodes.models import Episode, EpisodeStatus
from homeward.episodes.selectors import (
    episode_get_for_user,
    episode_risk_analysis_latest,
    risk_analysis_label_rows,
)
from homeward.exchange.selectors import (
    exchange_messages_for_episode,
    exchange_received_for_episode,
    exchange_sent_for_episode,
)
from homeward.interviews.selectors import chronology_for_user
from homeward.notifications.selectors import notification_list_for_episode
from homeward.obligations.selectors import episode_obligation_rows, episode_obligations_listed
from homeward.web.duties import child_name, duties
from homeward.web.formatting import duration_text
from homeward.web.forms.episodes import (
    ActionForm,
    CancelForm,
    FoundForm,
    ReclassifyForm,
    RegradeForm,
    WhereaboutsForm,
)

from .base import apply_domain_errors, back_to, form_for, page, person, recordable_actions
from .consultations import consultation_context
from .episode_read import episode_read
from .interviews import rhi_panel
from .meetings import meeting_panels
from .plans import plans_context


@page
def episode_page(request: HttpRequest, episode_id: int) -> HttpResponse:
    user = person(request)
    episode = episode_get_for_user(user, episode_id)
    now = timezone.now()
    is_open = episode.status == EpisodeStatus.OPEN
    reads_casework = may_read_casework_notes(user)
    # Every panel from one read of each kind of the episode's rows, the page's other reads with
    # them, in one round trip (issue 11).
    read = episode_read(episode, casework=reads_casework, consultations=can(user, Capability.CONSULTATION_READ),
                        also={"duties": episode_obligations_listed(episode, now),
                              "notifications": notification_list_for_episode(episode, user=user),
                              "sent": exchange_sent_for_episode(episode),
                              "received": exchange_received_for_episode(episode),
                              "labels": risk_analysis_label_rows()})
    # Stored rows run 8 days ahead (ADR 0011): only those listed by now are shown.
    shown = duties(episode_obligation_rows(episode, now, read.also["duties"]), now, name=child_name(episode.child))
    return render(request, "web/episodes/episode.html", {
        "episode": episode,
        "child": episode.child,
        "missing_for": duration_text(episode.missing_since, episode.found_at or now),
        "timeline": chronology_for_user(user, read.chronology, interviews={episode.pk: read.interview.rhi}),
        "gradings": read.gradings,
        "classifications": read.classifications,
        "whereabouts_changes": read.whereabouts_changes,
        # Ours, and the placing authority's shown for information only (never with a record link).
        "duties": [d for d in shown if not d.row.for_information],
        "information_duties": [d for d in shown if d.row.for_information],
        "today": local_date(now),
        "recordable": recordable_actions(user),
        "notifications": read.also["notifications"],
        "exchange_messages": exchange_messages_for_episode(episode, sent=read.also["sent"],
                                                           received=read.also["received"]),
        "meetings": meeting_panels(user, read.meetings),
        # Social care's analysis of risk while missing: not for police (ADR 0008, 0010).
        "risk_analysis": episode_risk_analysis_latest(episode, analyses=read.risk_analyses,
                                                      label_rows=read.also["labels"]) if reads_casework else None,
        "show_risk_analysis": reads_casework,
        "rhi_panel": rhi_panel(user, episode, read.interview),
        "can_record_meeting": episode.status != EpisodeStatus.CANCELLED and can(user, Capability.MEETING_RECORD),
        "can_close": episode.status == EpisodeStatus.RETURNED and can(user, Capability.EPISODE_CLOSE),
        "can_regrade": episode.status != EpisodeStatus.CANCELLED and can(user, Capability.EPISODE_REGRADE),
        "can_reclassify": episode.status != EpisodeStatus.CANCELLED and can(user, Capability.EPISODE_RECLASSIFY),
        "can_record_found": is_open and can(user, Capability.EPISODE_RECORD_FOUND),
        "can_cancel": episode.status != EpisodeStatus.CANCELLED and can(user, Capability.EPISODE_CANCEL),
        **consultation_context(user, episode, read),
        **plans_context(user, episode, read),
    })


def _episode_form(
    request: HttpRequest, episode_id: int, *, form_class: type[forms.Form], template: str,
    save: Callable[[Episode, dict[str, Any]], Any], done: str, field_map: dict[str, str] | None = None,
    form_kwargs: dict[str, Any] | None = None, context: dict[str, Any] | None = None,
    permitted: Callable[[], None],
) -> HttpResponse:
    """A form that records one change to an episode through its service.

    `permitted` raises PermissionDenied for a person whose role may not make this change, so the
    form is not even shown to them; it runs once the episode is found, so that an episode the
    person may not see is 404 whatever their role (as in the API).
    """
    user = person(request)
    episode = episode_get_for_user(user, episode_id, audit=request.method != "POST")
    permitted()
    form, restored = form_for(request, form_class, **(form_kwargs or {}))
    if request.method == "POST" and form.is_valid():
        try:
            save(episode, form.cleaned_data)
        except DomainValidationError as exc:
            apply_domain_errors(form, exc, field_map or {})
        else:
            messages.success(request, done)
            return redirect(back_to(request) or reverse("web:episode", args=[episode.pk]))
    return render(request, template, {"form": form, "restored": restored, "episode": episode,
                                      "child": episode.child, "next": back_to(request), **(context or {})})


@page
def episode_regrade(request: HttpRequest, episode_id: int) -> HttpResponse:
    user = person(request)
    return _episode_form(
        request, episode_id, form_class=RegradeForm, template="web/episodes/regrade.html",
        save=lambda episode, data: episode_regrade_risk(actor=user, episode=episode, **data),
        permitted=lambda: require(user, Capability.EPISODE_REGRADE),
        done="Risk grading recorded.",
    )


@page
def episode_reclassification(request: HttpRequest, episode_id: int) -> HttpResponse:
    user = person(request)
    return _episode_form(
        request, episode_id, form_class=ReclassifyForm, template="web/episodes/reclassify.html",
        save=lambda episode, data: episode_reclassify(actor=user, episode=episode, **data),
        permitted=lambda: require(user, Capability.EPISODE_RECLASSIFY),
        done="Classification recorded.",
    )


@page
def episode_whereabouts(request: HttpRequest, episode_id: int) -> HttpResponse:
    """SSDA903's M (missing, whereabouts unknown) or A (away, whereabouts known): every change kept."""
    user = person(request)
    return _episode_form(
        request, episode_id, form_class=WhereaboutsForm, template="web/episodes/whereabouts.html",
        save=lambda episode, data: episode_change_whereabouts(actor=user, episode=episode, **data),
        permitted=lambda: require(user, Capability.EPISODE_RECLASSIFY),
        done="Missing or away recorded.",
    )


@page
def episode_found(request: HttpRequest, episode_id: int) -> HttpResponse:
    user = person(request)
    return _episode_form(
        request, episode_id, form_class=FoundForm, template="web/episodes/found.html",
        save=lambda episode, data: episode_record_found(actor=user, episode=episode, **data),
        permitted=lambda: require(user, Capability.EPISODE_RECORD_FOUND),
        done="Recorded as found. The return follow-up has begun.",
    )


@page
def episode_action(request: HttpRequest, episode_id: int, action: str) -> HttpResponse:
    """Record a simple fact that completes an obligation (police informed, a carer update...)."""
    if action not in ACTION_LABELS:
        raise Http404
    user = person(request)
    return _episode_form(
        request, episode_id, form_class=ActionForm, template="web/episodes/action.html",
        save=lambda episode, data: episode_record_action(actor=user, episode=episode, action=action, **data),
        done=f"Recorded: {ACTION_LABELS[action]}.", form_kwargs={"action": action},
        context={"action": action, "action_label": ACTION_LABELS[action]},
        permitted=lambda: require_action(user, action),
    )


@page
def episode_cancellation(request: HttpRequest, episode_id: int) -> HttpResponse:
    user = person(request)
    return _episode_form(
        request, episode_id, form_class=CancelForm, template="web/episodes/cancel.html",
        save=lambda episode, data: episode_cancel(actor=user, episode=episode, **data),
        permitted=lambda: require(user, Capability.EPISODE_CANCEL),
        done="Episode cancelled.",
    )
