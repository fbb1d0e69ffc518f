"""The system administrator's sign-in security pages (docs/adr/0007-sign-in-security.md):
current lock-outs with a way to lift one early, and resetting a person's two-factor app.
Each change states a reason and is audited."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from homeward.accounts.models import User
from homeward.accounts.selectors import require_admin, sign_in_lockout_list, two_factor_device_count
from homeward.accounts.services import sign_in_lockout_lift, two_factor_reset
from homeward.common.errors import DomainValidationError
from homeward.web.forms.security_admin import LockoutLiftForm, TwoFactorResetForm

from .base import apply_domain_errors, page, person


@page
def security_index(request: HttpRequest) -> HttpResponse:
    user = person(request)
    return render(request, "web/security/index.html", {"lockouts": sign_in_lockout_list(actor=user)})


@page
def two_factor_reset_page(request: HttpRequest) -> HttpResponse:
    user = person(request)
    require_admin(user)
    form = TwoFactorResetForm(data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        target = User.objects.filter(username=form.cleaned_data["username"].strip()).first()
        if target is None:
            form.add_error("username", "No person has this username")
        elif two_factor_device_count(target) == 0:
            form.add_error("username", f"{target.display_name} has no two-factor app set up: nothing to reset")
        else:
            try:
                two_factor_reset(actor=user, user=target, reason=form.cleaned_data["reason"])
            except DomainValidationError as exc:
                apply_domain_errors(form, exc, {})
            else:
                messages.success(request, f"Two-factor app reset for {target.display_name} ({target.username}). "
                                          "They set up a new app the next time they sign in.")
                return redirect("web:security_admin")
    return render(request, "web/security/two_factor_reset.html", {"form": form})


@page
def lockout_lift_page(request: HttpRequest, attempt_id: int) -> HttpResponse:
    user = person(request)
    lockout = next((lock for lock in sign_in_lockout_list(actor=user) if lock.id == attempt_id), None)
    if lockout is None:
        raise Http404
    form = LockoutLiftForm(data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            sign_in_lockout_lift(actor=user, username=lockout.username, ip_address=lockout.ip_address,
                                 reason=form.cleaned_data["reason"])
        except DomainValidationError as exc:
            apply_domain_errors(form, exc, {})
        else:
            messages.success(request, f"Lock-out lifted for {lockout.username} from {lockout.ip_address}.")
            return redirect("web:security_admin")
    return render(request, "web/security/lockout_lift.html", {"form": form, "lockout": lockout})
