"""The email for a notification: enough to act on, as little personal data as will do.

Email is less secure than Homeward, so a message carries the child's initials, the
episode's number and link, the event and its time (Europe/London) and why the recipient is
told: never names, dates of birth, addresses, circumstances or risk details. Everything
else is behind the link, where access rules and the audit log apply (ADR 0003).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage

from homeward.children.models import Child
from homeward.common.timeutil import LONDON
from homeward.reference.models import Authority

from .models import Notification, NotificationEvent


def initials(child: Child) -> str:
    parts = [child.given_name.strip(), child.family_name.strip()]
    return ".".join(p[0].upper() for p in parts if p) + "."


def episode_url(episode_id: int) -> str:
    return f"{settings.HOMEWARD_BASE_URL.rstrip('/')}/episodes/{episode_id}"


def message_id(notification: Notification) -> str:
    """The same for every attempt, so a recipient's mail system can spot a duplicate."""
    domain = urlsplit(settings.HOMEWARD_BASE_URL).hostname or "homeward.invalid"
    return f"<homeward.notification.{notification.pk}@{domain}>"


def _headline(notification: Notification) -> str:
    if notification.event == NotificationEvent.RETURNED:
        return "has returned"
    return f"was reported {notification.episode.classification or 'missing'}"


def home_authority_name() -> str:
    home = Authority.objects.filter(code=settings.HOMEWARD_AUTHORITY).first()
    return home.name if home else f"authority {settings.HOMEWARD_AUTHORITY}"


def build_message(notification: Notification, *, home_name: str) -> EmailMessage:
    """The email; `notification` with its episode and child loaded, `home_name` the name of
    the home authority (`home_authority_name()`)."""
    episode_id = notification.episode_id
    who = initials(notification.child)
    local = notification.event_at.astimezone(LONDON)
    when = f"{local:%H:%M} on {local:%A} {local.day} {local:%B %Y}"
    url = episode_url(episode_id)
    subject = f"Homeward episode {episode_id}: child {who} {_headline(notification)}"
    body = "\n".join([
        f"Homeward episode {episode_id}: a child with the initials {who} {_headline(notification)} "
        f"at {when} (UK time).",
        "",
        f"Why you are told: {notification.reason}.",
        "",
        "Open the episode in Homeward for the details and what must happen next:",
        url,
        "",
        f"If you cannot sign in to Homeward, contact the {home_name} Missing Children Team "
        f"and quote episode {episode_id}.",
        "This email carries no more personal data by design. Please do not forward it or reply to it.",
    ])
    return EmailMessage(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[notification.address],
        headers={
            "Message-ID": message_id(notification),
            "X-Homeward-Notification": str(notification.pk),
            "X-Homeward-Episode": str(episode_id),
            "Auto-Submitted": "auto-generated",
        },
    )
