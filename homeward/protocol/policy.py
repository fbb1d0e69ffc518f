"""A protocol as configuration: versions, deadlines, settings, and the TOML that holds them.

DOMAIN.md section 3: "Each authority's protocol is configuration, not code: a versioned
file of rules with an effective date ... and an episode follows the version in force at
its reported_at." API.md "Protocol file (TOML)" gives the file's shape:

    name = "West Northamptonshire missing children protocol"
    effective_from = 2017-01-16

    [rhi]
    clock = "found"                   # or "allocation"
    neighbouring_authorities = ["937", "855"]
    completion_duty = false           # true: rhi_completed, 72 h from allocation (seed 000)

    [deadlines]                       # any obligation code: time from arising to due
    rhi_offered = "72h"

    [intervals]                       # when repeating or later obligations arise
    carer_update = "24h"              # a new daily carer update arises every 24 h
    senior_escalation = "72h"         # escalation arises once missing this long
    ukmpu_notified = "72h"            # the police tell the UKMPU once missing this long
    strategy_meeting_high_risk = "24h"  # graded high at t: meeting due by t + this
    strategy_meeting_vulnerable = "24h"  # judged vulnerable at t: meeting due by t + this
    strategy_meeting_review = "30d"   # a review arises this long after the last meeting

    [repeat_missing]
    count = 3                         # the 3rd or later episode ...
    window_days = 90                  # ... starting within 90 days

A file holds one version (keys at the top level) or several (`[[version]]` tables, each
with every key above, and nothing else at the top level). A missing key takes the shipped
default (`default_protocol.toml`), except `effective_from`, which every version must have.
Anything malformed raises `ProtocolError` whose message starts with the key's path (for
`[[version]]` files, `version[N].` with N counted from 1). Files written before a key
existed (`deadlines.rhi_allocated`, `deadlines.rhi_completed`, `deadlines.ukmpu_notified`,
`intervals.ukmpu_notified`, `rhi.completion_duty`, `deadlines.action_plan`,
`deadlines.return_visit`, `intervals.strategy_meeting_vulnerable`) keep working: the key takes the default.

Durations: "90m" minutes, "24h" hours, "3d" days of 24 elapsed hours, "5wd" working days
(same local time on the 5th working day after), and for deadlines only "eod" (23:59:59
Europe/London on the day the obligation arises).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, time, timedelta
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal, TypeVar

from homeward.protocol.calendar import Calendar, local_date, require_aware

_T = TypeVar("_T")
DurationUnit = Literal["m", "h", "d", "wd", "eod"]
RhiClock = Literal["found", "allocation"]
OwnSocialWorker = Literal["refuse", "with_reason"]

_DURATION = re.compile(r"^(0|[1-9][0-9]{0,5})(m|h|d|wd)$")
_AUTHORITY_CODE = re.compile(r"^[0-9]{3}$")
_DURATION_HELP = "is not a duration like 90m, 24h, 3d or 5wd"


class ProtocolError(ValueError):
    """A protocol file that cannot be used; the message starts with the key at fault."""


@dataclass(frozen=True)
class Duration:
    """A span after an instant: elapsed minutes, hours or days, working days, or end of day."""

    amount: int
    unit: DurationUnit

    @classmethod
    def parse(cls, text: str, *, allow_eod: bool = True) -> Duration:
        """Parse "90m", "24h", "3d", "5wd" or (where allowed) "eod"; ValueError otherwise."""
        if allow_eod and text == "eod":
            return cls(0, "eod")
        match = _DURATION.match(text)
        if match is None:
            raise ValueError(text)
        unit: DurationUnit
        amount, unit_text = match.groups()
        if unit_text == "m":
            unit = "m"
        elif unit_text == "h":
            unit = "h"
        elif unit_text == "d":
            unit = "d"
        else:
            unit = "wd"
        return cls(int(amount), unit)

    @property
    def text(self) -> str:
        """The duration as written in a protocol file."""
        return "eod" if self.unit == "eod" else f"{self.amount}{self.unit}"

    def after(self, instant: datetime, calendar: Calendar) -> datetime:
        """The instant (UTC) this duration after `instant`."""
        utc = require_aware(instant, "instant")
        if self.unit == "m":
            return utc + timedelta(minutes=self.amount)
        if self.unit == "h":
            return utc + timedelta(hours=self.amount)
        if self.unit == "d":
            return utc + timedelta(days=self.amount)
        if self.unit == "wd":
            return calendar.add_working_days(utc, self.amount)
        return calendar.end_of_day(utc)

    @property
    def words(self) -> str:
        """The duration as people say it: "1 hour", "72 hours", "90 minutes", "30 days",
        "3 working days", "the end of the day"; "" for a zero duration (due at once)."""
        if self.unit == "eod":
            return "the end of the day"
        if self.amount == 0:
            return ""
        names = {"m": "minute", "h": "hour", "d": "day", "wd": "working day"}
        name = names[self.unit]
        return f"{self.amount} {name}" if self.amount == 1 else f"{self.amount} {name}s"

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Deadlines:
    """Time from an obligation's arising to its due time, one field per obligation code."""

    police_informed: Duration
    risk_analysis: Duration
    manager_informed: Duration
    mct_notified: Duration
    parental_responsibility_informed: Duration
    carer_update: Duration
    strategy_meeting: Duration
    strategy_meeting_review: Duration
    senior_escalation: Duration
    ukmpu_notified: Duration
    high_risk_notifications: Duration
    safe_and_well_check: Duration
    iro_informed: Duration
    rhi_allocated: Duration
    rhi_offered: Duration
    rhi_completed: Duration
    rhi_authorised: Duration
    rhi_shared: Duration
    plan_updated: Duration
    repeat_review: Duration
    police_reference_review: Duration
    action_plan: Duration
    return_visit: Duration

    def of(self, code: str) -> Duration:
        value: Duration = getattr(self, code)
        return value


