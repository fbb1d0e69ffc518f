"""What every page's layout needs: the service navigation and who is signed in."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse

from homeward.accounts.permissions import Capability, can
from homeward.reference.selectors import authority_get

# (url name, text, url names that count as being in that section)
_NAVIGATION = [
    ("web:home", "Home", {"home"}),
    ("web:board", "Missing now", {"board"}),
    ("web:search", "Search", {"search"}),
]
# Only for those who may report a child missing (EPISODE_REPORT): not an IRO, an RHI
# practitioner or the auditor.
_REPORT = ("web:report", "Report a missing child", {"report", "report_new_child", "report_episode"})
# Only for those who may read reports (REPORT_READ).
_REPORTS = ("web:reports", "Reports", {
    "reports", "reports_weekly", "reports_performance", "reports_patterns", "reports_statutory",
    "reports_import", "reports_import_job", "reports_consultations", "charges", "charge_withdraw",
})

# Only for the MCT and the co-ordinator (INTAKE): police notifications by email and their queue.
_INTAKE = ("web:intake_queue", "Police notifications", {
    "intake_queue", "intake_upload", "intake_message", "intake_original", "intake_match", "intake_new_child",
    "intake_archive",
})

# The same roles: messages from other authorities' Homeward held for matching (issue 13).
_EXCHANGE = ("web:exchange_held", "Authority messages", {"exchange_held", "exchange_message", "exchange_match"})

# Only for auditors and administrators (AUDIT_READ).
_AUDIT = ("web:audit_log", "Audit log", {"audit_log"})

# The return interviews: the practitioner's own, and the co-ordinator's pipeline.
_MY_INTERVIEWS = ("web:my_interviews", "My interviews", {"my_interviews"})
_RHI_PIPELINE = ("web:rhi_pipeline", "Return interviews", {"rhi_pipeline"})


def _interview_navigation(user: Any) -> list[tuple[str, str, set[str]]]:
    if user.role == "rhi_practitioner":
        return [_MY_INTERVIEWS]
    if user.role in ("coordinator", "mct_admin"):
        return [_RHI_PIPELINE]
    return []


# The home authority's name in every page's footer, kept a minute by each process (Django's
# cache) rather than read on every request (issue 11); forgotten when an authority is saved or
# deleted here (`home_authority_forget`, connected in WebConfig.ready), so another process shows
# a renamed authority within the minute.
HOME_AUTHORITY_NAME_SECONDS = 60


def _home_authority_key() -> str:
    return f"web:home_authority_name:{settings.HOMEWARD_AUTHORITY}"


def home_authority_name() -> str:
    """The name of this installation's authority (HOMEWARD_AUTHORITY), '' when it is unknown."""
    key = _home_authority_key()
    name = cache.get(key)
    if name is None:
        home = authority_get(settings.HOMEWARD_AUTHORITY)
        name = home.name if home else ""
        cache.set(key, name, HOME_AUTHORITY_NAME_SECONDS)
    return str(name)


def home_authority_forget(**kwargs: Any) -> None:
    """Forget the kept name now, and again once the change is committed (a page drawn meanwhile
    may have kept the name from before it)."""
    key = _home_authority_key()
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def layout(request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {"home_authority_name": home_authority_name()}
    match = getattr(request, "resolver_match", None)
    current = match.url_name if match and match.namespace == "web" else ""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {**context, "navigation": []}
    # The board and search name children: not for those who may read none (the auditor).
    reads_children = can(user, Capability.CHILD_READ)
    home_item, board, search = _NAVIGATION
    return {
        **context,
        "navigation": [
            {"href": reverse(name), "text": text, "current": current == name.split(":")[1],
             "active": current in section}
            for name, text, section in [home_item, *([board] if reads_children else []),
                                         *([_REPORT] if can(user, Capability.EPISODE_REPORT) else []),
                                         *([search] if reads_children else []), *_interview_navigation(user),
                                         *([_INTAKE, _EXCHANGE] if can(user, Capability.INTAKE) else []),
                                         *([_REPORTS] if can(user, Capability.REPORT_READ) else []),
                                         *([_AUDIT] if can(user, Capability.AUDIT_READ) else [])]
        ],
    }
