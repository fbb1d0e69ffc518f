"""Facts for the pure protocol engine, built from database rows."""

from __future__ import annotations

from datetime import date
from functools import cache

import holidays
from django.utils import timezone

from homeward.children.models import OLDEST_FIRST, Child
from homeward.episodes.models import Episode, EpisodeStatus
from homeward.protocol import facts as pf

from .protocol_source import home_authority

_FAR_PAST = date(1900, 1, 1)


@cache
def _bank_holidays_of(first_year: int, last_year: int) -> frozenset[date]:
    calendar = holidays.country_holidays("GB", subdiv="ENG", years=list(range(first_year, last_year + 1)))
    return frozenset(calendar.keys())


def bank_holidays(years: range) -> frozenset[date]:
    """The bank holidays of England and Wales (the `holidays` package's England subdivision
    is the England and Wales list; Wales has no holiday of its own)."""
    return _bank_holidays_of(years.start, years.stop - 1)


def child_facts(child: Child) -> pf.ChildFacts:
    periods = tuple(
        pf.LegalStatusPeriod(status=p.status, started_on=p.started_on or _FAR_PAST)  # type: ignore[arg-type]
        for p in child.legal_statuses.order_by(*OLDEST_FIRST)
    )
    placements = tuple(
        pf.Placement(authority=p.authority.code, started_on=p.started_on or _FAR_PAST, ended_on=p.ended_on)
        for p in child.placements.select_related("authority").order_by(*OLDEST_FIRST)
    )
    return pf.ChildFacts(
        date_of_birth=child.date_of_birth,
        responsible_authority=child.responsible_authority.code,
        legal_status_history=periods,
        placements=placements,
        has_iro=child.iro_id is not None,
        allocated=child.allocated_worker_id is not None,
    )


def _actions(episode: Episode) -> tuple[pf.ActionFact, ...]:
    actions = [
        pf.ActionFact(code=a.action, at=a.at, recorded_at=a.recorded_at)  # type: ignore[arg-type]
        for a in episode.actions.order_by("at", "id")
        if a.action in pf.ACTION_CODES
    ]
    # A police reference given with the report shows the police knew from the start.
    if episode.police_reference and not any(a.code == "police_informed" for a in actions):
        actions.append(pf.ActionFact(code="police_informed", at=episode.reported_at, recorded_at=episode.created_at))
    return tuple(sorted(actions, key=lambda a: a.at))


def _rhi(episode: Episode) -> pf.RhiFacts:
    from homeward.interviews.models import ReturnInterview

    rhi = ReturnInterview.objects.filter(episode=episode).first()
    if rhi is None:
        return pf.RhiFacts()
    return pf.RhiFacts(
        allocated_at=rhi.allocated_at,
        offered_at=rhi.offered_at,
        completed_at=rhi.conducted_at,
        authorised_at=rhi.authorised_at,
        sharings=tuple(
            pf.RhiSharing(shared_at=s.shared_at, recipients=frozenset(s.recipients), recorded_at=s.recorded_at)
            for s in rhi.sharings.filter(safeguarding_concern=False).order_by("shared_at", "id")
        ),
    )


def episode_facts(episode: Episode) -> pf.EpisodeFacts:
    others = (
        Episode.objects.filter(child_id=episode.child_id)
        .exclude(pk=episode.pk)
        .exclude(status=EpisodeStatus.CANCELLED)
        .values_list("missing_since", flat=True)
    )
    return pf.EpisodeFacts(
        episode_id=episode.pk,
        reported_at=episode.reported_at,
        reported_by=episode.reported_by,  # type: ignore[arg-type]
        last_seen_at=episode.last_seen_at,
        classifications=tuple(
            pf.Classification(classification=c.classification, at=c.at)  # type: ignore[arg-type]
            for c in episode.classifications.order_by("at", "id")
        ),
        risk_gradings=tuple(
            pf.RiskGrading(level=g.risk_level, graded_at=g.graded_at)  # type: ignore[arg-type]
            for g in episode.risk_gradings.order_by("graded_at", "id")
        ),
        found_at=episode.found_at,
        closed_at=episode.closed_at,
        cancelled_at=episode.cancelled_at,
        actions=_actions(episode),
        strategy_meetings=tuple(
            pf.StrategyMeeting(held_at=m.held_at, kind=m.kind, recorded_at=m.created_at)  # type: ignore[arg-type]
            for m in episode.meetings.order_by("held_at", "id")
        ),
        rhi=_rhi(episode),
        other_episode_starts=tuple(sorted(others)),
        exceptional_rhi=episode.rhi_exceptional,
    )


def facts_for_episode(episode: Episode) -> pf.Facts:
    first = episode.reported_at.year - 1
    # Working days after an episode can reach into the next year (Christmas, New Year), and an
    # interview may be authorised long after the report.
    last = max(episode.reported_at.year, timezone.now().year) + 2
    return pf.Facts(
        child=child_facts(episode.child),
        episode=episode_facts(episode),
        home_authority=home_authority(),
        bank_holidays=bank_holidays(range(first, last)),
    )
