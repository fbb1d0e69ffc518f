"""Consultations and referrals as decisions on the episode page and their own pages; their
counts for the co-ordinator (DOMAIN.md sections 5a and 8); charges for exceptional interviews."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from homeward.accounts.models import User
from homeward.accounts.permissions import Capability, can, may_record_consultation_outcome, require
from homeward.audit.services import audit_list_read
from homeward.casework.charges import charge_withdraw
from homeward.casework.consultations import (
    consultation_record,
    consultation_record_outcome,
    consultation_situation,
    episode_consultation_prompts,
    exploitation_in,
)
from homeward.charges.selectors import charge_get_for_user, charge_list_for_user, charges_csv
from homeward.common.errors import DomainValidationError, PermissionDenied
from homeward.consultations.models import Consultation, ConsultationKind, Decision
from homeward.consultations.selectors import (
    consultation_counts,
    consultation_get_for_user,
    consultation_period,
)
from homeward.episodes.models import Episode, EpisodeStatus
from homeward.episodes.selectors import episode_get_for_user
from homeward.protocol.consultations import Prompt, consultation_prompts
from homeward.web.forms.consultations import ChargeWithdrawForm, ConsultationForm, ConsultationOutcomeForm

from .base import apply_domain_errors, form_for, page, person
from .episode_read import EpisodeRead


def consultation_context(user: User, episode: Episode, read: EpisodeRead) -> dict[str, Any]:
    """The episode page's section on consultations and referrals: the prompts and every decision,
    for those who read social care's record (not police liaison), from the rows the page read
    (`episode_read`: the episode was found through the access choke point). The page's own read
    is audited with the episode; the decisions are part of it."""
    if not can(user, Capability.CONSULTATION_READ) or read.consultations is None:
        return {"consultations_shown": False}
    consultations = read.consultations
    return {
        "consultations_shown": True,
        "consultation_prompts": _prompts(episode, read, consultations),
        # Each with whether this person may record its outcome (the exploitation team: the
        # Pre-MACE panel's only, ADR 0016).
        "consultations": [(c, may_record_consultation_outcome(user, c.kind)) for c in consultations],
        "can_record_consultation": (episode.status != EpisodeStatus.CANCELLED
                                    and can(user, Capability.CONSULTATION_RECORD)),
    }


def _prompts(episode: Episode, read: EpisodeRead, consultations: list[Consultation]) -> tuple[Prompt, ...]:
    """`episode_consultation_prompts` from the rows the page read, asking nothing more."""
    if episode.status == EpisodeStatus.CANCELLED:
        return ()
    rhi = read.interview.rhi
    situation = consultation_situation(
        episode,
        exploitation=exploitation_in([a.detail for a in read.risk_analyses],
                                     rhi.exploitation_indicators if rhi is not None else None),
        graded_high=any(g.risk_level == "high" for g in read.gradings),
        allocated=episode.child.allocated_worker_id is not None,
        vulnerable=bool(read.plans and read.plans.judgements),
        other_starts=read.other_starts or (),
    )
    return consultation_prompts(situation, {c.kind for c in consultations})


@page
def consultation_new(request: HttpRequest, episode_id: int) -> HttpResponse:
    user = person(request)
    episode = episode_get_for_user(user, episode_id, audit=request.method != "POST")
    require(user, Capability.CONSULTATION_RECORD)
    kind = request.GET.get("kind", "")
    form, restored = form_for(request, ConsultationForm,
                              initial={"kind": kind} if kind in ConsultationKind.values else None)
    if request.method == "POST" and form.is_valid():
        try:
            consultation_record(actor=user, episode=episode, **form.cleaned_data)
        except DomainValidationError as exc:
            apply_domain_errors(form, exc, {})
        else:
            messages.success(request, "Decision recorded.")
            return redirect(reverse("web:episode", args=[episode.pk]) + "#consultations")
    prompts = [p for p in episode_consultation_prompts(episode) if not p.answered]
    return render(request, "web/consultations/new.html", {
        "form": form, "restored": restored, "episode": episode, "child": episode.child, "prompts": prompts,
    })


@page
def consultation_outcome(request: HttpRequest, episode_id: int, consultation_id: int) -> HttpResponse:
    user = person(request)
    episode = episode_get_for_user(user, episode_id, audit=False)
    consultation = consultation_get_for_user(user, episode_id=episode.pk, consultation_id=consultation_id,
                                             audit=request.method != "POST")
    if not may_record_consultation_outcome(user, consultation.kind):
        raise PermissionDenied("Only social care, or the exploitation team for the Pre-MACE panel, "
                               "records this outcome.")
    form, restored = form_for(request, ConsultationOutcomeForm)
    if request.method == "POST" and form.is_valid():
        try:
            consultation_record_outcome(actor=user, consultation=consultation, **form.cleaned_data)
        except DomainValidationError as exc:
            apply_domain_errors(form, exc, {})
        else:
            messages.success(request, "Outcome recorded.")
            return redirect(reverse("web:episode", args=[episode.pk]) + "#consultations")
    return render(request, "web/consultations/outcome.html", {
        "form": form, "restored": restored, "episode": episode, "child": episode.child,
        "consultation": consultation, "made": consultation.decision == Decision.MADE,
    })


@page
def consultation_report(request: HttpRequest) -> HttpResponse:
    """How often each consultation or referral was considered, made, and followed to an outcome,
    in a period (counts alone: they name no child)."""
    user = person(request)
    require(user, Capability.REPORT_READ)
    error = ""
    try:
        first, last, since, until = consultation_period(request.GET.get("from") or None,
                                                        request.GET.get("to") or None)
    except DomainValidationError as exc:
        error = exc.errors[0].message
        first, last, since, until = consultation_period(None, None)
    return render(request, "web/consultations/report.html", {
        "first": first, "last": last, "counts": consultation_counts(since=since, until=until), "error": error,
    })


def _pounds(pence: int) -> str:
    return f"{pence // 100:,}.{pence % 100:02d}"


@page
def charges_page(request: HttpRequest) -> HttpResponse:
    user = person(request)
    charges = list(charge_list_for_user(user))
    audit_list_read(actor=user, object_type="charge", rows=[(c.pk, c.episode.child_id) for c in charges],
                    query={"page": "charges"})
    return render(request, "web/charges/list.html", {
        "charges": charges, "can_withdraw": can(user, Capability.CHARGE_WITHDRAW),
        "total": _pounds(sum(c.fee_pence for c in charges if c.withdrawn_at is None)),
    })


@page
def charges_csv_download(request: HttpRequest) -> HttpResponse:
    user = person(request)
    charges = list(charge_list_for_user(user))
    audit_list_read(actor=user, action="export", object_type="charge",
                    rows=[(c.pk, c.episode.child_id) for c in charges], query={"withdrawn": "include"})
    response = HttpResponse(charges_csv(charges), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="charges.csv"'
    return response


@page
def charge_withdraw_page(request: HttpRequest, charge_id: int) -> HttpResponse:
    user = person(request)
    charge = charge_get_for_user(user, charge_id)
    require(user, Capability.CHARGE_WITHDRAW)
    form, restored = form_for(request, ChargeWithdrawForm)
    if request.method == "POST" and form.is_valid():
        try:
            charge_withdraw(actor=user, charge=charge, **form.cleaned_data)
        except DomainValidationError as exc:
            apply_domain_errors(form, exc, {})
        else:
            messages.success(request, "Charge withdrawn.")
            return redirect("web:charges")
    return render(request, "web/charges/withdraw.html", {"form": form, "restored": restored, "charge": charge})
