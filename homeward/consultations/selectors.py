"""Reading consultations and referrals, always through the access choke point."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from homeward.accounts.models import User
from homeward.accounts.permissions import Capability, require, visible_children
from homeward.audit.services import audit_record
from homeward.common.errors import DomainValidationError, NotFound
from homeward.common.timeutil import LONDON, local_date, year_problem

from .models import Consultation, ConsultationKind, Decision


def consultation_list_for_user(user: User) -> QuerySet[Consultation]:
    """Consultations about the children the person may see, if their role reads social care's
    record (403 otherwise)."""
    require(user, Capability.CONSULTATION_READ)
    return Consultation.objects.filter(episode__child__in=visible_children(user)).select_related(
        "episode", "recorded_by", "outcome_recorded_by")


def consultation_get_for_user(user: User, *, episode_id: int, consultation_id: int,
                              audit: bool = True) -> Consultation:
    """One consultation of an episode the person may see, or NotFound; the look is audited."""
    consultation = (consultation_list_for_user(user).filter(pk=consultation_id, episode_id=episode_id)
                    .select_related("episode__child").first())
    if consultation is None:
        raise NotFound
    if audit:
        audit_record(actor=user, action="view", object_type="consultation", object_id=str(consultation.pk),
                     child_id=consultation.episode.child_id)
    return consultation


def consultation_counts(*, since: datetime, until: datetime) -> list[dict[str, object]]:
    """For the patterns of DOMAIN.md section 8: per kind, how many decisions were made in
    [since, until) (by `decided_at`), how many made and not made, how many of those made have
    an outcome, and how many came prompted. Counts alone: they name no child."""
    rows = {row["kind"]: row for row in (
        Consultation.objects.filter(decided_at__gte=since, decided_at__lt=until).values("kind").annotate(
            considered=Count("id"),
            made=Count("id", filter=Q(decision=Decision.MADE)),
            not_made=Count("id", filter=Q(decision=Decision.NOT_MADE)),
            with_outcome=Count("id", filter=Q(decision=Decision.MADE, outcome_at__isnull=False)),
            prompted=Count("id", filter=~Q(prompted_by=[])),
        ))}
    out: list[dict[str, object]] = []
    for kind, label in ConsultationKind.choices:
        row = rows.get(kind)
        out.append({"kind": kind, "label": str(label),
                    "considered": row["considered"] if row else 0, "made": row["made"] if row else 0,
                    "not_made": row["not_made"] if row else 0, "with_outcome": row["with_outcome"] if row else 0,
                    "prompted": row["prompted"] if row else 0})
    return out


def consultation_period(first_text: str | None, last_text: str | None) -> tuple[date, date, datetime, datetime]:
    """The period of the counts: `first_text` and `last_text` as YYYY-MM-DD (inclusive
    Europe/London dates; by default the year to today), and the instants that bound it. A bad
    date is a field error naming `from` or `to`."""
    today = local_date(timezone.now())
    last = _day("to", last_text, today)
    first = _day("from", first_text, last - timedelta(days=364))
    if first > last:
        raise DomainValidationError.single("from", "The start of the period is after its end.")
    since = datetime.combine(first, time.min, tzinfo=LONDON)
    until = datetime.combine(last + timedelta(days=1), time.min, tzinfo=LONDON)
    return first, last, since, until


def _day(name: str, text: str | None, default: date) -> date:
    if text is None:
        return default
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise DomainValidationError.single(name, "Give a date as YYYY-MM-DD.") from None
    problem = year_problem(day.year)
    if problem:
        raise DomainValidationError.single(name, problem)
    return day


def consultations_awaiting_outcome_for_user(user: User, kinds: frozenset[str]) -> QuerySet[Consultation]:
    """Consultations or referrals of `kinds` made and awaiting their outcome, about the children
    the person may see, oldest decision first: the exploitation (CSE/CCE) team's Pre-MACE
    referrals on its home page (ADR 0016)."""
    return (consultation_list_for_user(user).filter(kind__in=kinds, decision=Decision.MADE, outcome_at__isnull=True)
            .select_related("episode__child").order_by("decided_at", "id"))
