"""The child's legal status and placement on a day, and the cohorts reports group by.

Built from prefetched rows (one query per table for a whole report, not one per child),
and read with the pure engine's own rules (`ChildFacts.legal_status_on`, `placement_on`):
the status in force on a day is the one that began latest on or before it; a status with
no start date applied throughout; a placement runs from `started_on` up to but not
including `ended_on`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from homeward.children.models import OLDEST_FIRST, Child, LegalStatusPeriod, Placement
from homeward.common.timeutil import LONDON, age_on, local_date
from homeward.protocol import facts as pf
from homeward.reference.models import Authority

LOOKED_AFTER = "looked_after"

AGE_BANDS: tuple[tuple[str, int, int], ...] = (("0-9", 0, 9), ("10-12", 10, 12), ("13-15", 13, 15),
                                               ("16-17", 16, 17))

PLACEMENT_IN_AREA = "in_area"
PLACEMENT_OUT_OF_AREA = "out_of_area"
NOT_LOOKED_AFTER = "not_looked_after"
PLACEMENT_LABELS = {PLACEMENT_IN_AREA: "Placed in area", PLACEMENT_OUT_OF_AREA: "Placed out of area",
                    NOT_LOOKED_AFTER: "Not looked after"}


ID_SLICE = 10_000


def home_authority() -> str:
    return str(settings.HOMEWARD_AUTHORITY)


def home_authority_id() -> int | None:
    """The home authority's row id: a filter on it is one the planner can estimate (a filter on
    the code through a join, it takes for one authority's share of the children)."""
    return Authority.objects.filter(code=home_authority()).values_list("pk", flat=True).first()


@dataclass(frozen=True)
class ChildHistory:
    """One child's dated facts, as the engine reads them."""

    child_id: int
    external_id: str
    date_of_birth: date
    sex: str
    responsible_authority: str
    facts: pf.ChildFacts

    def legal_status_on(self, day: date) -> str:
        return self.facts.legal_status_on(day)

    def looked_after_on(self, day: date) -> bool:
        return self.legal_status_on(day) == LOOKED_AFTER

    def placement_on(self, day: date) -> pf.Placement | None:
        return self.facts.placement_on(day)

    def care_ends_after(self, day: date) -> date | None:
        """The first date after `day` on which the child is no longer looked after (a later
        status that is not `looked_after`), or None while care goes on."""
        candidates = sorted({p.started_on for p in self.facts.legal_status_history if p.started_on > day})
        for candidate in candidates:
            if not self.looked_after_on(candidate):
                return candidate
        return None

    def care_began_on(self, day: date) -> date | None:
        """The first day of the period of care that includes `day` (None: since before any
        recorded date, i.e. a status taken to have applied throughout)."""
        starts = sorted({p.started_on for p in self.facts.legal_status_history if p.started_on <= day}, reverse=True)
        began: date | None = None
        for start in starts:
            if not self.looked_after_on(start):
                break
            began = start
        return None if began == date.min else began

    def eighteenth_birthday(self) -> date:
        dob = self.date_of_birth
        try:
            return dob.replace(year=dob.year + 18)
        except ValueError:  # born on 29 February: 18 on 1 March
            return date(dob.year + 18, 3, 1)

    def age_band_on(self, day: date) -> str:
        return age_band(age_on(self.date_of_birth, day))

    def placement_cohort_on(self, day: date) -> str:
        """In or out of the home authority's area, for a looked-after child; a looked-after
        child with no placement recorded is taken to be placed inside it (ADR 0002)."""
        if not self.looked_after_on(day):
            return NOT_LOOKED_AFTER
        placement = self.placement_on(day)
        if placement is None or placement.authority == home_authority():
            return PLACEMENT_IN_AREA
        return PLACEMENT_OUT_OF_AREA


def age_band(age: int) -> str:
    for label, low, high in AGE_BANDS:
        if low <= age <= high:
            return label
    return "18+"


@dataclass(frozen=True)
class ChildRow:
    """The columns of a child that a report's histories need, read without the model."""

    pk: int
    external_id: str
    date_of_birth: date
    sex: str
    responsible_authority: str  # the authority's code


def histories_for(children: Iterable[Child]) -> dict[int, ChildHistory]:
    """Histories of the given children (model instances) in three queries."""
    return histories_for_rows([ChildRow(c.pk, c.external_id, c.date_of_birth, c.sex, c.responsible_authority.code)
                               for c in children])


def id_slices(ids: Iterable[int]) -> Iterator[list[int]]:
    """Ids in order, ID_SLICE at a time: a report's children can be tens of thousands, and
    SQLite takes at most 32,766 parameters a statement."""
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), ID_SLICE):
        yield ordered[start:start + ID_SLICE]


def histories_for_rows(rows: Iterable[ChildRow], among: QuerySet[Any, Any] | None = None) -> dict[int, ChildHistory]:
    """Histories of the given children: their legal statuses and placements read a slice of
    children at a time, only the columns needed; or, given `among` (a query of child ids that
    includes them all), in one query each that selects the children through it (no long lists
    of ids to send)."""
    children = list(rows)
    statuses: dict[int, list[pf.LegalStatusPeriod]] = {c.pk: [] for c in children}
    placements: dict[int, list[pf.Placement]] = {c.pk: [] for c in children}
    slices: Iterable[Any] = [among] if among is not None else id_slices(statuses)
    for ids in slices:
        for child_id, status, started_on in (LegalStatusPeriod.objects.filter(child_id__in=ids)
                                             .order_by("child_id", *OLDEST_FIRST)
                                             .values_list("child_id", "status", "started_on")):
            if child_id in statuses:
                statuses[child_id].append(
                    pf.LegalStatusPeriod(status=status, started_on=started_on or date.min)  # type: ignore[arg-type]
                )
        for child_id, authority, started_on, ended_on in (
            Placement.objects.filter(child_id__in=ids).order_by("child_id", *OLDEST_FIRST)
            .values_list("child_id", "authority__code", "started_on", "ended_on")
        ):
            if child_id in placements:
                placements[child_id].append(pf.Placement(authority=authority, started_on=started_on or date.min,
                                                         ended_on=ended_on))
    return {
        child.pk: ChildHistory(
            child_id=child.pk, external_id=child.external_id, date_of_birth=child.date_of_birth, sex=child.sex,
            responsible_authority=child.responsible_authority,
            facts=pf.ChildFacts(
                date_of_birth=child.date_of_birth, responsible_authority=child.responsible_authority,
                legal_status_history=tuple(statuses[child.pk]), placements=tuple(placements[child.pk]),
            ),
        )
        for child in children
    }


def period_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The instants [start, end) of Europe/London dates `first` to `last` inclusive."""
    start = datetime.combine(first, time.min, tzinfo=LONDON)
    end = datetime.combine(date.fromordinal(last.toordinal() + 1), time.min, tzinfo=LONDON)
    return start, end


def month_key(instant: datetime) -> str:
    """The Europe/London calendar month of an instant, as YYYY-MM."""
    return local_date(instant).strftime("%Y-%m")


def months_between(first: date, last: date) -> list[str]:
    """Every month from `first` to `last` inclusive, as YYYY-MM."""
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def initials(given_name: str, family_name: str) -> str:
    return "".join(part[:1].upper() for part in (given_name, family_name) if part)
