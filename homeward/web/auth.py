"""Signing in to the pages, and keeping what was typed when the session ended mid-form.

Every page but sign-in is wrapped in `signed_in`. A form sent after the session has ended is
stashed in the new, anonymous session under a one-time token; after signing in, the person
is sent back to the form with `?draft=<token>` and finds it filled in as they left it
(docs/adr/0004-pages-govuk-frontend.md). A draft is only ever given back to the person who
typed it: the signed `homeward_person` cookie, set at sign-in, says who that was.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase

DRAFTS_KEY = "homeward_drafts"
DRAFT_PARAMETER = "draft"
DRAFT_LIFETIME_SECONDS = 60 * 60
PERSON_COOKIE = "homeward_person"
PERSON_COOKIE_SALT = "homeward.web.person"
PERSON_COOKIE_MAX_AGE = 60 * 60 * 24
# Never kept in a draft.
_NOT_KEPT = {"csrfmiddlewaretoken", "password"}

View = Callable[..., HttpResponseBase]


def person_cookie_set(response: HttpResponse, user: Any) -> None:
    """Remember, in a signed HTTP-only cookie, who signed in on this browser."""
    response.set_signed_cookie(
        PERSON_COOKIE, str(user.pk), salt=PERSON_COOKIE_SALT, max_age=PERSON_COOKIE_MAX_AGE,
        httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE,
    )


def _person_from_cookie(request: HttpRequest) -> str:
    try:
        return str(request.get_signed_cookie(PERSON_COOKIE, default="", salt=PERSON_COOKIE_SALT,
                                             max_age=PERSON_COOKIE_MAX_AGE))
    except signing.BadSignature:
        return ""


def draft_stash(request: HttpRequest) -> str:
    """Keep the fields of an unauthenticated POST; answer the one-time token that finds them."""
    data = {key: request.POST.getlist(key) for key in request.POST if key not in _NOT_KEPT}
    token = secrets.token_urlsafe(16)
    now = time.time()
    drafts = {
        key: value for key, value in request.session.get(DRAFTS_KEY, {}).items()
        if now - value.get("at", 0) < DRAFT_LIFETIME_SECONDS
    }
    drafts[token] = {"path": request.path, "data": data, "person": _person_from_cookie(request), "at": now}
    request.session[DRAFTS_KEY] = drafts
    return token


def draft_take(request: HttpRequest) -> QueryDict | None:
    """The draft named in `?draft=`, once, for the person who typed it; else None."""
    token = request.GET.get(DRAFT_PARAMETER, "")
    drafts = request.session.get(DRAFTS_KEY, {})
    if not token or token not in drafts:
        return None
    draft = drafts.pop(token)
    request.session[DRAFTS_KEY] = drafts
    fresh = time.time() - draft.get("at", 0) < DRAFT_LIFETIME_SECONDS
    owner = draft.get("person") and draft["person"] == str(request.user.pk)
    if not (fresh and owner and draft.get("path") == request.path):
        return None
    data = QueryDict(mutable=True)
    for key, values in draft["data"].items():
        data.setlist(key, values)
    return data


def signed_in(view: View) -> View:
    """Pages need a signed-in, active person; a form sent after the session ended is kept."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if user.is_authenticated and user.is_active:
            return view(request, *args, **kwargs)
        if request.method == "POST" and request.POST:
            token = draft_stash(request)
            return redirect_to_login(f"{request.path}?{urlencode({DRAFT_PARAMETER: token})}")
        return redirect_to_login(request.get_full_path())

    return wrapper
