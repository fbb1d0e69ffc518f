"""An episode's facts as the demonstration's follow-up records them.

The follow-up asks the protocol engine what is outstanding after each round of records.
Reading the episode back from the database for each question was a fifth of the time the
demonstration took; instead the facts read once are extended with what each casework
service returned, as `obligations.facts` would read it back (the demonstration's test checks
that the two agree). Only the follow-up's decisions rest on them: the stored obligations
are refreshed from the database.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from homeward.episodes.models import Episode, EpisodeAction
from homeward.interviews.models import ReturnInterview, RhiSharing
from homeward.meetings.models import StrategyMeeting
from homeward.obligations.facts import FactsBuilder
from homeward.plans.models import ActionPlan, PlanUpdate, ReturnVisit
from homeward.protocol import facts as pf


class FactsSoFar:
    def __init__(self, episode: Episode) -> None:
        self.episode = episode
        # The follow-up records facts of this episode alone: the child's facts (legal status,
        # placements, other episodes) stand as read.
        self._builder = FactsBuilder.for_child(episode.child_id)
        self.facts = self._builder.facts(episode)

    def _change(self, **changes: Any) -> None:
        self.facts = replace(self.facts, episode=replace(self.facts.episode, **changes))

    def action(self, record: EpisodeAction) -> None:
        if record.action == "police_informed":
            # A recorded reference replaces the one the report implied: read it back.
            self.facts = self._builder.facts(self.episode)
        elif record.action in pf.ACTION_CODES:
            fact = pf.ActionFact(code=record.action, at=record.at, recorded_at=record.recorded_at)  # type: ignore[arg-type]
            self._change(actions=tuple(sorted((*self.facts.episode.actions, fact), key=lambda a: a.at)))

    def _add_action(self, fact: pf.ActionFact) -> None:
        self._change(actions=tuple(sorted((*self.facts.episode.actions, fact), key=lambda a: a.at)))

    @property
    def has_plan(self) -> bool:
        return any(a.code == "action_plan" for a in self.facts.episode.actions)

    def action_plan(self, plan: ActionPlan) -> None:
        self._add_action(pf.ActionFact(code="action_plan", at=plan.agreed_at, recorded_at=plan.created_at))

    def plan_update(self, update: PlanUpdate) -> None:
        self._add_action(pf.ActionFact(code="plan_updated", at=update.revised_at, recorded_at=update.created_at))

    def return_visit(self, visit: ReturnVisit) -> None:
        fact = pf.ReturnVisit(visited_at=visit.visited_at,
                              parental_responsibility_informed_at=visit.parental_responsibility_informed_at,
                              recorded_at=visit.created_at)
        self._change(return_visits=tuple(sorted((*self.facts.episode.return_visits, fact),
                                                key=lambda v: v.visited_at)))

    def meeting(self, meeting: StrategyMeeting) -> None:
        fact = pf.StrategyMeeting(held_at=meeting.held_at, kind=meeting.kind,  # type: ignore[arg-type]
                                  recorded_at=meeting.created_at)
        self._change(strategy_meetings=tuple(sorted((*self.facts.episode.strategy_meetings, fact),
                                                    key=lambda m: m.held_at)))

    def interview(self, rhi: ReturnInterview, *, offered_at: Any = None) -> None:
        """A step of the return interview (allocated, offered at `offered_at`, recorded,
        authorised), given the interview the service returned."""
        current = self.facts.episode.rhi
        offers = tuple(sorted((*current.offers, offered_at))) if offered_at is not None else current.offers
        self._change(rhi=replace(current, allocated_at=rhi.allocated_at, offers=offers,
                                 offered_at=offers[0] if offers else rhi.offered_at,
                                 completed_at=rhi.conducted_at, authorised_at=rhi.authorised_at))

    def sharing(self, sharing: RhiSharing) -> None:
        if sharing.safeguarding_concern:
            return
        current = self.facts.episode.rhi
        fact = pf.RhiSharing(shared_at=sharing.shared_at, recipients=frozenset(sharing.recipients),
                             recorded_at=sharing.recorded_at)
        self._change(rhi=replace(current, sharings=tuple(sorted((*current.sharings, fact),
                                                                 key=lambda s: s.shared_at))))
