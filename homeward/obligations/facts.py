"""Facts for the pure protocol engine, built from database rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

import holidays
from django.utils import timezone

# The calendars' modules load on first use, which made the first report of each server process
# a few hundred milliseconds slower (issue 11: the intake bench's p99): loaded with the app.
from holidays.countries import united_kingdom  # noqa: F401

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
    return child_facts_of(
        child,
        legal_statuses=[(p.status, p.started_on) for p in child.legal_statuses.order_by(*OLDEST_FIRST)],
        placements=[(p.authority.code, p.started_on, p.ended_on)
                    for p in child.placements.select_related("authority").order_by(*OLDEST_FIRST)],
    )


def child_facts_of(child: Child, *, legal_statuses: Sequence[tuple[str, date | None]],
                   placements: Sequence[tuple[str, date | None, date | None]]) -> pf.ChildFacts:
    """The child's facts from rows already read: its legal statuses (status, started_on) and
    placements (authority code, started_on, ended_on), each oldest first (OLDEST_FIRST)."""
    return pf.ChildFacts(
        date_of_birth=child.date_of_birth,
        responsible_authority=child.responsible_authority.code,
        legal_status_history=tuple(
            pf.LegalStatusPeriod(status=status, started_on=started_on or _FAR_PAST)  # type: ignore[arg-type]
            for status, started_on in legal_statuses),
        placements=tuple(pf.Placement(authority=authority, started_on=started_on or _FAR_PAST, ended_on=ended_on)
                         for authority, started_on, ended_on in placements),
        has_iro=child.iro_id is not None,
        allocated=child.allocated_worker_id is not None,
    )


def _actions(episode: Episode) -> tuple[pf.ActionFact, ...]:
    from homeward.plans.models import ActionPlan, PlanUpdate

    actions = [
        pf.ActionFact(code=a.action, at=a.at, recorded_at=a.recorded_at)  # type: ignore[arg-type]
        for a in episode.actions.order_by("at", "id")
        if a.action in pf.ACTION_CODES and a.action != "action_plan"
    ]
    # The missing child action plan and its update after the return (homeward.plans).
    actions += [pf.ActionFact(code="action_plan", at=at, recorded_at=created)
                for at, created in ActionPlan.objects.filter(episode=episode).values_list("agreed_at", "created_at")]
    actions += [pf.ActionFact(code="plan_updated", at=at, recorded_at=created)
                for at, created in PlanUpdate.objects.filter(episode=episode).values_list("revised_at", "created_at")]
    # A police reference given with the report shows the police knew from the start.
    if (episode.police_reference or episode.police_reference_conflict) and not any(
            a.code == "police_informed" for a in actions):
        actions.append(pf.ActionFact(code="police_informed", at=episode.reported_at, recorded_at=episode.created_at))
    return tuple(sorted(actions, key=lambda a: a.at))


def _rhi(episode: Episode) -> pf.RhiFacts:
    from homeward.interviews.models import ReturnInterview

    rhi = ReturnInterview.objects.filter(episode=episode).prefetch_related("offers", "versions", "sharings").first()
    if rhi is None:
        return pf.RhiFacts()
    offers = tuple(sorted(o.offered_at for o in rhi.offers.all()))
    return pf.RhiFacts(
        allocated_at=rhi.allocated_at,
        offered_at=offers[0] if offers else rhi.offered_at,
        offers=offers,
        completed_at=rhi.conducted_at,
        authorised_at=rhi.authorised_at,
        amendments=tuple(
            pf.RhiAmendment(amended_at=v.amended_at, authorised_at=v.authorised_at, recorded_at=v.recorded_at)
            for v in sorted(rhi.versions.all(), key=lambda v: v.number)
            if v.number > 1 and v.amended_at is not None
        ),
        sharings=tuple(
            pf.RhiSharing(shared_at=s.shared_at, recipients=frozenset(s.recipients), recorded_at=s.recorded_at)
            for s in sorted(rhi.sharings.all(), key=lambda s: (s.shared_at, s.pk))
            if not s.safeguarding_concern
        ),
    )


def _return_visits(episode: Episode) -> tuple[pf.ReturnVisit, ...]:
    from homeward.plans.models import ReturnVisit

    rows = ReturnVisit.objects.filter(episode=episode).order_by("visited_at", "id").values_list(
        "visited_at", "parental_responsibility_informed_at", "created_at")
    return tuple(pf.ReturnVisit(visited_at=v, parental_responsibility_informed_at=i, recorded_at=c)
                 for v, i, c in rows)


def _judged_vulnerable(episode: Episode) -> tuple[datetime, ...]:
    from homeward.plans.models import VulnerabilityJudgement

    return tuple(VulnerabilityJudgement.objects.filter(episode=episode).order_by("judged_at")
                 .values_list("judged_at", flat=True))


@dataclass(frozen=True)
class NewEpisodeRows:
    """What a report has just written about its new episode, in the same transaction: its
    classification and risk grading. Nothing else of it exists yet (no action, meeting, return
    interview, plan, visit or judgement), so its facts need not be read back."""

    classifications: tuple[pf.Classification, ...]
    risk_gradings: tuple[pf.RiskGrading, ...]


def _new_episode_facts(episode: Episode, rows: NewEpisodeRows, other_starts: tuple[datetime, ...]) -> pf.EpisodeFacts:
    actions: tuple[pf.ActionFact, ...] = ()
    if episode.police_reference or episode.police_reference_conflict:
        # As `_actions`: a police reference given with the report shows the police knew.
        actions = (pf.ActionFact(code="police_informed", at=episode.reported_at, recorded_at=episode.created_at),)
    return pf.EpisodeFacts(
        episode_id=episode.pk, reported_at=episode.reported_at,
        reported_by=episode.reported_by,  # type: ignore[arg-type]
        last_seen_at=episode.last_seen_at, classifications=rows.classifications, risk_gradings=rows.risk_gradings,
        found_at=episode.found_at, closed_at=episode.closed_at, close_reason=episode.close_reason,
        police_reference_conflict=bool(episode.police_reference_conflict), cancelled_at=episode.cancelled_at,
        actions=actions, other_episode_starts=tuple(sorted(other_starts)), exceptional_rhi=episode.rhi_exceptional,
    )


def episode_facts(episode: Episode, *, other_starts: tuple[datetime, ...] | None = None,
                  new: NewEpisodeRows | None = None) -> pf.EpisodeFacts:
    """The episode's facts; `other_starts`, when the caller has them, are the `missing_since` of
    the child's other episodes, cancelled ones left out; `new`, for an episode a report has just
    written, what it wrote (nothing is read back)."""
    if other_starts is None:
        other_starts = tuple(
            Episode.objects.filter(child_id=episode.child_id)
            .exclude(pk=episode.pk)
            .exclude(status=EpisodeStatus.CANCELLED)
            .values_list("missing_since", flat=True)
        )
    if new is not None:
        return _new_episode_facts(episode, new, other_starts)
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
        close_reason=episode.close_reason,
        police_reference_conflict=bool(episode.police_reference_conflict),
        cancelled_at=episode.cancelled_at,
        actions=_actions(episode),
        strategy_meetings=tuple(
            pf.StrategyMeeting(held_at=m.held_at, kind=m.kind, recorded_at=m.created_at)  # type: ignore[arg-type]
            for m in episode.meetings.order_by("held_at", "id")
        ),
        rhi=_rhi(episode),
        other_episode_starts=tuple(sorted(other_starts)),
        exceptional_rhi=episode.rhi_exceptional,
        return_visits=_return_visits(episode),
        judged_vulnerable_at=_judged_vulnerable(episode),
    )


def _holidays_for(episode: Episode) -> frozenset[date]:
    first = episode.reported_at.year - 1
    # Working days after an episode can reach into the next year (Christmas, New Year), and an
    # interview may be authorised long after the report.
    last = max(episode.reported_at.year, timezone.now().year) + 2
    return bank_holidays(range(first, last))


def facts_for_episode(episode: Episode) -> pf.Facts:
    return pf.Facts(
        child=child_facts(episode.child),
        episode=episode_facts(episode),
        home_authority=home_authority(),
        bank_holidays=_holidays_for(episode),
    )


class FactsBuilder:
    """Facts for several episodes of one child, reading the child's rows once: the casework
    commit refreshes every episode a change reaches with it."""

    def __init__(self, child: Child, starts: dict[int, datetime], known: pf.ChildFacts | None = None) -> None:
        self.child = child
        self.child_facts = known or child_facts(child)
        self._starts = starts

    @classmethod
    def for_child(cls, child_id: int) -> FactsBuilder:
        child = Child.objects.select_related("responsible_authority").get(pk=child_id)
        starts = dict(
            Episode.objects.filter(child_id=child_id)
            .exclude(status=EpisodeStatus.CANCELLED)
            .values_list("pk", "missing_since")
        )
        return cls(child, starts)

    def episode_started(self, episode: Episode) -> None:
        """Count an episode written after the builder read the child's (a report's own)."""
        self._starts[episode.pk] = episode.missing_since

    def starting_from(self, episode: Episode) -> list[int]:
        """The child's episodes that start no earlier than `episode`, itself included: what a
        report or a cancellation reaches (`Reach.LATER`)."""
        return [pk for pk, start in self._starts.items() if start >= episode.missing_since or pk == episode.pk]

    def facts(self, episode: Episode, *, new: NewEpisodeRows | None = None) -> pf.Facts:
        others = tuple(start for pk, start in self._starts.items() if pk != episode.pk)
        return pf.Facts(
            child=self.child_facts,
            episode=episode_facts(episode, other_starts=others, new=new),
            home_authority=home_authority(),
            bank_holidays=_holidays_for(episode),
        )
