"""The child's page, and the Philomena profile to hand to police (printable, and as a PDF)."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from homeward.accounts.permissions import may_read_casework_notes
from homeward.audit.services import audit_record
from homeward.children.models import NEWEST_FIRST, Child, PhilomenaProfile, Placement
from homeward.children.photos import photo_fit_to_show
from homeward.children.selectors import child_get_for_user
from homeward.children.services import child_current_placement
from homeward.common.timeutil import age_on, local_date
from homeward.episodes.models import Episode
from homeward.episodes.selectors import episode_list_for_user
from homeward.interviews.models import ReturnInterview
from homeward.interviews.selectors import chronology_for_user
from homeward.web.formatting import date_text, datetime_text

from .base import page, person


def _philomena(child: Child) -> PhilomenaProfile | None:
    return PhilomenaProfile.objects.filter(child=child).first()


def philomena_rows(profile: PhilomenaProfile | None) -> list[tuple[str, str]]:
    """The profile's facts in the order police read them."""
    if profile is None:
        return []
    risks = [label for flag, label in (
        (profile.risk_cse, "Child sexual exploitation"), (profile.risk_cce, "Child criminal exploitation"),
        (profile.risk_self_harm, "Self-harm"),
    ) if flag]
    if profile.other_risks:
        risks.append(profile.other_risks)
    return [
        ("Description", profile.description),
        ("Phone numbers", profile.phone_numbers),
        ("Social media", profile.social_media),
        ("Known associates", profile.known_associates),
        ("Places frequented", profile.places_frequented),
        ("Health needs", profile.health_needs),
        ("Risks", "\n".join(risks)),
    ]


def placement_text(placement: Placement | None) -> str:
    if placement is None:
        return "Not placed"
    parts = (placement.provider, placement.address, placement.postcode, placement.authority.name)
    return ", ".join(part for part in parts if part)


def identity_rows(child: Child, today: date, open_episode: Episode | None,
                  placement: Placement | None) -> list[tuple[str, str]]:
    rows = [
        ("Date of birth", f"{date_text(child.date_of_birth)} (age {age_on(child.date_of_birth, today)})"),
        ("Sex", child.get_sex_display()),
        ("Case-system id", child.external_id or "Not yet recorded"),
        ("Legal status", child.get_legal_status_display()),
        ("Placed", placement_text(placement)),
        ("Social worker", child.allocated_worker.display_name if child.allocated_worker else "Not allocated"),
    ]
    if open_episode is not None:
        rows += [
            ("Last seen", f"{datetime_text(open_episode.missing_since)}"
                          + (f", {open_episode.location_last_seen}" if open_episode.location_last_seen else "")),
            ("Police reference", open_episode.police_reference or "Not yet given"),
        ]
    return rows


def _profile_context(request: HttpRequest, child: Child, *, open_episode: Episode | None = None,
                     placement: Placement | None = None, known: bool = False) -> dict[str, Any]:
    """The profile's context; `known`: the caller has read the open episode and the current
    placement (None for none)."""
    today = local_date(timezone.now())
    if not known:
        open_episode = episode_list_for_user(person(request)).filter(child=child, status="open").first()
        placement = child_current_placement(child)
    profile = _philomena(child)
    return {
        "child": child,
        "age": age_on(child.date_of_birth, today),
        "profile": profile,
        "philomena_rows": philomena_rows(profile),
        "identity_rows": identity_rows(child, today, open_episode, placement),
        "placement": placement,
        "open_episode": open_episode,
        "printed_at": timezone.now(),
    }


# The chronology grows with the child's history: the page shows it this many entries at a time,
# newest first, each page after the last entry of the one before (keyset, issue 11).
CHRONOLOGY_PAGE = 50


def _chronology_cursor(text: str) -> tuple[datetime, int] | None:
    """`before`: the instant and id of the last entry of the page before, as `<ISO instant>~<id>`
    (None if absent or not one)."""
    at_text, _, id_text = text.rpartition("~")
    try:
        at = datetime.fromisoformat(at_text)
    except ValueError:
        return None
    if not id_text.isdigit() or at.tzinfo is None:
        return None
    return at, int(id_text)


