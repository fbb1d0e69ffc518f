"""Security middleware of the pages (docs/adr/0007-sign-in-security.md)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from homeward.accounts.oidc import SIGNED_IN_WITH_PROVIDER_KEY

# Homeward uses none of these browser features: no page, nor anything it embeds, may.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()" for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media", "fullscreen",
        "geolocation", "gyroscope", "magnetometer", "microphone", "midi", "payment",
        "picture-in-picture", "publickey-credentials-get", "screen-wake-lock", "usb",
        "xr-spatial-tracking",
    )
)


class SecurityHeadersMiddleware:
    """Headers Django's SecurityMiddleware does not set, on every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response


# Reached signed in but before the second step: signing in and out, the second step itself.
_BEFORE_SECOND_STEP = (
    "web:sign_in", "web:sign_out", "web:two_factor_verify", "web:two_factor_setup",
    "web:two_factor_recovery_codes", "web:session_keep_alive", "web:oidc_start", "web:oidc_callback",
)


class TwoFactorRequiredMiddleware:
    """With HOMEWARD_REQUIRE_2FA, a person signed in with a password alone reaches only the
    second step: every page sends them there (and back afterwards). The API answers as if
    nobody were signed in on the session; its Bearer tokens are not affected. After
    django_otp.middleware.OTPMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.HOMEWARD_REQUIRE_2FA and _needs_second_step(request):
            path = request.path
            if path.startswith("/api/"):
                request.user = AnonymousUser()
            elif not path.startswith((settings.STATIC_URL, "/healthz")) and path not in _allowed_paths():
                return redirect_to_login(request.get_full_path(), reverse("web:two_factor_verify"))
        return self.get_response(request)


def _needs_second_step(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    if request.session.get(SIGNED_IN_WITH_PROVIDER_KEY):
        # Single sign-on: the council's identity provider asked for the second factor.
        return False
    verified = getattr(user, "is_verified", None)
    return not (verified and verified())


def _allowed_paths() -> set[str]:
    return {reverse(name) for name in _BEFORE_SECOND_STEP}
