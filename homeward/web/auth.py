"""Signing in to the pages, and keeping what was typed when the session ended mid-form.

Every page but sign-in is wrapped in `signed_in`. A form sent after the session has ended is
stashed in the new, anonymous session under a one-time token; after signing in, the person
is sent back to the form with `?draft=<token>` and finds it filled in as they left it
(docs/adr/0004-pages-govuk-frontend.md). A draft is only ever given back to the person who
typed it: the signed `homeward_person` cookie, set at sign-in, says who that was.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable, Iterable
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
# A draft is bounded (issue 14, item 8: ten posts of 2 MB once added 19.6 MB to the session
# table): only names a form could use, at most MAX_DRAFT_FIELDS of them with MAX_DRAFT_VALUES
# values each, a value of at most MAX_DRAFT_VALUE_CHARS (a longer one is dropped, so the form
# asks for it again rather than keeping part of it), at most MAX_DRAFT_CHARS in all (else
# nothing is kept), and MAX_DRAFTS in a session. When given back, only the form's own fields
# are used (`draft_fields_of`).
MAX_DRAFT_FIELDS = 60
MAX_DRAFT_VALUES = 20
MAX_DRAFT_VALUE_CHARS = 10_000
MAX_DRAFT_CHARS = 40_000
MAX_DRAFTS = 3
_FIELD_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,79}$")

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
    data = draft_bounded(request.POST)
    if data is None:
        return ""
    token = secrets.token_urlsafe(16)
    now = time.time()
    kept = sorted(
        ((key, value) for key, value in request.session.get(DRAFTS_KEY, {}).items()
         if now - value.get("at", 0) < DRAFT_LIFETIME_SECONDS),
        key=lambda item: item[1].get("at", 0),
    )
    drafts = dict(kept[-(MAX_DRAFTS - 1):]) if MAX_DRAFTS > 1 else {}
    drafts[token] = {"path": request.path[:500], "data": data, "person": _person_from_cookie(request), "at": now}
    request.session[DRAFTS_KEY] = drafts
    return token


def draft_bounded(post: QueryDict) -> dict[str, list[str]] | None:
    """The fields of a POST worth keeping, within the bounds above; None when too much."""
    data: dict[str, list[str]] = {}
    total = 0
    for key in post:
        if key in _NOT_KEPT or not _FIELD_NAME.match(key):
            continue
        if len(data) >= MAX_DRAFT_FIELDS:
            return None
        values = [v for v in post.getlist(key)[:MAX_DRAFT_VALUES] if len(v) <= MAX_DRAFT_VALUE_CHARS]
        total += len(key) + sum(len(v) for v in values)
        if total > MAX_DRAFT_CHARS:
            return None
        data[key] = values
    return data


def draft_fields_of(data: QueryDict, names: Iterable[str]) -> QueryDict:
    """Only the draft's values for the form's own fields (a GOV.UK date's `<name>_day` and the
    like included)."""
    own = tuple(names)
    kept = QueryDict(mutable=True)
    for key in data:
        if any(key == name or key.startswith(f"{name}_") for name in own):
            kept.setlist(key, data.getlist(key))
    return kept


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
            if token:
                return redirect_to_login(f"{request.path}?{urlencode({DRAFT_PARAMETER: token})}")
            return redirect_to_login(request.path)
        return redirect_to_login(request.get_full_path())

    return wrapper
