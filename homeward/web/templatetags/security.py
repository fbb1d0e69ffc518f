"""Template tags of the sign-in security pages."""

from django import template
from django.conf import settings
from django.template import Context

from homeward.web.middleware import session_seconds_left

register = template.Library()


@register.simple_tag(takes_context=True)
def session_seconds(context: Context) -> int:
    """How long the session lasts from now without another request (it is written again at
    most once a minute, so up to a minute less than SESSION_COOKIE_AGE)."""
    request = context.get("request")
    return session_seconds_left(request) if request is not None else int(settings.SESSION_COOKIE_AGE)


@register.simple_tag
def council_sign_in_enabled() -> bool:
    """Whether single sign-on with the council's identity provider is configured."""
    return bool(getattr(settings, "HOMEWARD_OIDC_ENABLED", False))


@register.simple_tag
def has_capability(user: object, capability: str) -> bool:
    """Whether the signed-in person has a capability (homeward.accounts.permissions)."""
    from homeward.accounts.permissions import can

    return bool(getattr(user, "is_authenticated", False)) and can(user, capability)  # type: ignore[arg-type]
