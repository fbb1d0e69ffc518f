"""Reading sign-in security state for the system administrator (docs/adr/0007)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from axes.models import AccessAttempt
from django.conf import settings
from django.utils import timezone
from django_otp import devices_for_user

from homeward.common.errors import PermissionDenied

from .models import User
from .roles import Role


def require_admin(actor: User) -> None:
    """Sign-in security is the system administrator's (DOMAIN.md section 1: 'system administrator')."""
    if not (actor and actor.is_active and actor.role == Role.ADMIN):
        raise PermissionDenied("Only the system administrator manages sign-in security.")


@dataclass(frozen=True)
class Lockout:
    id: int
    username: str
    ip_address: str
    failures: int
    last_failure_at: datetime
    until: datetime


def sign_in_lockout_list(*, actor: User) -> list[Lockout]:
    """The username and address pairs django-axes refuses now, most recent first."""
    require_admin(actor)
    cool_off = settings.AXES_COOLOFF_TIME
    since = timezone.now() - cool_off
    attempts = (AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
                                             attempt_time__gt=since).order_by("-attempt_time", "-id"))
    return [Lockout(id=a.pk, username=a.username or "", ip_address=a.ip_address or "",
                    failures=a.failures_since_start, last_failure_at=a.attempt_time,
                    until=a.attempt_time + cool_off) for a in attempts]


def two_factor_device_count(user: User) -> int:
    """How many two-factor devices (an authenticator app, recovery codes, an app being set up)
    a person has."""
    return sum(1 for _ in devices_for_user(user, confirmed=None))
