"""Police notifications by email (issue 12): the triage queue, one message with the children it
may be about, the upload of .eml files. For the MCT and the co-ordinator; every read of a
message is audited (it names a child), and every change goes through `homeward.intake.services`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from homeward.accounts.permissions import Capability, require
from homeward.common.errors import DomainValidationError
from homeward.intake.models import MessageSource, MessageStatus, PoliceMessage
from homeward.intake.parsing import PoliceNotification
from homeward.intake.selectors import intake_candidates, police_message_get_for_user, triage_queue_for_user
from homeward.intake.services import (
    intake_archive,
    intake_receive,
    intake_triage_create_child,
    intake_triage_match,
)
from homeward.web.formatting import datetime_text
from homeward.web.forms.intake import ArchiveForm, EmlUploadForm, MatchForm, TriageNewChildForm

from .base import apply_domain_errors, page, person


@page
def queue(request: HttpRequest) -> HttpResponse:
    waiting = triage_queue_for_user(person(request))
    return render(request, "web/intake/queue.html", {"waiting": [_row(m) for m in waiting]})


def _row(message: PoliceMessage) -> dict[str, Any]:
    parsed = message.parsed or {}
    name = " ".join(part for part in (parsed.get("given_name", ""), parsed.get("family_name", "")) if part)
    return {"message": message, "received": datetime_text(message.received_at), "name": name or "Not read",
            "kind": parsed.get("kind", "")}


@page
def upload(request: HttpRequest) -> HttpResponse:
    user = person(request)
    require(user, Capability.INTAKE)
    form = EmlUploadForm(data=request.POST, files=request.FILES) if request.method == "POST" else EmlUploadForm()
    if request.method == "POST" and form.is_valid():
        received = intake_receive(raw=form.cleaned_data["file"].read(), source=MessageSource.UPLOAD, actor=user)
        message = received.message
        if not received.created:
            messages.info(request, "This email was already received: here is what Homeward did with it.")
        elif message.status == MessageStatus.DONE:
            messages.success(request, f"{message.get_outcome_display()}.")
        else:
            messages.info(request, "The notification waits in the queue: match it to a child below.")
        return redirect("web:intake_message", message_id=message.pk)
    return render(request, "web/intake/upload.html", {"form": form})


def _fields(notification: PoliceNotification | None, message: PoliceMessage) -> list[tuple[str, str]]:
    if notification is None:
        return []
    when = datetime_text
    return [
        ("Notification", "Found" if notification.kind == "found" else "Missing"),
        ("Police force", message.police_force.name if message.police_force else notification.police_force),
        ("Police reference", notification.police_reference),
        ("Name", f"{notification.given_name} {notification.family_name}".strip()),
        ("Date of birth", f"{notification.date_of_birth:%-d %B %Y}" if notification.date_of_birth else ""),
        ("Case-system id", notification.case_system_id),
        ("Address", notification.address),
        ("Reported", when(notification.reported_at) if notification.reported_at else ""),
        ("Last seen", when(notification.last_seen_at) if notification.last_seen_at else ""),
        ("Where last seen", notification.location_last_seen),
        ("Circumstances", notification.circumstances),
        ("Risk grading", notification.risk_level.replace("_", " ")),
        ("Officer", notification.officer),
        ("Found", when(notification.found_at) if notification.found_at else ""),
        ("Where found", notification.found_location),
        ("Not understood", "\n".join(notification.notes)),
    ]


def _message_page(request: HttpRequest, message: PoliceMessage, *, new_child: TriageNewChildForm | None = None,
                  archive: ArchiveForm | None = None, match_error: str = "") -> HttpResponse:
    user = person(request)
    notification = PoliceNotification.from_json(message.parsed) if message.parsed else None
    waiting = message.status == MessageStatus.TRIAGE and message.archived_at is None
    if new_child is None and notification is not None:
        new_child = TriageNewChildForm(initial={
            "given_name": _tidy(notification.given_name), "family_name": _tidy(notification.family_name),
            "date_of_birth": notification.date_of_birth, "external_id": notification.case_system_id})
    return render(request, "web/intake/message.html", {
        "message": message, "fields": _fields(notification, message), "waiting": waiting,
        "received": datetime_text(message.received_at),
        "candidates": intake_candidates(user, message) if waiting and notification else [],
        "new_child": new_child if waiting and notification else None, "archive": archive or ArchiveForm(),
        "match_error": match_error,
    }, status=400 if match_error or (new_child and new_child.errors) or (archive and archive.errors) else 200)


def _tidy(name: str) -> str:
    """Forces write family names in capitals; the record keeps them as names are written."""
    return name.title() if name.isupper() else name


@page
def message_page(request: HttpRequest, message_id: int) -> HttpResponse:
    return _message_page(request, police_message_get_for_user(person(request), message_id))


@page
def original(request: HttpRequest, message_id: int) -> HttpResponse:
    """The message exactly as received, to open in an email program (the read is audited)."""
    message = police_message_get_for_user(person(request), message_id)
    response = HttpResponse(bytes(message.raw), content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="police-notification-{message.pk}.eml"'
    return response


@page
@require_POST
def match(request: HttpRequest, message_id: int) -> HttpResponse:
    user = person(request)
    message = police_message_get_for_user(user, message_id, audit=False)
    form = MatchForm(data=request.POST)
    if not form.is_valid():
        return _message_page(request, message, match_error="Select the child the notification is about")
    try:
        message = intake_triage_match(actor=user, message=message, child_id=form.cleaned_data["child"])
    except DomainValidationError as exc:
        return _message_page(request, message, match_error=" ".join(e.message for e in exc.errors))
    messages.success(request, f"{message.get_outcome_display()}.")
    return redirect("web:intake_message", message_id=message.pk)


@page
@require_POST
def new_child(request: HttpRequest, message_id: int) -> HttpResponse:
    user = person(request)
    message = police_message_get_for_user(user, message_id, audit=False)
    form = TriageNewChildForm(data=request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            message = intake_triage_create_child(
                actor=user, message=message, given_name=data["given_name"], family_name=data["family_name"],
                date_of_birth=data["date_of_birth"], sex=data["sex"], legal_status=data["legal_status"],
                responsible_authority=data["responsible_authority"], external_id=data["external_id"])
        except DomainValidationError as exc:
            apply_domain_errors(form, exc, {})
        else:
            messages.success(request, f"Child recorded. {message.get_outcome_display()}.")
            return redirect("web:intake_message", message_id=message.pk)
    return _message_page(request, message, new_child=form)


@page
@require_POST
def archive(request: HttpRequest, message_id: int) -> HttpResponse:
    user = person(request)
    message = police_message_get_for_user(user, message_id, audit=False)
    form = ArchiveForm(data=request.POST)
    if form.is_valid():
        try:
            intake_archive(actor=user, message=message, reason=form.cleaned_data["reason"])
        except DomainValidationError as exc:
            apply_domain_errors(form, exc, {})
        else:
            messages.success(request, "The message left the queue. It is kept.")
            return redirect("web:intake_queue")
    return _message_page(request, message, archive=form)
