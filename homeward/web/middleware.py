"""Security middleware of the pages (docs/adr/0007-sign-in-security.md)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from http import HTTPStatus

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
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


API_PREFIX = "/api/"
PROBLEM = "application/problem+json"
_KEPT_ON_PROBLEM = ("WWW-Authenticate", "Allow", "Retry-After")


def problem_response(status: int, title: str, detail: str = "", errors: list[dict[str, str]] | None = None,
                     ) -> HttpResponse:
    """An RFC 9457 problem, as homeward.api.errors writes them inside DRF."""
    body: dict[str, object] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors is not None:
        body["errors"] = errors
    return HttpResponse(json.dumps(body), status=status, content_type=PROBLEM)


class ApiErrorsAndCachingMiddleware:
    """Issue 14, items 10 and 11.

    - Every API error is application/problem+json: an error answered outside DRF's exception
      handler (a 500 from an uncaught exception, already logged by Django; a 404 for an
      address no view has; a 400 from Django itself) would otherwise be an HTML page.
    - `Cache-Control: no-store` on everything but static files: child pages, PDFs, photos,
      exports and every API answer hold personal data no browser or proxy should keep.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(API_PREFIX) and response.status_code >= 400 and not _is_json(response):
            problem = problem_response(response.status_code, _title(response.status_code))
            for header in _KEPT_ON_PROBLEM:
                if header in response:
                    problem[header] = response[header]
            response = problem
        if not request.path.startswith(settings.STATIC_URL) and "no-store" not in response.get("Cache-Control", ""):
            response["Cache-Control"] = "no-store"
        return response


def _is_json(response: HttpResponse) -> bool:
    return "json" in response.get("Content-Type", "")


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class QueryStringGuardMiddleware:
    """A NUL in a query string's names or values is refused with a 400 naming the parameter
    (PostgreSQL cannot hold one: every audited list answered 500). The API answers problem+json,
    the pages a GOV.UK error page (issue 14, item 10)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        bad = _nul_parameter(request)
        if bad is None:
            return self.get_response(request)
        message = "Remove the NUL character (%00): it cannot be searched for or stored."
        if request.path.startswith(API_PREFIX):
            return problem_response(400, "Invalid input", "Nothing was read or stored.",
                                    [{"field": bad, "message": message}])
        return render(request, "400.html", {"field": bad, "message": message}, status=400)


def _nul_parameter(request: HttpRequest) -> str | None:
    if "\x00" not in request.META.get("QUERY_STRING", "") and "%00" not in request.META.get("QUERY_STRING", ""):
        return None
    for key, values in request.GET.lists():
        if "\x00" in key:
            return key.replace("\x00", "") or "query"
        if any("\x00" in value for value in values):
            return key
    return None


SESSION_REFRESHED_KEY = "homeward_session_refreshed"
SESSION_REFRESH_SECONDS = 60


class SessionIdleRefreshMiddleware:
    """Keeps a session alive while it is used (it ends SESSION_COOKIE_AGE after the last
    request), writing it at most once a minute: saving it on every request was an UPDATE and a
    commit on every page and API read. The session records when it was last written, so that
    the page's sign-out warning counts from then (`session_seconds_left`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if (session is not None and not session.is_empty()
                and int(time.time()) - int(session.get(SESSION_REFRESHED_KEY, 0)) >= SESSION_REFRESH_SECONDS):
            session_refreshed(request)
        return response


def session_refreshed(request: HttpRequest) -> None:
    """Marks the session to be saved (SessionMiddleware does it on the way out, with a new
    expiry), noting when."""
    request.session[SESSION_REFRESHED_KEY] = int(time.time())


def session_seconds_left(request: HttpRequest) -> int:
    """How long the session lasts from now without another request."""
    age = int(settings.SESSION_COOKIE_AGE)
    session = getattr(request, "session", None)
    refreshed = int(session.get(SESSION_REFRESHED_KEY, 0)) if session is not None else 0
    if not refreshed:
        return age
    return max(0, min(age, age - (int(time.time()) - refreshed)))
