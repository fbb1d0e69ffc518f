"""Adding (or correcting) a child's case-system id, for a child recorded without one when
reported missing out of hours (the "Report a missing child" page leaves it optional)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from homeward.accounts.permissions import Capability
from homeward.casework.children import child_update
from homeward.common.errors import DomainValidationError
from homeward.web.forms.children import CaseSystemIdForm

from .base import apply_domain_errors, form_for, page
from .child_edit import child_to_change


@page
def child_case_system_id(request: HttpRequest, child_id: int) -> HttpResponse:
    user, child = child_to_change(request, child_id, Capability.CHILD_UPDATE)
    form, restored = form_for(request, CaseSystemIdForm)
    if not form.is_bound and child.external_id:
        form.initial["external_id"] = child.external_id
    if request.method == "POST" and form.is_valid():
        try:
            child_update(actor=user, child=child, external_id=form.cleaned_data["external_id"])
        except DomainValidationError as exc:
            apply_domain_errors(form, exc, {})
        else:
            messages.success(request, "Case-system id recorded.")
            return redirect("web:child", child_id=child.pk)
    return render(request, "web/children/case_system_id.html", {
        "form": form, "restored": restored, "child": child,
    })
