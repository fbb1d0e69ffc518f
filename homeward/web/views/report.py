"""Report a missing child: find the child first (so no duplicate is made), record a new child
only when they are not listed, then the episode."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from homeward.accounts.models import User
from homeward.accounts.permissions import Capability, require
from homeward.casework.episodes import episode_report
from homeward.children.selectors import child_get_for_user
from homeward.children.services import PlacementInput, child_create
from homeward.common.errors import DomainValidationError
from homeward.episodes.models import EpisodeStatus
from homeward.episodes.selectors import episode_list_for_user
from homeward.web.forms.children import NewChildForm
from homeward.web.forms.episodes import EpisodeReportForm
from homeward.web.forms.search import SearchForm
from homeward.web.search import child_search

from .base import apply_domain_errors, form_for, page, person


@page
def report_find(request: HttpRequest) -> HttpResponse:
    """Step 1: look for the child by name, date of birth, case-system id or police reference."""
    require(person(request), Capability.EPISODE_REPORT)
    form = SearchForm(data=request.GET) if "q" in request.GET else SearchForm()
    results = None
    if form.is_bound and form.is_valid():
        results = child_search(person(request), form.cleaned_data["q"])
        # A child missing now is not reported again: the result leads to their open episode.
        missing_now = _open_episodes(person(request), [child.pk for child in results])
        for child in results:
            child.open_episode_id = missing_now.get(child.pk)  # type: ignore[attr-defined]
    return render(request, "web/report/find.html", {"form": form, "results": results})


def _open_episodes(user: User, child_ids: list[int]) -> dict[int, int]:
    """The open episode of each of these children that has one, among the episodes the person may see."""
    if not child_ids:
        return {}
    return dict(episode_list_for_user(user).filter(child_id__in=child_ids, status=EpisodeStatus.OPEN)
                .order_by().values_list("child_id", "pk"))


@page
def report_new_child(request: HttpRequest) -> HttpResponse:
    """Step 2, only when the child is not listed: the few facts needed to record them."""
    require(person(request), Capability.CHILD_CREATE)
    form, restored = form_for(request, NewChildForm)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        placement = None
        if data["placement_authority"]:
            placement = PlacementInput(authority=data["placement_authority"], provider=data["placement_provider"])
        try:
            child = child_create(
                actor=person(request), external_id=data["external_id"], given_name=data["given_name"],
                family_name=data["family_name"], date_of_birth=data["date_of_birth"], sex=data["sex"],
                legal_status=data["legal_status"], responsible_authority=data["responsible_authority"],
                placement=placement, external_id_required=False,
            )
        except DomainValidationError as exc:
            apply_domain_errors(form, exc, {"placement.authority": "placement_authority"})
        else:
            messages.success(request, f"{child.full_name} recorded. Now report them missing.")
            return redirect("web:report_episode", child_id=child.pk)
    return render(request, "web/report/new_child.html", {
        "form": form, "restored": restored, "home_authority": settings.HOMEWARD_AUTHORITY,
    })


@page
def report_episode(request: HttpRequest, child_id: int) -> HttpResponse:
    """Step 3: the episode, with only the time it was reported, by whom and the classification required."""
    user = person(request)
    child = child_get_for_user(user, child_id)
    require(user, Capability.EPISODE_REPORT)
    form, restored = form_for(request, EpisodeReportForm)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = episode_report(
                actor=user, child=child, reported_at=data["reported_at"], reported_by=data["reported_by"],
                reporter_name=data["reporter_name"], last_seen_at=data["last_seen_at"],
                location_last_seen=data["location_last_seen"], circumstances=data["circumstances"],
                missing_from=data["missing_from"], classification=data["classification"],
                whereabouts_known=data["whereabouts_known"], risk_level=data["risk_level"],
                police_force=data["police_force"], police_reference=data["police_reference"],
            )
        except DomainValidationError as exc:
            apply_domain_errors(form, exc, {})
        else:
            if result.created:
                messages.success(request, f"{child.full_name} reported {result.episode.classification}.")
            else:
                messages.success(request, "This police reference was already recorded: this is that episode.")
            return redirect("web:episode", episode_id=result.episode.pk)
    open_episode_id = _open_episodes(user, [child.pk]).get(child.pk)
    return render(request, "web/report/episode.html", {"form": form, "restored": restored, "child": child,
                                                       "open_episode_id": open_episode_id})
