"""The audit log for auditors and administrators, and "who has looked at this record"."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from homeward.accounts.permissions import Capability, can
from homeward.audit.models import AuditEntry
from homeward.audit.selectors import audit_list_for_user, child_access_log_for_user
from homeward.children.models import Child
from homeward.children.selectors import child_get_for_user
from homeward.common.errors import PermissionDenied
from homeward.common.timeutil import LONDON
from homeward.web.forms.fields import GovukDateField

from .base import page, person, query_without_page

PAGE_SIZE = 50


class AuditFilterForm(forms.Form):
    child = forms.CharField(
        label="Child", required=False, max_length=64,
        help_text="The child's Homeward number (in the address of their page) or case-system id",
    )
    person = forms.CharField(label="Person", required=False, max_length=150, help_text="Their username")
    since = GovukDateField(label="From", required=False, help_text="For example, 1 11 2026")
    until = GovukDateField(label="To", required=False, help_text="Including this day")
    action = forms.ChoiceField(label="What they did", required=False,
                               choices=[("", "Anything"), *AuditEntry.Action.choices])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "To must be the same as or after From")
        text = str(data.get("child") or "").strip()
        data["child_id"] = None
        if text:
            found = Child.objects.filter(external_id__iexact=text).values_list("pk", flat=True).first()
            if found is None and text.isdigit():
                found = int(text)
            if found is None:
                self.add_error("child", "No child has that number or case-system id")
            data["child_id"] = found
        return data


def _start_of(day: Any) -> datetime | None:
    return datetime.combine(day, time.min, tzinfo=LONDON) if day else None


def _entries_page(request: HttpRequest, entries: Any) -> Any:
    return Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))



@page
def audit_log(request: HttpRequest) -> HttpResponse:
    """Filter the audit log by child, person, dates and action (auditors and administrators)."""
    user = person(request)
    if not can(user, Capability.AUDIT_READ):
        raise PermissionDenied("Only auditors and system administrators read the audit log.")
    form = AuditFilterForm(data=request.GET or None)
    entries_page = None
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        until = data.get("until")
        entries = audit_list_for_user(
            user, child_id=data.get("child_id"), username=(data.get("person") or "").strip() or None,
            since=_start_of(data.get("since")), until=_start_of(until + timedelta(days=1)) if until else None,
            action=data.get("action") or None,
        )
        entries_page = _entries_page(request, entries)
    return render(request, "web/audit/log.html", {
        "form": form, "entries": entries_page, "query": query_without_page(request),
    })


@page
def child_access_log(request: HttpRequest, child_id: int) -> HttpResponse:
    """Who has looked at or changed this child's records."""
    user = person(request)
    entries = child_access_log_for_user(user, child_id)
    child = child_get_for_user(user, child_id, audit=False)
    return render(request, "web/audit/child_access_log.html", {
        "child": child, "entries": _entries_page(request, entries), "query": query_without_page(request),
    })
