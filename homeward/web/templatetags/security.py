"""Template tags of the sign-in security pages."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def session_seconds() -> int:
    """How long a session lasts without a request (SESSION_COOKIE_AGE)."""
    return int(settings.SESSION_COOKIE_AGE)


@register.simple_tag
def council_sign_in_enabled() -> bool:
    """Whether single sign-on with the council's identity provider is configured."""
    return bool(getattr(settings, "HOMEWARD_OIDC_ENABLED", False))


@register.simple_tag
def has_capability(user: object, capability: str) -> bool:
    """Whether the signed-in person has a capability (homeward.accounts.permissions)."""
    from homeward.accounts.permissions import can

    return bool(getattr(user, "is_authenticated", False)) and can(user, capability)  # type: ignore[arg-type]
