"""The weekly report email: counts and, for each list, the child's initials and a link to
the episode; no names, dates of birth, places or circumstances (email is less safe than
Homeward; everything else is behind the link, where access rules and the audit apply)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from homeward.accounts.models import User
from homeward.children.selectors import child_list_for_user
from homeward.common.timeutil import LONDON
from homeward.reporting.history import initials
from homeward.reporting.weekly import WeeklyItem, WeeklyReport, weekly_report

SECTION_TITLES = (
    ("missing_now", "Missing now"),
    ("over_72_hours", "Missing 72 hours or more"),
    ("high_risk", "Graded high risk"),
    ("returned_last_7_days", "Returned in the last 7 days"),
    ("rhi_due", "Return interviews to offer"),
    ("rhi_overdue", "Return interviews not offered in time"),
)


@dataclass(frozen=True)
class Line:
    initials: str
    episode: int
    url: str
    missing_since: str


@dataclass(frozen=True)
class Section:
    name: str
    title: str
    count: int
    lines: list[Line]


def episode_url(episode_id: int) -> str:
    return f"{settings.HOMEWARD_BASE_URL.rstrip('/')}/episodes/{episode_id}"


def _sections(report: WeeklyReport, letters: dict[int, str]) -> list[Section]:
    out = []
    for name, title in SECTION_TITLES:
        items: list[WeeklyItem] = getattr(report, name)
        out.append(Section(name=name, title=title, count=len(items), lines=[
            Line(initials=letters.get(i.child, "?"), episode=i.episode, url=episode_url(i.episode),
                 missing_since=f"{i.missing_since.astimezone(LONDON):%d/%m/%Y %H:%M}")
            for i in items
        ]))
    return out


def weekly_report_message(user: User, *, as_of: datetime, to: str) -> EmailMultiAlternatives:
    report = weekly_report(user, as_of=as_of)
    ids = {i.child for name, _ in SECTION_TITLES for i in getattr(report, name)}
    ids |= {r.child for r in report.repeat_missing_children}
    letters = {c.pk: initials(c.given_name, c.family_name) for c in child_list_for_user(user).filter(pk__in=ids)}
    local = as_of.astimezone(LONDON)
    context = {
        "as_of": f"{local:%A %d %B %Y %H:%M}",
        "window_start": f"{report.window_start.astimezone(LONDON):%A %d %B %Y %H:%M}",
        "sections": _sections(report, letters),
        "repeat": [{"initials": letters.get(r.child, "?"), "episodes": [(e, episode_url(e)) for e in r.episodes]}
                   for r in report.repeat_missing_children],
        "base_url": settings.HOMEWARD_BASE_URL.rstrip("/"),
        "recipient": user.get_full_name() or user.username,
    }
    subject = f"Homeward weekly report: the seven days to {local:%d %B %Y}"
    message = EmailMultiAlternatives(subject=subject, body=render_to_string("digests/weekly_email.txt", context),
                                     from_email=settings.DEFAULT_FROM_EMAIL, to=[to])
    message.attach_alternative(render_to_string("digests/weekly_email.html", context), "text/html")
    return message
