"""Every sign-in, failed sign-in and sign-out goes into the audit log: who, when, from where.

Connected in AccountsConfig.ready. A failure records the username that was tried (never the
password); the address and browser come from the request that carried the attempt.
"""

from __future__ import annotations

from contextlib import nullcontext
from types import SimpleNamespace
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from homeward.audit.context import origin, origin_from_request
from homeward.audit.services import audit_record

from .oidc import REQUEST_ATTEMPTED_EMAIL, REQUEST_REFUSED_ANSWER


def _from_request(request: Any) -> Any:
    if request is None or not getattr(request, "META", None):
        return nullcontext()
    channel = "api" if str(getattr(request, "path", "")).startswith("/api/") else "web"
    return origin(origin_from_request(request, channel))


def audit_sign_in(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    with _from_request(request):
        audit_record(actor=user, action="sign_in", object_type="user", object_id=str(user.pk),
                     detail={"backend": getattr(user, "backend", "")})


def audit_sign_in_failed(sender: Any, credentials: dict[str, Any] | None = None, request: Any = None,
                         **kwargs: Any) -> None:
    attempted = str((credentials or {}).get("username", ""))[:150]
    detail: dict[str, Any] = {"attempted_username": attempted}
    provider_email = getattr(request, REQUEST_ATTEMPTED_EMAIL, "") if request is not None else ""
    if provider_email:
        detail = {"council_account_email": provider_email}
        attempted = provider_email[:150]
    refused = getattr(request, REQUEST_REFUSED_ANSWER, "") if request is not None else ""
    if refused:
        detail = {"council_answer_refused": refused}
    if request is not None and getattr(request, "axes_locked_out", False):
        detail["locked_out"] = True
    with _from_request(request):
        audit_record(actor=SimpleNamespace(pk=None, username=attempted), action="sign_in_failed",
                     object_type="user", detail=detail)


def audit_sign_out(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    if user is None:
        return
    with _from_request(request):
        audit_record(actor=user, action="sign_out", object_type="user", object_id=str(user.pk))


def connect() -> None:
    user_logged_in.connect(audit_sign_in, dispatch_uid="homeward.audit_sign_in")
    user_login_failed.connect(audit_sign_in_failed, dispatch_uid="homeward.audit_sign_in_failed")
    user_logged_out.connect(audit_sign_out, dispatch_uid="homeward.audit_sign_out")
