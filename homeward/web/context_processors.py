"""What every page's layout needs: the service navigation and who is signed in."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from homeward.reference.selectors import authority_get

# (url name, text, url names that count as being in that section)
_NAVIGATION = [
    ("web:home", "Home", {"home"}),
    ("web:board", "Missing now", {"board"}),
    ("web:report", "Report a missing child", {"report", "report_new_child", "report_episode"}),
    ("web:search", "Search", {"search"}),
]


def layout(request: HttpRequest) -> dict[str, Any]:
    home = authority_get(settings.HOMEWARD_AUTHORITY)
    context: dict[str, Any] = {"home_authority_name": home.name if home else ""}
    match = getattr(request, "resolver_match", None)
    current = match.url_name if match and match.namespace == "web" else ""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {**context, "navigation": []}
    return {
        **context,
        "navigation": [
            {"href": reverse(name), "text": text, "current": current == name.split(":")[1],
             "active": current in section}
            for name, text, section in _NAVIGATION
        ],
    }
