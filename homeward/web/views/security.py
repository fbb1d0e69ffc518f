"""Two-factor sign-in (django-otp), the lock-out page's friends, and keeping a session alive.

After the password, a person with an authenticator app enters its 6-digit code, or one of
their recovery codes; a person without one sets it up first (QR code drawn here as SVG, the
key as text too), confirms it with a code and is shown 10 recovery codes, once. Required
when HOMEWARD_REQUIRE_2FA is on (always in production): TwoFactorRequiredMiddleware sends a
signed-in but unverified person here from every page (docs/adr/0007-sign-in-security.md).
"""

from __future__ import annotations

from base64 import b32encode
from typing import Any

import segno
from django import forms
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from homeward.accounts.oidc import BACKEND_PATH, REQUEST_REFUSED_ANSWER, SIGNED_IN_WITH_PROVIDER_KEY
from homeward.audit.services import audit_record
from homeward.web.auth import person_cookie_set
from homeward.web.middleware import session_refreshed

RECOVERY_CODE_COUNT = 10
_RECOVERY_SESSION_KEY = "homeward_recovery_codes"
_APP_DEVICE_NAME = "Authenticator app"
_RECOVERY_DEVICE_NAME = "Recovery codes"


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code", max_length=20, strip=True,
        error_messages={"required": "Enter the code from your authenticator app"},
    )

    def clean_code(self) -> str:
        return "".join(str(self.cleaned_data["code"]).split()).lower()


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, request: HttpRequest) -> str:
    from urllib.parse import urlencode

    target = request.POST.get("next") or request.GET.get("next") or ""
    return reverse(name) + (f"?{urlencode({'next': target})}" if target else "")


def _is_verified(request: HttpRequest) -> bool:
    verified = getattr(request.user, "is_verified", None)
    return bool(verified and verified())


@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponseBase:
    """Enter the code from the authenticator app, or a recovery code."""
    user = request.user
    if _is_verified(request):
        return redirect(_next(request))
    if not user_has_device(user):
        return redirect(_with_next("web:two_factor_setup", request))
    form = CodeForm(request.POST or None)
    form.fields["code"].help_text = "The 6-digit code your authenticator app shows now, or one of your recovery codes."
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            audit_record(actor=user, action="sign_in", object_type="user", object_id=str(user.pk),
                         detail={"stage": "two_factor",
                                 "with": "recovery code" if isinstance(device, StaticDevice) else "app"})
            return redirect(_next(request))
        audit_record(actor=user, action="sign_in_failed", object_type="user", object_id=str(user.pk),
                     detail={"stage": "two_factor"})
        form.add_error("code", "The code is not right, or has already been used. Wait for a new code and try again.")
    return render(request, "web/auth/two_factor_verify.html", {"form": form, "next": request.GET.get("next", "")})


def _qr_svg(uri: str) -> str:
    return segno.make(uri, error="m").svg_inline(scale=5, title="QR code to set up your authenticator app")


@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponseBase:
    """Set up an authenticator app: scan or type the key, then confirm with a code."""
    user = request.user
    if user_has_device(user):
        return redirect(_with_next("web:two_factor_verify", request))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_APP_DEVICE_NAME, confirmed=False)
    form = CodeForm(request.POST or None)
    form.fields["code"].help_text = "The 6-digit code your authenticator app shows for Homeward."
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            codes = _enrol(user, device)
            otp_login(request, device)
            request.session[_RECOVERY_SESSION_KEY] = codes
            return redirect(_with_next("web:two_factor_recovery_codes", request))
        audit_record(actor=user, action="sign_in_failed", object_type="user", object_id=str(user.pk),
                     detail={"stage": "two_factor_setup"})
        form.add_error("code", "The code is not right. Check the app shows Homeward, wait for a new code "
                               "and try again.")
    key = b32encode(device.bin_key).decode()
    return render(request, "web/auth/two_factor_setup.html", {
        "form": form, "next": request.GET.get("next", ""), "qr_svg": _qr_svg(device.config_url),
        "key_groups": [key[i:i + 4] for i in range(0, len(key), 4)], "otpauth_uri": device.config_url,
    })


def _enrol(user: Any, device: TOTPDevice) -> list[str]:
    """Confirm the app and issue fresh recovery codes (any older ones stop working)."""
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        StaticDevice.objects.filter(user=user).delete()
        recovery = StaticDevice.objects.create(user=user, name=_RECOVERY_DEVICE_NAME, confirmed=True)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=recovery, token=code) for code in codes)
        audit_record(actor=user, action="update", object_type="user", object_id=str(user.pk),
                     detail={"two_factor": "enrolled", "recovery_codes": RECOVERY_CODE_COUNT})
    return codes


@login_required
def two_factor_recovery_codes(request: HttpRequest) -> HttpResponseBase:
    """The recovery codes, shown once, straight after setting up the app."""
    codes = request.session.pop(_RECOVERY_SESSION_KEY, None)
    if not codes:
        return redirect(_next(request))
    return render(request, "web/auth/two_factor_recovery_codes.html",
                  {"codes": codes, "continue_to": _next(request)})


@require_POST
def session_keep_alive(request: HttpRequest) -> HttpResponse:
    """'Stay signed in': a POST (with the CSRF token) that saves the session, resetting its age."""
    wants_json = "application/json" in request.headers.get("Accept", "")
    if not request.user.is_authenticated:
        if wants_json:
            return JsonResponse({"signed_in": False}, status=401)
        return redirect(settings.LOGIN_URL)
    session_refreshed(request)
    if wants_json:
        return JsonResponse({"signed_in": True, "expires_in": settings.SESSION_COOKIE_AGE})
    return redirect(_next(request))


def _oidc_enabled() -> bool:
    return bool(getattr(settings, "HOMEWARD_OIDC_ENABLED", False))


def oidc_start(request: HttpRequest) -> HttpResponseBase:
    """'Sign in with your council account': off to the identity provider (when configured)."""
    if not _oidc_enabled():
        raise Http404
    response: HttpResponseBase = OIDCAuthenticationRequestView.as_view()(request)
    return response


def oidc_callback(request: HttpRequest) -> HttpResponseBase:
    """Back from the identity provider: signed in if the account matched a person."""
    if not _oidc_enabled():
        raise Http404
    response: HttpResponseBase = OIDCAuthenticationCallbackView.as_view()(request)
    if getattr(request, REQUEST_REFUSED_ANSWER, ""):
        return redirect(f"{reverse('web:sign_in')}?council_account=refused")
    user = request.user
    if user.is_authenticated and request.session.get(BACKEND_SESSION_KEY) == BACKEND_PATH:
        if settings.HOMEWARD_OIDC_PROVIDER_2FA:
            request.session[SIGNED_IN_WITH_PROVIDER_KEY] = True
        if isinstance(response, HttpResponse):
            person_cookie_set(response, user)
    return response
