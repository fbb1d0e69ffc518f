"""What every page view shares: domain errors onto forms, 403 and 404, drafts."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any, cast

from django import forms
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.utils.http import url_has_allowed_host_and_scheme

from homeward.accounts.models import User
from homeward.accounts.permissions import ACTIONS_BY_PARTNER_ROLE, Capability, can
from homeward.common.errors import DomainValidationError, NotFound, PermissionDenied
from homeward.episodes.actions import ACTION_LABELS
from homeward.web.auth import draft_fields_of, draft_take, signed_in

View = Callable[..., HttpResponseBase]


def page(view: View) -> View:
    """A page: signed in; NotFound is the 404 page and PermissionDenied the 403 page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            raise Http404 from None
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc)) from None

    return signed_in(wrapper)


def recordable_actions(user: User) -> frozenset[str]:
    """The simple facts (obligation codes) this person may record: a partner role only its own."""
    if not can(user, Capability.EPISODE_RECORD_ACTION):
        return frozenset()
    return ACTIONS_BY_PARTNER_ROLE.get(user.role, frozenset(ACTION_LABELS))


def back_to(request: HttpRequest) -> str:
    """Where to go once saved: the page the form was sent from (the worklist), when it is ours."""
    target = request.POST.get("next", "") or request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return ""


def query_without_page(request: HttpRequest) -> str:
    """The page's query string without `page`, for the links of its pagination."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def person(request: HttpRequest) -> User:
    """The signed-in person (pages are only reached signed in)."""
    return cast(User, request.user)


def apply_domain_errors(form: forms.Form, exc: DomainValidationError, field_map: Mapping[str, str]) -> None:
    """Put each error a service named onto the form field it came from, for the error summary.

    `field_map` maps the service's field names to the form's where they differ; an error on a
    field the form does not have is shown in the summary without a link.
    """
    for error in exc.errors:
        name = field_map.get(error.field, error.field)
        if name in form.fields:
            form.add_error(name, error.message)
        else:
            form.add_error(None, error.message)


def form_for(request: HttpRequest, form_class: type[forms.Form], **kwargs: Any) -> tuple[forms.Form, bool]:
    """The form of a page: bound to a POST, filled in from a kept draft, or new.

    Answers the form and whether it was restored from a draft. A restored draft is checked as
    it is shown, so anything wrong in it is pointed out before it is sent again.
    """
    if request.method == "POST":
        return form_class(data=request.POST, **kwargs), False
    draft = draft_take(request)
    if draft is not None:
        own = form_class(**kwargs).fields
        return form_class(data=draft_fields_of(draft, own), **kwargs), True
    return form_class(**kwargs), False
