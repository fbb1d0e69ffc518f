"""Which casework changes tell people beyond the report and the return (DOMAIN.md section 4;
issue 13), and the one that time alone brings: 72 hours missing.

The services ask these helpers what their change escalates and hand the answer to
`casework_commit`, which records the notifications in the change's own transaction
(`homeward.notifications.escalations`). The 72 hours pass without anyone recording anything:
the worker's periodic task `episodes_escalate_72_hours` records that moment on each episode
it reaches (a chronology line, an audit entry, the notifications), once.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from homeward.episodes import risk_analysis
from homeward.episodes.models import Classification, ClassificationChange, Episode, EpisodeStatus, RiskLevel
from homeward.interviews.models import RhiSharing, RhiVersion
from homeward.notifications.escalations import Escalation
from homeward.notifications.models import Notification, NotificationEvent

from .commit import Audit, Chronicle, Reach, casework_commit

log = logging.getLogger(__name__)

#: Seed 002: still missing 72 hours after going missing, the Senior Assistant Director is told,
#: and the police notify the UK Missing Persons Unit (DOMAIN.md section 8).
SEVENTY_TWO_HOURS = timedelta(hours=72)
#: The sweep looks back this far: an episode whose 72 hours passed longer ago than this before
#: Homeward ran it (history loaded into a new installation) is not announced as news.
LOOKBACK = timedelta(days=7)

#: A risk analysis's codes that are exploitation indicators (held beside the coded lists, where
#: the access rules read them too).
RISK_ANALYSIS_EXPLOITATION = risk_analysis.RISK_ANALYSIS_EXPLOITATION


def graded_high(*, before: str, after: str, at: datetime, occurrence: str) -> tuple[Escalation, ...]:
    """A grading that makes the episode high risk when it was not (seed 002: senior managers
    involved). A second high grading while already high tells nobody again."""
    if after == RiskLevel.HIGH and before != RiskLevel.HIGH:
        return (Escalation(NotificationEvent.GRADED_HIGH, at, occurrence),)
    return ()


def reclassified_missing(*, before: str, after: str, at: datetime,
                         change: ClassificationChange) -> tuple[Escalation, ...]:
    """An absence becoming a missing episode."""
    if before == Classification.ABSENT and after == Classification.MISSING:
        return (Escalation(NotificationEvent.RECLASSIFIED_MISSING, at, f"classification:{change.pk}"),)
    return ()


def _exploitation(at: datetime, source: str, codes: Sequence[str]) -> tuple[Escalation, ...]:
    if not codes:
        return ()
    # Keyed by the indicators, not the record: the same indicators recorded again (a corrected
    # interview, a second analysis) tell the team nothing new; a new indicator does.
    return (Escalation(NotificationEvent.EXPLOITATION, at, "codes:" + ",".join(sorted(set(codes))), what=source),)


def exploitation_in_risk_analysis(*, at: datetime, codes: Mapping[str, Sequence[str]]) -> tuple[Escalation, ...]:
    """A risk analysis recording exploitation, trafficking, or grooming or coercion."""
    found = [code for name, wanted in RISK_ANALYSIS_EXPLOITATION.items() for code in codes.get(name, ())
             if code in wanted]
    return _exploitation(at, "a risk analysis", found)


def exploitation_in_interview(*, at: datetime, indicators: Sequence[str]) -> tuple[Escalation, ...]:
    """A return interview recording exploitation indicators (CSE, CCE, county lines...)."""
    return _exploitation(at, "the return interview", list(indicators))


def interview_sharing(*, sharing: RhiSharing, version: RhiVersion | None) -> tuple[Escalation, ...]:
    """A sharing of the interview: a safeguarding concern (urgent, before authorisation) or
    the authorised interview, the latter attached for secure contact points."""
    if sharing.safeguarding_concern:
        return (Escalation(NotificationEvent.CONCERN_SHARED, sharing.shared_at, f"sharing:{sharing.pk}",
                           shared_with=tuple(sharing.recipients)),)
    return (Escalation(NotificationEvent.INTERVIEW_SHARED, sharing.shared_at, f"sharing:{sharing.pk}",
                       shared_with=tuple(sharing.recipients), version=version),)


def _due_for_72_hours(now: datetime) -> Q:
    passed = F("missing_since") + SEVENTY_TWO_HOURS
    return (Q(missing_since__lte=now - SEVENTY_TWO_HOURS, missing_since__gte=now - SEVENTY_TWO_HOURS - LOOKBACK,
              imported_from="")
            & ~Q(status=EpisodeStatus.CANCELLED)
            & (Q(found_at__isnull=True) | Q(found_at__gt=passed)))


def _told() -> Exists:
    return Exists(Notification.objects.filter(episode=OuterRef("pk"), event=NotificationEvent.MISSING_72_HOURS))


def episodes_escalate_72_hours(*, now: datetime | None = None, limit: int = 200) -> int:
    """Tell the Senior Assistant Director and the police of every episode whose 72 hours have
    passed while the child was still missing, once each; the worker runs it every minute.

    Each episode in a transaction of its own, locked and checked again (recorded found before
    the 72 hours, cancelled, or told by another worker meanwhile: skipped). The moment is
    recorded as a chronology line at `missing_since` + 72 h and an audit entry by the system.
    Returns how many episodes were escalated.
    """
    now = now or timezone.now()
    candidates = list(Episode.objects.filter(_due_for_72_hours(now)).exclude(_told())
                      .order_by("missing_since", "id").values_list("pk", flat=True)[:limit])
    done = 0
    for pk in candidates:
        with transaction.atomic():
            episode = (Episode.objects.select_for_update().select_related("child")
                       .filter(_due_for_72_hours(now), pk=pk).exclude(_told()).first())
            if episode is None:
                continue
            at = episode.missing_since + SEVENTY_TWO_HOURS
            casework_commit(
                actor=None, child=episode.child_id, episode=episode, reach=Reach.NONE,
                chronicle=Chronicle(at, "missing_72_hours", "Missing for 72 hours: the Senior Assistant Director "
                                                            "and the police (for the UK Missing Persons Unit) told."),
                audit=Audit("update", "episode", str(episode.pk), {"escalated": "missing_72_hours", "at": at}),
                escalations=(Escalation(NotificationEvent.MISSING_72_HOURS, at, "72h"),),
            )
            done += 1
    if done:
        log.info("72 hours missing: %s episodes escalated", done)
    return done
