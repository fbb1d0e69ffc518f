"""The return home interview pages: each step through its service, the summary, the lists."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from homeward.accounts.models import User
from homeward.accounts.permissions import Capability, can, may_record_interview
from homeward.audit.services import audit_list_read, audit_record
from homeward.casework.interviews import (
    InterviewRecord,
    interview_record_from,
    rhi_allocate,
    rhi_amend,
    rhi_authorise,
    rhi_record_interview,
    rhi_record_offer,
    rhi_share,
)
from homeward.common.errors import DomainValidationError, PermissionDenied
from homeward.episodes.models import Episode, EpisodeStatus
from homeward.episodes.selectors import episode_get_for_user, episode_list_for_user
from homeward.interviews.models import Method, Outcome, ReturnInterview, RhiVersion
from homeward.interviews.selectors import rhi_content_visible_to, rhi_content_withheld_reason, rhi_stage
from homeward.obligations.models import StoredObligation
from homeward.obligations.selectors import stored_status
from homeward.reference.selectors import coded_item_get
from homeward.web.formatting import datetime_text
from homeward.web.forms.interviews import (
    SHARE_CHOICES,
    AllocateForm,
    AmendForm,
    AuthoriseForm,
    InterviewForm,
    OfferForm,
    ShareForm,
)

from .base import apply_domain_errors, form_for, page, person
from .episode_read import InterviewRead, interview_read

# The interview may be given to someone else until it is authorised; the deadline stays.
REALLOCATABLE_STAGES = ("to_allocate", "allocated", "offered", "interviewed")

PIPELINE_STAGES = [
    ("to_allocate", "To allocate"),
    ("allocated", "Allocated, to offer"),
    ("offered", "Offered, interview to record"),
    ("interviewed", "Interview done, to authorise"),
    ("authorised", "Authorised, to share"),
]


def _rhi(episode: Episode) -> ReturnInterview | None:
    return (ReturnInterview.objects.filter(episode=episode)
            .select_related("practitioner", "allocated_by", "authorised_by")
            .prefetch_related("sharings").first())


def _is_own_or_lead(user: User, rhi: ReturnInterview | None) -> bool:
    return may_record_interview(user, rhi.practitioner_id if rhi is not None else None)


def _exceptional_possible(episode: Episode) -> bool:
    """The episode's interview is another authority's to conduct (DOMAIN.md section 4)."""
    authority = episode.rhi_authority
    return bool(authority is not None and authority.code != settings.HOMEWARD_AUTHORITY) or episode.rhi_exceptional


def _labels(list_name: str, codes: list[str]) -> list[str]:
    labels = []
    for code in codes or []:
        item = coded_item_get(list_name, code)
        labels.append(item.label if item else code)
    return labels


def _versions(rhi: ReturnInterview | None) -> list[RhiVersion]:
    if rhi is None:
        return []
    return list(rhi.versions.select_related("recorded_by", "authorised_by").order_by("number"))


def _pending(versions: list[RhiVersion]) -> RhiVersion | None:
    """The amendment awaiting authorisation, if there is one."""
    return next((v for v in reversed(versions) if v.number > 1 and v.authorised_at is None), None)


def rhi_panel(user: User, episode: Episode, read: InterviewRead | None = None) -> dict[str, Any]:
    """What the episode page shows of the interview: each step, and the next step's link.
    `read`: the interview and its rows, when the page has read them (`interview_read`)."""
    read = read or interview_read(episode)
    rhi = read.rhi
    stage = rhi_stage(rhi)
    returned = episode.found_at is not None and episode.status in (EpisodeStatus.RETURNED, EpisodeStatus.CLOSED)
    conducted = rhi is not None and rhi.conducted_at is not None
    versions = read.versions
    pending = _pending(versions)
    authorised = [v for v in versions if v.authorised_at is not None]
    return {
        "rhi": rhi,
        "stage": stage,
        "sharings": [(s, [label for code, label in SHARE_CHOICES if code in s.recipients]) for s in read.sharings],
        # Every allocation (a re-allocation keeps the first one's clock) and every offer.
        "allocations": read.allocations,
        "offers": read.offers,
        "version": authorised[-1].number if authorised else None,
        "pending": pending,
        # How the offer was made, how the interview was conducted and whether a concern was
        # shared: only for those who may read the interview (DOMAIN.md sections 5 and 7).
        "details_visible": rhi_content_visible_to(user, rhi),
        "content_visible": conducted and rhi_content_visible_to(user, rhi),
        "withheld_reason": rhi_content_withheld_reason(user),
        "can_allocate": returned and stage in REALLOCATABLE_STAGES and can(user, Capability.RHI_ALLOCATE),
        "can_offer": returned and stage in ("allocated", "offered") and _is_own_or_lead(user, rhi),
        "can_record": returned and stage in ("offered", "interviewed") and _is_own_or_lead(user, rhi),
        # Once authorised the interview is locked: a change is an amendment, authorised again.
        "can_amend": returned and stage in ("authorised", "shared") and _is_own_or_lead(user, rhi),
        "can_authorise": (stage == "interviewed" or pending is not None) and can(user, Capability.RHI_AUTHORISE),
        "can_share": conducted and stage != "to_allocate" and can(user, Capability.RHI_SHARE),
    }


def _step(
    request: HttpRequest, episode_id: int, *, form_class: type[forms.Form], heading: str, button: str,
    save: Callable[[Episode, dict[str, Any]], Any], done: str, form_kwargs: dict[str, Any] | None = None,
    intro: str = "", field_map: dict[str, str] | None = None, template: str = "web/interviews/step.html",
    permitted: Callable[[Episode], bool], context: dict[str, Any] | None = None,
) -> HttpResponse:
    """One step of the interview through its service. `permitted` says whether the person's role
    (and, for a practitioner, the allocation) lets them take this step: if not, 403, so the form
    is not even shown; it runs once the episode is found, so that an episode the person may not
    see is 404 whatever their role (as in the API)."""
    user = person(request)
    episode = episode_get_for_user(user, episode_id, audit=request.method != "POST")
    if not permitted(episode):
        raise PermissionDenied("You may not take this step of the return interview.")
    form, restored = form_for(request, form_class, **(form_kwargs or {}))
    if request.method == "POST" and form.is_valid():
        try:
            save(episode, form.cleaned_data)
        except DomainValidationError as exc:
            apply_domain_errors(form, exc, field_map or {})
        else:
            messages.success(request, done)
            return redirect(reverse("web:episode", args=[episode.pk]) + "#return-interview")
    return render(request, template, {
        "form": form, "restored": restored, "episode": episode, "child": episode.child,
        "heading": heading, "button": button, "intro": intro, **(context or {}),
    })


@page
def rhi_allocate_page(request: HttpRequest, episode_id: int) -> HttpResponse:
    """Allocate the interview; once allocated, re-allocate it with a reason (the deadline stays:
    it runs from the first allocation, DOMAIN.md section 3)."""
    user = person(request)
    episode = episode_get_for_user(user, episode_id, audit=False)
    rhi = _rhi(episode)
    current = rhi.practitioner if rhi is not None else None

    def save(episode: Episode, data: dict[str, Any]) -> Any:
        practitioner = User.objects.filter(username=data["practitioner"], is_active=True).first()
        return rhi_allocate(actor=user, episode=episode, practitioner=practitioner,
                            allocated_at=data["allocated_at"], exceptional=bool(data.get("exceptional")),
                            reason=data.get("reason", ""), at_child_request=bool(data.get("at_child_request")))

    if current is None:
        return _step(request, episode_id, form_class=AllocateForm, heading="Allocate the return interview",
                     button="Allocate", save=save, done="Return interview allocated.",
                     permitted=lambda episode: can(user, Capability.RHI_ALLOCATE),
                     form_kwargs={"exceptional_possible": _exceptional_possible(episode)})
    assert rhi is not None and rhi.allocated_at is not None
    return _step(request, episode_id, form_class=AllocateForm, heading="Re-allocate the return interview",
                 button="Re-allocate", save=save, done="Return interview re-allocated. The deadline has not moved.",
                 permitted=lambda episode: can(user, Capability.RHI_ALLOCATE),
                 form_kwargs={"exceptional_possible": _exceptional_possible(episode), "reallocating": True,
                              "initial": {"exceptional": episode.rhi_exceptional}},
                 template="web/interviews/allocate.html",
                 context={"current": current, "first_allocated_at": rhi.allocated_at})


@page
def rhi_offer_page(request: HttpRequest, episode_id: int) -> HttpResponse:
    user = person(request)
    return _step(request, episode_id, form_class=OfferForm, heading="Record the offer of a return interview",
                 button="Record the offer", done="Offer of the return interview recorded.",
                 permitted=lambda episode: _is_own_or_lead(user, _rhi(episode)),
                 save=lambda episode, data: rhi_record_offer(actor=user, episode=episode, **data))


@page
def rhi_record_page(request: HttpRequest, episode_id: int) -> HttpResponse:
    user = person(request)
    if request.method != "POST":
        episode = episode_get_for_user(user, episode_id, audit=False)
        rhi = _rhi(episode)
        if rhi is not None and rhi.authorised_at is not None:
            # Authorised, the interview is locked: what was "record the interview" is now an amendment.
            return redirect("web:rhi_amend", episode.pk)

    def save(episode: Episode, data: dict[str, Any]) -> Any:
        return rhi_record_interview(actor=user, episode=episode, record=InterviewRecord(**data))

    return _step(request, episode_id, form_class=InterviewForm, heading="Record the return interview",
                 button="Record the interview", save=save, done="Return interview recorded.",
                 permitted=lambda episode: _is_own_or_lead(user, _rhi(episode)),
                 intro="Write what the child said in their own words.", template="web/interviews/record.html")


def _record_initial(rhi: ReturnInterview, pending: RhiVersion | None) -> dict[str, Any]:
    """The amendment form opens with the interview as it stands: the pending amendment being
    corrected, else the authorised interview."""
    if pending is not None:
        record = interview_record_from(pending.content)
        values = {f.name: getattr(record, f.name) for f in fields(InterviewRecord)}
    else:
        values = {f.name: getattr(rhi, f.name) for f in fields(InterviewRecord)}
    seen_alone = values.get("seen_alone")
    values["seen_alone"] = "" if seen_alone is None else ("yes" if seen_alone else "no")
    return values


@page
def rhi_amend_page(request: HttpRequest, episode_id: int) -> HttpResponse:
    """Amend an authorised interview: a new version, which the co-ordinator authorises again;
    until then everyone reads the authorised one."""
    user = person(request)
    episode = episode_get_for_user(user, episode_id, audit=False)
    rhi = _rhi(episode)
    versions = _versions(rhi)
    pending = _pending(versions)

    def save(episode: Episode, data: dict[str, Any]) -> Any:
        form_data = dict(data)
        amended_at, reason = form_data.pop("amended_at"), form_data.pop("reason")
        return rhi_amend(actor=user, episode=episode, record=InterviewRecord(**form_data), amended_at=amended_at,
                         reason=reason)

    intro = ("The interview is authorised and locked. Your amendment is kept as a new version beside the "
             "earlier ones; the co-ordinator authorises it, and until then everyone reads the authorised one.")
    if pending is not None:
        intro = (f"Version {pending.number} of the interview awaits authorisation: you are correcting it. "
                 "The authorised version is what everyone reads until it is authorised.")
    if request.method != "POST" and (rhi is None or rhi.authorised_at is None):
        # Not authorised yet: the record itself is corrected, not amended.
        return redirect("web:rhi_record", episode.pk)
    initial = _record_initial(rhi, pending) if rhi is not None else {}
    if pending is not None:
        initial.update(reason=pending.amendment_reason)
    return _step(request, episode_id, form_class=AmendForm, heading="Amend the return interview",
                 button="Record the amendment", save=save,
                 done="Amendment recorded. It awaits the co-ordinator's authorisation.",
                 permitted=lambda episode: _is_own_or_lead(user, rhi),
                 form_kwargs={"initial": initial}, intro=intro, template="web/interviews/record.html")


_FIELD_LABELS = {
    "outcome": "The child's answer", "conducted_at": "When", "method": "How the interview was done",
    "seen_alone": "Seen alone", "accompanied_by": "Who was with the child", "conducted_by": "Conducted by",
    "push_factors": "Push factors", "pull_factors": "Pull factors",
    "exploitation_indicators": "Exploitation indicators", "referrals": "Onward referrals",
    "reasons": "Reasons for going missing", "whereabouts": "Where, with whom and how the child spent the time",
    "harm": "Harm suffered, or risk to others", "health_concerns": "Health concerns",
    "wishes_and_feelings": "The child's wishes and feelings", "actions": "Actions agreed",
    "carer_observations": "Observations of whoever saw the child return",
}
_CODED = ("push_factors", "pull_factors", "exploitation_indicators", "referrals")


def _shown(name: str, value: Any) -> str:
    """A field of the interview as people read it."""
    if _blank_as_none(value) is None:
        return "Not recorded"
    if name == "outcome":
        return str(Outcome(value).label) if value in Outcome.values else str(value)
    if name == "method":
        return str(Method(value).label) if value in Method.values else str(value)
    if name == "seen_alone":
        return "Yes" if value else "No"
    if name in _CODED:
        return ", ".join(_labels(name, list(value)))
    if isinstance(value, datetime):
        return datetime_text(value)
    return str(value)


def _blank_as_none(value: Any) -> Any:
    return None if value is None or value == "" or value == [] else value


def amendment_changes(rhi: ReturnInterview, amendment: RhiVersion) -> list[tuple[str, str, str]]:
    """What an amendment changes in the authorised interview: (what, was, now) for each field
    whose words differ."""
    amended = interview_record_from(amendment.content)
    changes = []
    for field in fields(InterviewRecord):
        # As people read them: a time retyped to the minute is no change.
        before = _shown(field.name, getattr(rhi, field.name))
        after = _shown(field.name, getattr(amended, field.name))
        if before != after:
            changes.append((_FIELD_LABELS.get(field.name, field.name), before, after))
    return changes


@page
def rhi_authorise_page(request: HttpRequest, episode_id: int) -> HttpResponse:
    """Authorise the recorded interview or, once it is authorised, its pending amendment."""
    user = person(request)
    episode = episode_get_for_user(user, episode_id, audit=False)
    rhi = _rhi(episode)
    pending = _pending(_versions(rhi)) if rhi is not None and rhi.authorised_at is not None else None
    if pending is None or rhi is None:
        return _step(request, episode_id, form_class=AuthoriseForm, heading="Authorise the return interview",
                     button="Authorise", done="Return interview authorised.",
                     permitted=lambda episode: can(user, Capability.RHI_AUTHORISE),
                     save=lambda episode, data: rhi_authorise(actor=user, episode=episode, **data))
    return _step(request, episode_id, form_class=AuthoriseForm, heading="Authorise the amendment",
                 button="Authorise the amendment",
                 done=f"Amendment authorised: version {pending.number} is now the interview everyone reads.",
                 permitted=lambda episode: can(user, Capability.RHI_AUTHORISE),
                 save=lambda episode, data: rhi_authorise(actor=user, episode=episode, **data),
                 template="web/interviews/authorise_amendment.html",
                 context={"amendment": pending, "changes": amendment_changes(rhi, pending)})


@page
def rhi_share_page(request: HttpRequest, episode_id: int) -> HttpResponse:
    user = person(request)
    episode = episode_get_for_user(user, episode_id, audit=False)
    rhi = _rhi(episode)
    authorised = rhi is not None and rhi.authorised_at is not None
    return _step(request, episode_id, form_class=ShareForm, heading="Share the return interview",
                 button="Record the sharing", done="Sharing of the return interview recorded.",
                 permitted=lambda episode: can(user, Capability.RHI_SHARE),
                 save=lambda episode, data: rhi_share(actor=user, episode=episode, **data),
                 form_kwargs={"concern_only": not authorised},
                 intro="" if authorised else "The interview is not authorised yet: only a safeguarding concern "
                                            "from it may be shared now.")


@page
def rhi_page(request: HttpRequest, episode_id: int) -> HttpResponse:
    """The interview itself: what the child said, for those who may read it."""
    user = person(request)
    episode = episode_get_for_user(user, episode_id)
    rhi = _rhi(episode)
    if rhi is None or rhi.conducted_at is None:
        return redirect(reverse("web:episode", args=[episode.pk]) + "#return-interview")
    if not rhi_content_visible_to(user, rhi):
        raise PermissionDenied(rhi_content_withheld_reason(user))
    audit_record(actor=user, action="view", object_type="return_interview", object_id=str(rhi.pk),
                 child_id=episode.child_id, detail={"episode": episode.pk})
    versions = _versions(rhi)
    pending = _pending(versions)
    # What an amendment says before it is authorised is for those who work the interview; the
    # police (and anyone else who only reads it) see the authorised versions alone.
    works_it = can(user, Capability.RHI_RECORD) or can(user, Capability.RHI_AUTHORISE)
    authorised = [v for v in versions if v.authorised_at is not None]
    return render(request, "web/interviews/interview.html", {
        "episode": episode, "child": episode.child, "rhi": rhi,
        "versions": versions if works_it else authorised,
        "version": authorised[-1].number if authorised else None,
        "pending": pending, "sees_pending": works_it,
        "outcome": Outcome(rhi.outcome).label if rhi.outcome else "",
        "coded": [
            ("Push factors", _labels("push_factors", rhi.push_factors)),
            ("Pull factors", _labels("pull_factors", rhi.pull_factors)),
            ("Exploitation indicators", _labels("exploitation_indicators", rhi.exploitation_indicators)),
            ("Onward referrals", _labels("referrals", rhi.referrals)),
        ],
        "texts": [
            ("Reasons for going missing", rhi.reasons),
            ("Where, with whom and how the child spent the time", rhi.whereabouts),
            ("Harm suffered, or risk to others", rhi.harm),
            ("Health concerns", rhi.health_concerns),
            ("The child's wishes and feelings", rhi.wishes_and_feelings),
            ("Actions agreed", rhi.actions),
            ("Observations of whoever saw the child return", rhi.carer_observations),
            ("Recommendations", rhi.recommendations),
        ],
    })


@dataclass(frozen=True)
class InterviewRow:
    episode: Episode
    rhi: ReturnInterview | None
    stage: str
    offer_due: datetime | None
    offer_status: str


def _offer_obligations(episodes: list[Episode]) -> dict[int, StoredObligation]:
    rows = StoredObligation.objects.filter(episode__in=[e.pk for e in episodes], code="rhi_offered")
    return {row.episode_id: row for row in rows.order_by("instance")}


SHARED_PAGE_SIZE = 25


def _rows(episodes: list[Episode]) -> list[InterviewRow]:
    now = timezone.now()
    offers = _offer_obligations(episodes)
    rows = []
    for episode in episodes:
        rhi = getattr(episode, "rhi", None)
        offer = offers.get(episode.pk)
        rows.append(InterviewRow(episode=episode, rhi=rhi, stage=rhi_stage(rhi),
                                 offer_due=offer.due_at if offer else None,
                                 offer_status=stored_status(offer, now) if offer else ""))
    return rows


@page
def my_interviews(request: HttpRequest) -> HttpResponse:
    """The practitioner's own interviews: those under way, soonest offer due first; those
    shared, newest first, a page at a time (a practitioner's history runs to hundreds)."""
    user = person(request)
    mine = episode_list_for_user(user).filter(rhi__practitioner=user).select_related("rhi")
    under_way = list(mine.filter(rhi__shared_at__isnull=True).order_by("-found_at"))
    shared = Paginator(mine.filter(rhi__shared_at__isnull=False).order_by("-rhi__shared_at", "-pk"),
                       SHARED_PAGE_SIZE).get_page(request.GET.get("page"))
    shown = under_way + list(shared.object_list)
    audit_list_read(actor=user, object_type="my_interviews", rows=[(e.pk, e.child_id) for e in shown],
                    query=request.GET.dict())
    open_rows = _rows(under_way)
    open_rows.sort(key=lambda r: (r.offer_due is None, r.offer_due or timezone.now()))
    return render(request, "web/interviews/mine.html", {
        "rows": open_rows, "finished": _rows(list(shared.object_list)), "entries": shared,
    })


@page
def rhi_pipeline(request: HttpRequest) -> HttpResponse:
    """The co-ordinator's view of every interview under way, by stage."""
    user = person(request)
    if not (can(user, Capability.RHI_ALLOCATE) or can(user, Capability.RHI_AUTHORISE)):
        raise PermissionDenied("The return interview pipeline is the co-ordinator's.")
    episodes = list(
        episode_list_for_user(user)
        .filter(found_at__isnull=False)
        .exclude(status=EpisodeStatus.CANCELLED)
        .filter(Q(obligations__code="rhi_offered") | Q(rhi__isnull=False))
        .exclude(rhi__shared_at__isnull=False)
        .select_related("rhi", "rhi__practitioner")
        .distinct().order_by("found_at")
    )
    rows = _rows(episodes)
    audit_list_read(actor=user, object_type="rhi_pipeline", rows=[(e.pk, e.child_id) for e in episodes],
                    query=request.GET.dict())
    sections = [(stage, label, [r for r in rows if r.stage == stage]) for stage, label in PIPELINE_STAGES]
    return render(request, "web/interviews/pipeline.html", {"sections": sections})