@dataclass(frozen=True)
class Intervals:
    """When repeating or delayed obligations arise."""

    carer_update: Duration
    senior_escalation: Duration
    ukmpu_notified: Duration
    strategy_meeting_high_risk: Duration
    strategy_meeting_review: Duration
    strategy_meeting_vulnerable: Duration


OBLIGATION_CODES: tuple[str, ...] = tuple(f.name for f in fields(Deadlines))
_INTERVAL_KEYS: tuple[str, ...] = tuple(f.name for f in fields(Intervals))
_VERSION_KEYS = ("name", "effective_from", "rhi", "deadlines", "intervals", "repeat_missing", "charges")
_RHI_KEYS = ("clock", "neighbouring_authorities", "completion_duty", "own_social_worker")
_CHARGE_KEYS = ("rhi_fee", "rhi_outcomes")
_FEE = re.compile(r"^(0|[1-9][0-9]{0,5})\.[0-9]{2}$")
_INTERVIEW_OUTCOMES = ("accepted", "declined", "no_contact")
_REPEAT_KEYS = ("count", "window_days")


@dataclass(frozen=True)
class ProtocolVersion:
    """One version of a protocol: every value the rules read, as a frozen value.

    `rhi_own_social_worker`: whether the child's own allocated social worker may be allocated
    the return interview: "refuse", or "with_reason" (allowed with a recorded reason; seed 002:
    "usually best ... the allocated social worker", seed 000: "not involved in the direct
    care"). `rhi_fee_pence`: the fee charged to the placing authority for an exceptional
    interview of its child (seed 001), in pence; `rhi_charged_outcomes`: the interview
    outcomes that raise the charge once authorised.
    `rhi_completion_duty`: whether the return interview must be completed within
    deadlines.rhi_completed of the practitioner's allocation (`rhi_completed`, seed 000);
    off in the shipped default.
    """

    name: str
    effective_from: date
    rhi_clock: RhiClock
    neighbouring_authorities: tuple[str, ...]
    deadlines: Deadlines
    intervals: Intervals
    repeat_missing_count: int
    repeat_missing_window_days: int
    rhi_completion_duty: bool = False
    rhi_own_social_worker: OwnSocialWorker = "with_reason"
    rhi_fee_pence: int = 0
    rhi_charged_outcomes: tuple[str, ...] = ("accepted",)

    @property
    def label(self) -> str:
        """How the basis of an obligation names this version."""
        return f"{self.name} {self.effective_from.isoformat()}"

    def describe(self, values: str) -> str:
        """E.g. "rhi_offered = 72h from West Northamptonshire protocol 2017-01-16"."""
        return f"{values} from {self.label}"


