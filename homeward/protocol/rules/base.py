"""What every rule shares: the facts as they stand at `as_of`, and how a rule states itself.

A fact counts only if it happened by `as_of`; the `Context` filters every fact that way
once, so that a rule cannot forget to. Repeating obligations are generated up to
`through` (`as_of` for `evaluate`, later for `plan`), assuming nothing happens after
`as_of`; a row's fields never depend on `through`, only whether it is generated.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from homeward.protocol.calendar import Calendar, require_aware
from homeward.protocol.facts import ActionFact, ChildFacts, EpisodeFacts, Facts, Placement
from homeward.protocol.obligation import Basis, Draft
from homeward.protocol.policy import Duration, ProtocolVersion
from homeward.protocol.routing import RhiRouting, route_return_interview


@dataclass(frozen=True)
class Spec:
    """One obligation code: its title, who does it, the rule in words and its guidance."""

    code: str
    title: str
    responsible_role: str
    rule: str
    citation: str


@dataclass(frozen=True)
class Context:
    """The facts of one episode as they stand at `as_of`, with what the rules derive.

    `missing_from`: the instant from which the episode counts as missing (its first
    `missing` classification known by `as_of`, never before `reported_at`), or None.
    `open_until`: the first of `found_at` and `closed_at` known by `as_of`, or None while
    the episode is open; the episode is open at instant x when x is before it.
    `through`: the instant up to which repeating obligations are generated (>= `as_of`).
    """

    facts: Facts
    version: ProtocolVersion
    as_of: datetime
    through: datetime
    calendar: Calendar
    looked_after: bool
    placement: Placement | None
    routing: RhiRouting
    missing_from: datetime | None
    found_at: datetime | None
    open_until: datetime | None

    @classmethod
    def build(cls, facts: Facts, version: ProtocolVersion, as_of: datetime, through: datetime | None = None) -> Context:
        as_of = require_aware(as_of, "as_of")
        through = as_of if through is None else require_aware(through, "through")
        if through < as_of:
            raise ValueError(f"through: {through.isoformat()} is before as_of {as_of.isoformat()}")
        episode = facts.episode
        day = facts.status_day
        looked_after = facts.child.legal_status_on(day) == "looked_after"
        placement = facts.child.placement_on(day) if looked_after else None
        routing = route_return_interview(
            child=facts.child,
            home_authority=facts.home_authority,
            policy=version,
            missing_since=episode.missing_since,
            exceptional=episode.exceptional_rhi,
        )
        missing_at = [c.at for c in episode.classifications if c.classification == "missing" and c.at <= as_of]
        missing_from = max(min(missing_at), episode.reported_at) if missing_at else None
        found_at = _known(episode.found_at, as_of)
        ends = [t for t in (found_at, _known(episode.closed_at, as_of)) if t is not None]
        return cls(
            facts=facts,
            version=version,
            as_of=as_of,
            through=through,
            calendar=facts.calendar,
            looked_after=looked_after,
            placement=placement,
            routing=routing,
            missing_from=missing_from,
            found_at=found_at,
            open_until=min(ends) if ends else None,
        )

    @property
    def episode(self) -> EpisodeFacts:
        return self.facts.episode

    @property
    def child(self) -> ChildFacts:
        return self.facts.child

    @property
    def missing_since(self) -> datetime:
        return self.facts.episode.missing_since

    def known(self, instant: datetime | None) -> datetime | None:
        """`instant` if it is not after `as_of`, else None."""
        return _known(instant, self.as_of)

    def is_open_at(self, instant: datetime) -> bool:
        return self.open_until is None or instant < self.open_until

    def actions(self, code: str) -> tuple[ActionFact, ...]:
        """The actions of `code` that happened by `as_of`, earliest first."""
        found = (a for a in self.episode.actions if a.code == code and a.at <= self.as_of)
        return tuple(sorted(found, key=lambda a: a.at))

    def first_action(self, code: str, start: datetime, before: datetime | None = None) -> ActionFact | None:
        """The earliest action of `code` known by `as_of` at or after `start` (a record
        completes a duty only from when the duty could be owed), and before `before` if
        given."""
        for action in self.actions(code):
            if action.at >= start:
                return action if before is None or action.at < before else None
        return None

    def deadline(self, code: str) -> Duration:
        return self.version.deadlines.of(code)

    def due(self, code: str, arises_at: datetime) -> datetime:
        return self.deadline(code).after(arises_at, self.calendar)

    def interval(self, key: str) -> Duration:
        value: Duration = getattr(self.version.intervals, key)
        return value

    def deadline_value(self, code: str) -> str:
        return f"{code} = {self.deadline(code)}"

    def interval_value(self, key: str) -> str:
        return f"intervals.{key} = {self.interval(key)}"

    def draft(
        self,
        spec: Spec,
        *,
        arises_at: datetime,
        due_at: datetime,
        trigger: str,
        trigger_at: datetime,
        done: tuple[datetime, datetime | None] | None,
        deadline_from: str,
        deadline: str | None = None,
        policy_value: str | None = None,
        instance: int = 1,
        note: str = "",
        listed_from: datetime | None = None,
        lapses_at: datetime | None = None,
    ) -> Draft:
        """A rule's answer; `done` is (done_at, recorded_at) of the completing fact.

        `deadline_from`: what the due time is measured from, in words ("the child going
        missing"); `deadline`: how long after, in words (by default the code's deadline).
        """
        return Draft(
            code=spec.code,
            instance=instance,
            arises_at=arises_at,
            due_at=due_at,
            done_at=done[0] if done else None,
            done_recorded_at=done[1] if done else None,
            basis=Basis(
                rule=spec.rule,
                trigger=trigger,
                trigger_at=trigger_at,
                policy_value=self.version.describe(policy_value or self.deadline_value(spec.code)),
                citation=spec.citation,
                note=note,
                deadline=self.deadline(spec.code).words if deadline is None else deadline,
                deadline_from=deadline_from,
            ),
            listed_from=listed_from,
            lapses_at=lapses_at,
        )

    def reclassified_note(self) -> str:
        if self.missing_from is not None and self.missing_from > self.episode.reported_at:
            return f"reclassified from absent to missing at {self.missing_from.isoformat()}"
        return ""


def _known(instant: datetime | None, as_of: datetime) -> datetime | None:
    return instant if instant is not None and instant <= as_of else None


def done_by(action: ActionFact | None) -> tuple[datetime, datetime | None] | None:
    """`done` for `Context.draft` from the completing action, if any."""
    return (action.at, action.recorded_at) if action is not None else None


def done_at(instant: datetime | None) -> tuple[datetime, datetime | None] | None:
    """`done` for `Context.draft` from the instant of the completing fact, if any (one
    with no separate recorded_at)."""
    return (instant, None) if instant is not None else None


Rule = Callable[[Context], Iterable[Draft]]