@page
def child_page(request: HttpRequest, child_id: int) -> HttpResponse:
    user = person(request)
    child = child_get_for_user(user, child_id)
    # Police see the current legal status and placement, not the history, the people with
    # parental responsibility or the school (ADR 0008).
    casework = may_read_casework_notes(user)
    # The child is one the person may see, and so is each of their episodes.
    episodes = list(Episode.objects.filter(child=child).order_by("-missing_since", "-id"))
    placements = (list(child.placements.select_related("authority", "provider_organisation").order_by(*NEWEST_FIRST))
                  if casework else [])
    current = (max((p for p in placements if p.ended_on is None), key=lambda p: p.pk, default=None) if casework
               else child_current_placement(child))
    context = _profile_context(request, child, open_episode=next((e for e in episodes if e.status == "open"), None),
                               placement=current, known=True)
    entries = child.chronology.select_related("recorded_by").order_by("-at", "-id")
    cursor = _chronology_cursor(request.GET.get("before", ""))
    if cursor is not None:
        entries = entries.filter(Q(at__lt=cursor[0]) | Q(at=cursor[0], pk__lt=cursor[1]))
    shown = list(entries[:CHRONOLOGY_PAGE + 1])
    more, shown = len(shown) > CHRONOLOGY_PAGE, shown[:CHRONOLOGY_PAGE]
    by_id = {episode.pk: episode for episode in episodes}
    for entry in shown:
        if entry.episode_id is not None:
            entry.episode = by_id[entry.episode_id]  # the episodes read above, not joined again
    interviews: dict[int, ReturnInterview | None] = dict.fromkeys(by_id)
    rhis = ReturnInterview.objects.filter(episode__child_id=child.pk).only("id", "episode_id", "shared_with")
    for rhi in rhis.prefetch_related("sharings") if not casework else rhis:
        interviews[rhi.episode_id] = rhi
    context.update({
        "casework": casework,
        "legal_statuses": list(child.legal_statuses.order_by(*NEWEST_FIRST)) if casework else [],
        "placements": placements if casework else [p for p in [current] if p is not None],
        "adults": list(child.responsible_adults.filter(archived_at__isnull=True).order_by("name"))
        if casework else [],
        "episodes": episodes,
        "chronology": chronology_for_user(user, shown, interviews=interviews),
        "chronology_page": CHRONOLOGY_PAGE,
        "chronology_later": cursor is not None,
        "chronology_before": f"{shown[-1].at.isoformat()}~{shown[-1].pk}" if more else "",
    })
    return render(request, "web/children/child.html", context)


@page
def philomena_page(request: HttpRequest, child_id: int) -> HttpResponse:
    child = child_get_for_user(person(request), child_id)
    return render(request, "web/children/philomena.html", _profile_context(request, child))


@page
def philomena_pdf(request: HttpRequest, child_id: int) -> HttpResponse:
    """The one-page profile as a PDF; handing it out is an export, so it is audited as one."""
    from weasyprint import CSS, HTML

    user = person(request)
    child = child_get_for_user(user, child_id)
    context = _profile_context(request, child)
    profile = context["profile"]
    # A photo stored before uploads were re-encoded may be huge: left out, never decoded.
    shown = profile is not None and bool(profile.photo) and photo_fit_to_show(profile.photo.path)
    context["photo_uri"] = Path(profile.photo.path).as_uri() if shown else ""
    html = render_to_string("web/children/philomena_pdf.html", context, request=request)
    stylesheet = finders.find("homeward/philomena-pdf.css")
    pdf = HTML(string=html).write_pdf(stylesheets=[CSS(filename=str(stylesheet))])
    audit_record(actor=user, action="export", object_type="philomena_profile", object_id=str(child.pk),
                 child_id=child.pk, detail={"format": "pdf"})
    response = HttpResponse(pdf, content_type="application/pdf")
    # Only safe characters reach the header: an id with a line break once made every PDF fail.
    reference = re.sub(r"[^A-Za-z0-9_-]", "", child.external_id) or f"child-{child.pk}"
    filename = f"philomena-{reference}-{date_text(timezone.now()).replace(' ', '-')}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@page
def philomena_photo(request: HttpRequest, child_id: int) -> FileResponse:
    """The child's photo, only to those who may see the child."""
    user = person(request)
    child = child_get_for_user(user, child_id, audit=False)
    profile = _philomena(child)
    if profile is None or not profile.photo:
        raise Http404
    # The photo is the child's record too: each read is audited naming the child.
    audit_record(actor=user, action="view", object_type="philomena_photo", object_id=str(profile.pk),
                 child_id=child.pk)
    return FileResponse(profile.photo.open("rb"))
