"""Changing a child's record from the child's page: the details, the Philomena profile, and the
people around the child. Each page is a GOV.UK form through the domain services, which audit
every change with before and after."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from homeward.accounts.models import User
from homeward.accounts.permissions import Capability, require
from homeward.audit.services import audit_record
from homeward.casework.children import child_update
from homeward.children.models import NEWEST_FIRST, Child, PhilomenaProfile, ResponsibleAdult
from homeward.children.selectors import child_get_for_user
from homeward.children.services import (
    UNSET,
    PlacementInput,
    child_current_placement,
    philomena_profile_update,
    responsible_adult_add,
    responsible_adult_archive,
    responsible_adult_update,
)
from homeward.common.errors import DomainValidationError, NotFound
from homeward.web.forms.child_edit import (
    RISKS,
    ChildDetailsForm,
    PhilomenaForm,
    RemoveAdultForm,
    ResponsibleAdultForm,
)

from .base import apply_domain_errors, form_for, page, person

# The service's names for the fields this page calls differently.
DETAILS_FIELD_MAP = {
    "placement.authority": "placement_authority", "placement.provider": "placement_provider",
    "placement.type": "placement_type", "placement.address": "placement_address",
    "placement.postcode": "placement_postcode",
}
SIMPLE_FIELDS = ("given_name", "family_name", "known_as", "date_of_birth", "sex", "ethnicity", "school")


def child_to_change(request: HttpRequest, child_id: int, capability: str) -> tuple[User, Child]:
    """The person and the child whose record they would change: the child is looked up first,
    so that a child the person may not see is 404 whatever their role (as the API answers), and
    only then is the role checked (403). Opening the form is a read of the child's record; the
    change itself is audited by its service."""
    user = person(request)
    child = child_get_for_user(user, child_id, audit=False)
    require(user, capability)
    if request.method != "POST":
        audit_record(actor=user, action="view", object_type="child", object_id=str(child.pk), child_id=child.pk)
    return user, child


def _child_page(child: Child, anchor: str = "") -> str:
    return reverse("web:child", args=[child.pk]) + (f"#{anchor}" if anchor else "")


def details_changes(child: Child, data: dict[str, Any]) -> dict[str, Any]:
    """What the form changes, as `child_update` arguments: only what differs from the record,
    so an unchanged field never trips a rule (a child recorded without a case-system id)."""
    changes: dict[str, Any] = {name: data[name] for name in SIMPLE_FIELDS if data[name] != getattr(child, name)}
    if data["external_id"].strip() != child.external_id:
        changes["external_id"] = data["external_id"]
    current = child.legal_statuses.order_by(*NEWEST_FIRST).first()
    since: date | None = data["legal_status_since"]
    if data["legal_status"] != child.legal_status:
        changes.update(legal_status=data["legal_status"], legal_status_since=since)
    elif current is not None and since != current.started_on:
        changes["legal_status_since"] = since
    if data["responsible_authority"] != child.responsible_authority.code:
        changes["responsible_authority"] = data["responsible_authority"]
    placement = child_current_placement(child)
    if data["placement_authority"]:
        organisation = data["placement_organisation"]
        changes["placement"] = PlacementInput(
            authority=data["placement_authority"], provider=data["placement_provider"].strip(),
            type=data["placement_type"], address=data["placement_address"].strip(),
            postcode=data["placement_postcode"], started_on=data["placement_started_on"],
            provider_organisation_id=int(organisation) if organisation else None,
        )
    elif placement is not None:
        changes["placement"] = None
    for name, current_value in (
        ("allocated_worker", child.allocated_worker.username if child.allocated_worker else ""),
        ("team", child.team.name if child.team else ""), ("iro", child.iro.username if child.iro else ""),
    ):
        if data[name] != current_value:
            changes[name] = data[name] or None
    return changes


@page
def child_details_edit(request: HttpRequest, child_id: int) -> HttpResponse:
    user, child = child_to_change(request, child_id, Capability.CHILD_UPDATE)
    form, restored = form_for(request, ChildDetailsForm, child=child)
    if request.method == "POST" and form.is_valid():
        changes = details_changes(child, form.cleaned_data)
        try:
            if changes:
                child_update(actor=user, child=child, **changes)
        except DomainValidationError as exc:
            apply_domain_errors(form, exc, DETAILS_FIELD_MAP)
        else:
            messages.success(request, "Details saved." if changes else "Nothing was changed.")
            return redirect(_child_page(child))
    return render(request, "web/children/edit_details.html", {"form": form, "restored": restored, "child": child})


@page
def philomena_edit(request: HttpRequest, child_id: int) -> HttpResponse:
    user, child = child_to_change(request, child_id, Capability.PHILOMENA_UPDATE)
    profile = PhilomenaProfile.objects.filter(child=child).first()
    has_photo = bool(profile and profile.photo)
    form: forms.Form
    if request.method == "POST":
        form, restored = PhilomenaForm(data=request.POST, files=request.FILES, has_photo=has_photo), False
    else:
        form, restored = form_for(request, PhilomenaForm, has_photo=has_photo)
        if not form.is_bound and profile is not None:
            form.initial.update({name: getattr(profile, name) for name in (
                "description", "phone_numbers", "social_media", "known_associates", "places_frequented",
                "health_needs", "other_risks")})
            form.initial["risks"] = [name for name, _label in RISKS if getattr(profile, name)]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        risks = set(data["risks"])
        try:
            philomena_profile_update(
                actor=user, child=child, description=data["description"], phone_numbers=data["phone_numbers"],
                social_media=data["social_media"], known_associates=data["known_associates"],
                places_frequented=data["places_frequented"], health_needs=data["health_needs"],
                other_risks=data["other_risks"], risk_cse="risk_cse" in risks, risk_cce="risk_cce" in risks,
                risk_self_harm="risk_self_harm" in risks, photo=data["photo"] or UNSET,
                remove_photo=bool(data.get("remove_photo")),
            )
        except DomainValidationError as exc:
            apply_domain_errors(form, exc, {})
        else:
            messages.success(request, "Philomena profile saved.")
            return redirect(_child_page(child, "philomena"))
    return render(request, "web/children/edit_philomena.html", {
        "form": form, "restored": restored, "child": child, "profile": profile,
    })


def _adult(child: Child, adult_id: int) -> ResponsibleAdult:
    adult = child.responsible_adults.filter(pk=adult_id, archived_at__isnull=True).first()
    if adult is None:
        raise NotFound
    return adult


ADULT_FIELDS = ("name", "relationship", "has_parental_responsibility", "phone", "email", "address")


def _adult_values(data: dict[str, Any]) -> dict[str, Any]:
    return {name: data[name] for name in ADULT_FIELDS}


@page
def adult_new(request: HttpRequest, child_id: int) -> HttpResponse:
    user, child = child_to_change(request, child_id, Capability.CHILD_UPDATE)
    form, restored = form_for(request, ResponsibleAdultForm)
    if not form.is_bound:
        form.initial["has_parental_responsibility"] = True
    if request.method == "POST" and form.is_valid():
        try:
            responsible_adult_add(actor=user, child=child, **_adult_values(form.cleaned_data))
        except DomainValidationError as exc:
            apply_domain_errors(form, exc, {})
        else:
            messages.success(request, f"{form.cleaned_data['name']} added.")
            return redirect(_child_page(child, "people"))
    return render(request, "web/children/adult.html", {
        "form": form, "restored": restored, "child": child, "heading": "Add a person",
        "button": "Add the person",
    })


@page
def adult_edit(request: HttpRequest, child_id: int, adult_id: int) -> HttpResponse:
    user, child = child_to_change(request, child_id, Capability.CHILD_UPDATE)
    adult = _adult(child, adult_id)
    form, restored = form_for(request, ResponsibleAdultForm)
    if not form.is_bound:
        form.initial.update({name: getattr(adult, name) for name in ADULT_FIELDS})
    if request.method == "POST" and form.is_valid():
        try:
            responsible_adult_update(actor=user, adult=adult, **_adult_values(form.cleaned_data))
        except DomainValidationError as exc:
            apply_domain_errors(form, exc, {})
        else:
            messages.success(request, f"{form.cleaned_data['name']}'s details saved.")
            return redirect(_child_page(child, "people"))
    return render(request, "web/children/adult.html", {
        "form": form, "restored": restored, "child": child, "adult": adult,
        "heading": f"Change {adult.name}'s details", "button": "Save",
    })


@page
def adult_remove(request: HttpRequest, child_id: int, adult_id: int) -> HttpResponse:
    user, child = child_to_change(request, child_id, Capability.CHILD_UPDATE)
    adult = _adult(child, adult_id)
    form, restored = form_for(request, RemoveAdultForm)
    if request.method == "POST" and form.is_valid():
        try:
            responsible_adult_archive(actor=user, adult=adult, reason=form.cleaned_data["reason"])
        except DomainValidationError as exc:
            apply_domain_errors(form, exc, {})
        else:
            messages.success(request, f"{adult.name} removed from {child.full_name}'s record.")
            return redirect(_child_page(child, "people"))
    return render(request, "web/children/adult_remove.html", {
        "form": form, "restored": restored, "child": child, "adult": adult,
    })
