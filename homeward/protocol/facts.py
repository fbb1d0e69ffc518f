"""The facts the engine reads, as frozen values the Django side builds from its rows.

Every datetime must be aware (any offset); the constructors store them in UTC and raise
ValueError naming the field for a naive one or for a code outside DOMAIN.md's lists.
A fact counts at an instant `as_of` only if it happened by then (its `at`, `held_at`,
`graded_at`, ... is not after `as_of`); `recorded_at` (when it was typed in) is carried
through to the obligation it completes so that the difference can be shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Literal

from homeward.protocol.calendar import Calendar, local_date, require_aware

LegalStatus = Literal["looked_after", "child_protection", "child_in_need", "early_help", "none"]
ReportSource = Literal["police", "placement_provider", "parent_carer", "school", "edt", "social_worker", "other"]
ClassificationCode = Literal["missing", "absent"]
RiskLevel = Literal["very_low", "low", "medium", "high"]
MeetingKind = Literal["missing_strategy", "section_47", "mace", "pre_mace"]
ShareRecipient = Literal["police", "social_worker", "iro"]
ActionCode = Literal[
    "police_informed",
    "risk_analysis",
    "manager_informed",
    "mct_notified",
    "parental_responsibility_informed",
    "carer_update",
    "senior_escalation",
    "ukmpu_notified",
    "high_risk_notifications",
    "safe_and_well_check",
    "iro_informed",
    "plan_updated",
    "repeat_review",
    "police_reference_review",
    "action_plan",
]

LEGAL_STATUSES: frozenset[str] = frozenset({"looked_after", "child_protection", "child_in_need", "early_help", "none"})
REPORT_SOURCES: frozenset[str] = frozenset(
    {"police", "placement_provider", "parent_carer", "school", "edt", "social_worker", "other"}
)
CLASSIFICATIONS: frozenset[str] = frozenset({"missing", "absent"})
RISK_LEVELS: frozenset[str] = frozenset({"very_low", "low", "medium", "high"})
MEETING_KINDS: frozenset[str] = frozenset({"missing_strategy", "section_47", "mace", "pre_mace"})
SHARE_RECIPIENTS: frozenset[str] = frozenset({"police", "social_worker", "iro"})
ACTION_CODES: frozenset[str] = frozenset(
    {
        "police_informed",
        "risk_analysis",
        "manager_informed",
        "mct_notified",
        "parental_responsibility_informed",
        "carer_update",
        "senior_escalation",
        "ukmpu_notified",
        "high_risk_notifications",
        "safe_and_well_check",
        "iro_informed",
        "plan_updated",
        "repeat_review",
        "police_reference_review",
        "action_plan",
    }
)


def _check_code(owner: object, name: str, allowed: frozenset[str]) -> None:
    value = getattr(owner, name)
    if value not in allowed:
        raise ValueError(f"{type(owner).__name__}.{name}: {value!r} is not one of {', '.join(sorted(allowed))}")


def _normalise_datetimes(owner: object) -> None:
    """Store every datetime field of a frozen dataclass in UTC; refuse naive ones."""
    for item in fields(owner):  # type: ignore[arg-type]
        value = getattr(owner, item.name)
        if isinstance(value, datetime):
            utc = require_aware(value, f"{type(owner).__name__}.{item.name}")
            object.__setattr__(owner, item.name, utc)
        elif isinstance(value, tuple) and value and isinstance(value[0], datetime):
            where = f"{type(owner).__name__}.{item.name}"
            normalised = tuple(require_aware(v, where) for v in value)
            object.__setattr__(owner, item.name, normalised)


@dataclass(frozen=True)
class LegalStatusPeriod:
    """A legal status and the date it began (it lasts until the next one begins)."""

    status: LegalStatus
    started_on: date

    def __post_init__(self) -> None:
        _check_code(self, "status", LEGAL_STATUSES)


@dataclass(frozen=True)
class Placement:
    """Where a looked-after child is placed: the DfE LA code of the authority it lies in.

    In force from `started_on` up to but not including `ended_on` (None: still in force),
    so a placement ending on the day the next one starts gives way to the next one.
    """

    authority: str
    started_on: date
    ended_on: date | None = None

    def in_force_on(self, day: date) -> bool:
        return self.started_on <= day and (self.ended_on is None or day < self.ended_on)


@dataclass(frozen=True)
class ChildFacts:
    """What the rules need to know about the child.

    `legal_status_history`: each status with the date it began. A child whose status is
    taken to have applied throughout (API: `legal_status_since` omitted) should be given
    `started_on=date.min` or the date of birth. On a day before every recorded status the
    status is "none".
    `placements`: the placement history (or just the placement in force); only looked-after
    children's placements are read. `responsible_authority`: the authority that looks after
    the child, or where the child lives.
    """

    date_of_birth: date
    responsible_authority: str
    legal_status_history: tuple[LegalStatusPeriod, ...] = ()
    placements: tuple[Placement, ...] = ()
    has_iro: bool = False
    allocated: bool = False

    def legal_status_on(self, day: date) -> LegalStatus:
        """The status in force on `day`: the one that began latest on or before it."""
        current: LegalStatus = "none"
        latest: date | None = None
        for period in self.legal_status_history:
            if period.started_on <= day and (latest is None or period.started_on >= latest):
                current, latest = period.status, period.started_on
        return current

    def placement_on(self, day: date) -> Placement | None:
        """The placement in force on `day` (the latest started, if several overlap)."""
        current: Placement | None = None
        for placement in self.placements:
            if placement.in_force_on(day) and (current is None or placement.started_on >= current.started_on):
                current = placement
        return current


@dataclass(frozen=True)
class Classification:
    """A classification of the episode (`missing` or `absent`) from instant `at`."""

    classification: ClassificationCode
    at: datetime

    def __post_init__(self) -> None:
        _check_code(self, "classification", CLASSIFICATIONS)
        _normalise_datetimes(self)


@dataclass(frozen=True)
class RiskGrading:
    """A police risk grading from instant `graded_at`."""

    level: RiskLevel
    graded_at: datetime

    def __post_init__(self) -> None:
        _check_code(self, "level", RISK_LEVELS)
        _normalise_datetimes(self)


@dataclass(frozen=True)
class ActionFact:
    """A simple recorded action (API: POST .../actions): what was done and when.

    `at` is when it happened (it completes obligations from then); `recorded_at` when it
    was typed in, if known.
    """

    code: ActionCode
    at: datetime
    recorded_at: datetime | None = None

    def __post_init__(self) -> None:
        _check_code(self, "code", ACTION_CODES)
        _normalise_datetimes(self)


@dataclass(frozen=True)
class StrategyMeeting:
    """A meeting held about the episode; only `missing_strategy` meetings complete
    the strategy meeting obligations."""

    held_at: datetime
    kind: MeetingKind = "missing_strategy"
    recorded_at: datetime | None = None

    def __post_init__(self) -> None:
        _check_code(self, "kind", MEETING_KINDS)
        _normalise_datetimes(self)


@dataclass(frozen=True)
class RhiSharing:
    """An authorised return interview sent to some of its recipients at `shared_at`."""

    shared_at: datetime
    recipients: frozenset[ShareRecipient]
    recorded_at: datetime | None = None

    def __post_init__(self) -> None:
        for recipient in self.recipients:
            if recipient not in SHARE_RECIPIENTS:
                raise ValueError(
                    f"RhiSharing.recipients: {recipient!r} is not one of {', '.join(sorted(SHARE_RECIPIENTS))}"
                )
        _normalise_datetimes(self)


@dataclass(frozen=True)
class RhiAmendment:
    """A new version (2, 3, ...) of an authorised return home interview: an authorised
    interview is locked, so an amendment needs authorising again (DOMAIN.md section 3).

    `amended_at`: when the new version was made; `authorised_at`: when the co-ordinator
    authorised it, if they have; `recorded_at`: when the amendment was typed in, where known.
    """

    amended_at: datetime
    authorised_at: datetime | None = None
    recorded_at: datetime | None = None

    def __post_init__(self) -> None:
        _normalise_datetimes(self)


@dataclass(frozen=True)
class ReturnVisit:
    """The social worker's visit after the return (seed 000, "Social Worker Visits").

    `visited_at`: when the visit took place; `parental_responsibility_informed_at`: when
    those with parental responsibility were told of the episode, the visit and its outcome,
    if they have been; `recorded_at`: when the visit was typed in, where known.
    """

    visited_at: datetime
    parental_responsibility_informed_at: datetime | None = None
    recorded_at: datetime | None = None

    def __post_init__(self) -> None:
        _normalise_datetimes(self)


@dataclass(frozen=True)
class RhiFacts:
    """The return home interview so far: allocated, offered, completed (conducted),
    authorised by the co-ordinator, shared, amended.

    `allocated_at`: the FIRST allocation to a practitioner (re-allocating never moves the
    clocks it starts). `offered_at`: the first offer; `offers`: every offer, each kept with
    its answer on the Django side (when empty, `offered_at` alone is the offer).
    `completed_at`: when the first version's interview was recorded as happening, whatever
    its outcome (accepted, declined, no contact). `authorised_at`: the first version's
    authorisation. `sharings`: every time the authorised interview was sent to some of its
    recipients. `amendments`: versions 2, 3, ... of the authorised interview.
    """

    allocated_at: datetime | None = None
    offered_at: datetime | None = None
    completed_at: datetime | None = None
    authorised_at: datetime | None = None
    sharings: tuple[RhiSharing, ...] = ()
    offers: tuple[datetime, ...] = ()
    amendments: tuple[RhiAmendment, ...] = ()

    def __post_init__(self) -> None:
        _normalise_datetimes(self)


@dataclass(frozen=True)
class EpisodeFacts:
    """One episode. `missing_since` is `last_seen_at` where known, else `reported_at`.

    `classifications`: every classification with its instant; give the first one at
    `reported_at` (an episode with none is never treated as missing).
    `other_episode_starts`: the `missing_since` of the child's other episodes, cancelled
    ones left out; the repeat-missing rule counts this one too.
    `exceptional_rhi`: another authority's child placed here whose return interview the
    home authority conducts because of an immediate safeguarding need (DOMAIN.md section 4,
    chargeable to the placing authority).
    `close_reason`: the closing manager's reason, given to the obligations still
    outstanding at `closed_at` (they become `not_done`).
    `police_reference_conflict`: the force and reference given with the report were already
    recorded on an episode the reporter may not see; the MCT confirms the reference.
    `return_visits`: the social worker's visits after the return. `judged_vulnerable_at`:
    each instant a practitioner recorded their judgement that the child is vulnerable (it
    brings the strategy meeting forward as a high grading does). The missing child action
    plan and its update after the interview come as `actions` (`action_plan`, `plan_updated`).
    There is no `status` field: open, returned, closed and cancelled follow from
    `found_at`, `closed_at` and `cancelled_at` as they stand at `as_of`.
    """

    episode_id: str | int
    reported_at: datetime
    reported_by: ReportSource
    last_seen_at: datetime | None = None
    classifications: tuple[Classification, ...] = ()
    risk_gradings: tuple[RiskGrading, ...] = ()
    found_at: datetime | None = None
    closed_at: datetime | None = None
    cancelled_at: datetime | None = None
    actions: tuple[ActionFact, ...] = ()
    strategy_meetings: tuple[StrategyMeeting, ...] = ()
    rhi: RhiFacts = field(default_factory=RhiFacts)
    other_episode_starts: tuple[datetime, ...] = ()
    exceptional_rhi: bool = False
    close_reason: str = ""
    police_reference_conflict: bool = False
    return_visits: tuple[ReturnVisit, ...] = ()
    judged_vulnerable_at: tuple[datetime, ...] = ()

    def __post_init__(self) -> None:
        _check_code(self, "reported_by", REPORT_SOURCES)
        _normalise_datetimes(self)

    @property
    def missing_since(self) -> datetime:
        return self.last_seen_at if self.last_seen_at is not None else self.reported_at


@dataclass(frozen=True)
class Facts:
    """Everything `evaluate` reads besides the protocol and `as_of`.

    `home_authority`: this installation's DfE LA code. `bank_holidays`: the bank holidays
    of England and Wales for the years concerned (the Django side builds them with the
    `holidays` package).
    """

    child: ChildFacts
    episode: EpisodeFacts
    home_authority: str
    bank_holidays: frozenset[date] = frozenset()

    @property
    def calendar(self) -> Calendar:
        return Calendar(self.bank_holidays)

    @property
    def status_day(self) -> date:
        """The Europe/London date of `missing_since`: legal status and placement are read
        on it."""
        return local_date(self.episode.missing_since)