@dataclass(frozen=True)
class Protocol:
    """One or more versions, ordered by `effective_from`."""

    versions: tuple[ProtocolVersion, ...]

    def __post_init__(self) -> None:
        if not self.versions:
            raise ProtocolError("version: a protocol needs at least one version")
        ordered = tuple(sorted(self.versions, key=lambda v: v.effective_from))
        object.__setattr__(self, "versions", ordered)

    def version_for(self, reported_at: datetime) -> ProtocolVersion:
        """The version in force on `reported_at`'s Europe/London date.

        That is the version with the latest `effective_from` on or before that date. An
        episode reported before every version's `effective_from` follows the earliest
        version: the product must always answer, and the earliest version is the nearest
        statement of what the authority promised.
        """
        day = local_date(reported_at)
        chosen = self.versions[0]
        for version in self.versions:
            if version.effective_from <= day:
                chosen = version
        return chosen


_TYPE_NAMES: tuple[tuple[type, str], ...] = (
    (bool, "a boolean"),  # before int: a TOML boolean is a Python int too
    (int, "an integer"),
    (float, "a number"),
    (datetime, "a date-time"),  # before date: a datetime is a date too
    (date, "a date"),
    (time, "a time"),
    (list, "a list"),
    (dict, "a table"),
)


def _type_name(value: object) -> str:
    """How an error message shows a TOML value: a text quoted, anything else by its type."""
    if isinstance(value, str):
        return f'"{value}"'
    return next((name for kind, name in _TYPE_NAMES if isinstance(value, kind)), type(value).__name__)


def _table(value: object, where: str) -> Mapping[str, object]:
    if not isinstance(value, dict):
        raise ProtocolError(f"{where}: must be a table, not {_type_name(value)}")
    return value


def _reject_unknown(table: Mapping[str, object], known: tuple[str, ...], where: str) -> None:
    for key in table:
        if key not in known:
            raise ProtocolError(f"{where}{key}: unknown key; expected one of {', '.join(known)}")


def _duration(value: object, where: str, *, allow_eod: bool, positive: bool) -> Duration:
    if not isinstance(value, str):
        raise ProtocolError(f"{where}: {_type_name(value)} {_DURATION_HELP}")
    try:
        parsed = Duration.parse(value, allow_eod=allow_eod)
    except ValueError:
        extra = "" if allow_eod else " (eod is allowed for deadlines only)"
        raise ProtocolError(f'{where}: "{value}" {_DURATION_HELP}{extra}') from None
    if positive and parsed.amount == 0:
        raise ProtocolError(f'{where}: "{value}" must be longer than zero')
    return parsed


