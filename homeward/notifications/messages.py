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


_HEADLINES: dict[str, str] = {
    NotificationEvent.GRADED_HIGH: "was graded high risk",
    NotificationEvent.MISSING_72_HOURS: "has been missing for 72 hours",
    NotificationEvent.RECLASSIFIED_MISSING: "was reclassified from absent to missing",
    NotificationEvent.CONCERN_SHARED: "is the subject of a safeguarding concern shared with you",
    NotificationEvent.INTERVIEW_SHARED: "had a return interview, authorised and ready for you",
    NotificationEvent.EXPLOITATION: "has exploitation indicators recorded",
}


def _headline(notification: Notification) -> str:
    if notification.event == NotificationEvent.RETURNED:
        return "has returned"
    if notification.event in _HEADLINES:
        return _HEADLINES[notification.event]
    return f"was reported {notification.episode.classification or 'missing'}"


def home_authority_name() -> str:
    home = Authority.objects.filter(code=settings.HOMEWARD_AUTHORITY).first()
    return home.name if home else f"authority {settings.HOMEWARD_AUTHORITY}"


def _when(notification: Notification) -> str:
    local = notification.event_at.astimezone(LONDON)
    return f"{local:%H:%M} on {local:%A} {local.day} {local:%B %Y}"


def _headers(notification: Notification) -> dict[str, str]:
    headers = {
        "Message-ID": message_id(notification),
        "X-Homeward-Notification": str(notification.pk),
        "X-Homeward-Episode": str(notification.episode_id),
        "Auto-Submitted": "auto-generated",
    }
    if notification.urgent:
        headers.update({"Importance": "high", "Priority": "urgent", "X-Priority": "1"})
    return headers


def _to_parent(notification: Notification, *, home_name: str) -> EmailMessage:
    """To a person with parental responsibility: no link (they cannot sign in to Homeward),
    the initials, when, and whom to tell of anything they hear."""
    episode_id = notification.episode_id
    what = notification.episode.classification or "missing"
    body = "\n".join([
        f"{home_name} is writing to you because you have parental responsibility for a child it looks after, "
        f"with the initials {initials(notification.child)}, who was reported {what} at {_when(notification)} "
        "(UK time).",
        "",
        "The child's social worker will contact you about it.",
        "If you hear from the child or know where they may be, tell the police (call 101, or 999 in an "
        f"emergency) and the {home_name} Missing Children Team, quoting reference {episode_id}.",
        "",
        "This email carries as little personal data as it can. Please do not reply to it.",
    ])
    return EmailMessage(
        subject=f"{home_name}: a child you have parental responsibility for was reported {what}", body=body,
        from_email=settings.DEFAULT_FROM_EMAIL, to=[notification.address], headers=_headers(notification),
    )


def build_message(notification: Notification, *, home_name: str, attachment: tuple[str, bytes] | None = None
                  ) -> EmailMessage:
    """The email; `notification` with its episode and child loaded, `home_name` the name of
    the home authority (`home_authority_name()`). `attachment`: (file name, PDF) of the
    authorised interview, for a secure contact point (`notification.attachment_version`)."""
    if notification.event == NotificationEvent.PARENTAL_RESPONSIBILITY:
        return _to_parent(notification, home_name=home_name)
    episode_id = notification.episode_id
    who = initials(notification.child)
    url = episode_url(episode_id)
    urgent = "URGENT: " if notification.urgent else ""
    subject = f"{urgent}Homeward episode {episode_id}: child {who} {_headline(notification)}"
    if notification.event == NotificationEvent.INTERVIEW_SHARED and attachment is not None:
        where = ["The authorised return interview is attached as a PDF, for this secure mailbox only.",
                 "It is also in Homeward:", url]
    elif notification.event == NotificationEvent.INTERVIEW_SHARED:
        where = ["Read the authorised return interview in Homeward:", url]
    elif notification.event == NotificationEvent.CONCERN_SHARED:
        where = ["Read the concern in Homeward and act on it today:", url]
    else:
        where = ["Open the episode in Homeward for the details and what must happen next:", url]
    body = "\n".join([
        f"Homeward episode {episode_id}: a child with the initials {who} {_headline(notification)} "
        f"at {_when(notification)} (UK time).",
        "",
        f"Why you are told: {notification.reason}.",
        "",
        *where,
        "",
        f"If you cannot sign in to Homeward, contact the {home_name} Missing Children Team "
        f"and quote episode {episode_id}.",
        "This email carries no more personal data by design. Please do not forward it or reply to it.",
    ])
    message = EmailMessage(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[notification.address],
        headers=_headers(notification),
    )
    if attachment is not None:
        name, content = attachment
        message.attach(name, content, "application/pdf")
    return message