def _positive_int(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProtocolError(f"{where}: {_type_name(value)} is not a whole number")
    if value < 1:
        raise ProtocolError(f"{where}: {value} must be 1 or more")
    return value


def _from_base(base: ProtocolVersion | None, where: str, pick: Callable[[ProtocolVersion], _T]) -> _T:
    """A value the file leaves out: the shipped default's (which itself must have it)."""
    if base is None:
        raise ProtocolError(f"{where}: missing from the shipped default")
    return pick(base)


def _deadline_getter(code: str) -> Callable[[ProtocolVersion], Duration]:
    return lambda version: version.deadlines.of(code)


def _interval_getter(key: str) -> Callable[[ProtocolVersion], Duration]:
    def pick(version: ProtocolVersion) -> Duration:
        value: Duration = getattr(version.intervals, key)
        return value

    return pick


def _own_social_worker(rhi: Mapping[str, object], base: ProtocolVersion | None, prefix: str) -> OwnSocialWorker:
    """`rhi.own_social_worker`: "refuse" or "with_reason" (DOMAIN.md section 5a)."""
    if "own_social_worker" not in rhi:
        return _from_base(base, f"{prefix}rhi.own_social_worker", lambda b: b.rhi_own_social_worker)
    value = rhi["own_social_worker"]
    if value == "refuse":
        return "refuse"
    if value == "with_reason":
        return "with_reason"
    raise ProtocolError(f'{prefix}rhi.own_social_worker: {_type_name(value)} must be "refuse" or "with_reason"')


def _charges(raw: Mapping[str, object], base: ProtocolVersion | None, prefix: str) -> tuple[int, tuple[str, ...]]:
    """`[charges]`: the fee for an exceptional interview of another authority's child, in
    pounds and pence as a text ("350.00"), and the outcomes that raise it (seed 001)."""
    charges = _table(raw.get("charges", {}), f"{prefix}charges")
    _reject_unknown(charges, _CHARGE_KEYS, f"{prefix}charges.")
    fee: int
    if "rhi_fee" in charges:
        value = charges["rhi_fee"]
        if not isinstance(value, str) or _FEE.match(value) is None:
            raise ProtocolError(f'{prefix}charges.rhi_fee: {_type_name(value)} is not an amount like "350.00"')
        pounds, pence = value.split(".")
        fee = int(pounds) * 100 + int(pence)
    else:
        fee = _from_base(base, f"{prefix}charges.rhi_fee", lambda b: b.rhi_fee_pence)
    outcomes: tuple[str, ...]
    if "rhi_outcomes" in charges:
        where = f"{prefix}charges.rhi_outcomes"
        items = charges["rhi_outcomes"]
        if not isinstance(items, list):
            raise ProtocolError(f"{where}: {_type_name(items)} is not a list")
        for item in items:
            if item not in _INTERVIEW_OUTCOMES:
                raise ProtocolError(f"{where}: {_type_name(item)} is not one of {', '.join(_INTERVIEW_OUTCOMES)}")
        outcomes = tuple(items)
    else:
        outcomes = _from_base(base, f"{prefix}charges.rhi_outcomes", lambda b: b.rhi_charged_outcomes)
    return fee, outcomes


def _parse_version(raw: Mapping[str, object], base: ProtocolVersion | None, prefix: str) -> ProtocolVersion:
    """Validate one version's table; keys it lacks come from `base` (the shipped default)."""
    _reject_unknown(raw, _VERSION_KEYS, prefix)

    if "effective_from" not in raw:
        raise ProtocolError(f"{prefix}effective_from: missing; every version needs one")
    effective_from = raw["effective_from"]
    if isinstance(effective_from, datetime) or not isinstance(effective_from, date):
        raise ProtocolError(
            f"{prefix}effective_from: {_type_name(effective_from)} is not a date "
            "like 2017-01-16 (a TOML date, without quotes)"
        )

    name: str
    if "name" in raw:
        raw_name = raw["name"]
        if not isinstance(raw_name, str) or not raw_name.strip():
            raise ProtocolError(f"{prefix}name: {_type_name(raw_name)} is not a non-empty text")
        name = raw_name.strip()
    else:
        name = _from_base(base, f"{prefix}name", lambda b: b.name)

    rhi = _table(raw.get("rhi", {}), f"{prefix}rhi")
    _reject_unknown(rhi, _RHI_KEYS, f"{prefix}rhi.")
    rhi_clock: RhiClock
    if "clock" in rhi:
        clock = rhi["clock"]
        if clock == "found":
            rhi_clock = "found"
        elif clock == "allocation":
            rhi_clock = "allocation"
        else:
            raise ProtocolError(f'{prefix}rhi.clock: {_type_name(clock)} must be "found" or "allocation"')
    else:
        rhi_clock = _from_base(base, f"{prefix}rhi.clock", lambda b: b.rhi_clock)
    neighbours: tuple[str, ...]
    if "neighbouring_authorities" in rhi:
        where = f"{prefix}rhi.neighbouring_authorities"
        raw_neighbours = rhi["neighbouring_authorities"]
        if not isinstance(raw_neighbours, list):
            raise ProtocolError(f"{where}: {_type_name(raw_neighbours)} is not a list")
        for item in raw_neighbours:
            if not isinstance(item, str) or _AUTHORITY_CODE.match(item) is None:
                raise ProtocolError(
                    f'{where}: {_type_name(item)} is not a three-digit DfE LA code like "937" (in quotes)'
                )
        neighbours = tuple(raw_neighbours)
    else:
        neighbours = _from_base(base, f"{prefix}rhi.neighbouring_authorities", lambda b: b.neighbouring_authorities)
    completion_duty: bool
    if "completion_duty" in rhi:
        raw_duty = rhi["completion_duty"]
        if not isinstance(raw_duty, bool):
            raise ProtocolError(f"{prefix}rhi.completion_duty: {_type_name(raw_duty)} is not true or false")
        completion_duty = raw_duty
    else:
        completion_duty = _from_base(base, f"{prefix}rhi.completion_duty", lambda b: b.rhi_completion_duty)

    raw_deadlines = _table(raw.get("deadlines", {}), f"{prefix}deadlines")
    for key in raw_deadlines:
        if key not in OBLIGATION_CODES:
            raise ProtocolError(
                f"{prefix}deadlines.{key}: unknown obligation code; expected one of {', '.join(OBLIGATION_CODES)}"
            )
    deadline_values: dict[str, Duration] = {}
    for code in OBLIGATION_CODES:
        if code in raw_deadlines:
            deadline_values[code] = _duration(
                raw_deadlines[code], f"{prefix}deadlines.{code}", allow_eod=True, positive=False
            )
        else:
            deadline_values[code] = _from_base(base, f"{prefix}deadlines.{code}", _deadline_getter(code))
    deadlines = Deadlines(**deadline_values)

    raw_intervals = _table(raw.get("intervals", {}), f"{prefix}intervals")
    _reject_unknown(raw_intervals, _INTERVAL_KEYS, f"{prefix}intervals.")
    interval_values: dict[str, Duration] = {}
    for key in _INTERVAL_KEYS:
        if key in raw_intervals:
            interval_values[key] = _duration(
                raw_intervals[key], f"{prefix}intervals.{key}", allow_eod=False, positive=True
            )
        else:
            interval_values[key] = _from_base(base, f"{prefix}intervals.{key}", _interval_getter(key))
    intervals = Intervals(**interval_values)

    repeat = _table(raw.get("repeat_missing", {}), f"{prefix}repeat_missing")
    _reject_unknown(repeat, _REPEAT_KEYS, f"{prefix}repeat_missing.")
    if "count" in repeat:
        count = _positive_int(repeat["count"], f"{prefix}repeat_missing.count")
    else:
        count = _from_base(base, f"{prefix}repeat_missing.count", lambda b: b.repeat_missing_count)
    if "window_days" in repeat:
        window = _positive_int(repeat["window_days"], f"{prefix}repeat_missing.window_days")
    else:
        window = _from_base(base, f"{prefix}repeat_missing.window_days", lambda b: b.repeat_missing_window_days)

    own_social_worker = _own_social_worker(rhi, base, prefix)
    fee_pence, charged_outcomes = _charges(raw, base, prefix)

    return ProtocolVersion(
        name=name,
        effective_from=effective_from,
        rhi_clock=rhi_clock,
        neighbouring_authorities=neighbours,
        deadlines=deadlines,
        intervals=intervals,
        repeat_missing_count=count,
        repeat_missing_window_days=window,
        rhi_completion_duty=completion_duty,
        rhi_own_social_worker=own_social_worker,
        rhi_fee_pence=fee_pence,
        rhi_charged_outcomes=charged_outcomes,
    )


def _parse(text: str, base: ProtocolVersion | None) -> Protocol:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ProtocolError(f"(file): not valid TOML: {error}") from None
    if "version" not in document:
        return Protocol(versions=(_parse_version(document, base, ""),))
    for key in document:
        if key != "version":
            raise ProtocolError(
                f"{key}: not allowed at the top level beside [[version]] tables; put it inside each [[version]]"
            )
    raw_versions = document["version"]
    if not isinstance(raw_versions, list) or not raw_versions:
        raise ProtocolError("version: must be one or more [[version]] tables")
    versions: list[ProtocolVersion] = []
    seen: dict[date, int] = {}
    for index, raw in enumerate(raw_versions, start=1):
        prefix = f"version[{index}]."
        table = _table(raw, f"version[{index}]")
        version = _parse_version(table, base, prefix)
        if version.effective_from in seen:
            raise ProtocolError(
                f"{prefix}effective_from: {version.effective_from.isoformat()} is also "
                f"version[{seen[version.effective_from]}]'s; each version needs its own date"
            )
        seen[version.effective_from] = index
        versions.append(version)
    return Protocol(versions=tuple(versions))


@cache
def default_protocol() -> Protocol:
    """The protocol shipped with the product (`default_protocol.toml`)."""
    text = resources.files("homeward.protocol").joinpath("default_protocol.toml").read_text(encoding="utf-8")
    return _parse(text, None)


def _default_version() -> ProtocolVersion:
    return default_protocol().versions[-1]


def load_protocol_text(text: str) -> Protocol:
    """Parse and validate a protocol file's text; missing keys take the shipped default."""
    return _parse(text, _default_version())


def load_protocol_file(path: str | Path) -> Protocol:
    """Read, parse and validate a protocol file (UTF-8 TOML)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise ProtocolError(f"(file): cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise ProtocolError(f"(file): {path} is not UTF-8 text") from None
    return load_protocol_text(text)


def with_deadline(version: ProtocolVersion, code: str, duration: Duration) -> ProtocolVersion:
    """A copy of `version` with one deadline changed (for what-if answers and tests)."""
    if code not in OBLIGATION_CODES:
        raise ProtocolError(f"deadlines.{code}: unknown obligation code")
    return replace(version, deadlines=replace(version.deadlines, **{code: duration}))
