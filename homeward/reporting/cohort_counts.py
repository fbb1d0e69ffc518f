"""Episodes and children by month and cohort, counted in the database (issue 11: a report
scales with its answer, not with the history behind it).

Each episode's cohort at `missing_since` is worked out in SQL with the same rules as the
pure engine's `ChildFacts` (`history.ChildHistory` reads them in Python): the legal status
in force on the Europe/London date is the one that began latest on or before it (a status
without a date began first; among equals the later recorded); the placement in force is
the latest started that has not ended by then; age is completed years on that date. The
episodes are read once, into a materialised common table expression, and grouped by month
and by each dimension in one statement, with how long the children were missing, so that
only the counts come back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import (
    Case,
    CharField,
    DurationField,
    Expression,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear, TruncDate, TruncMonth

from homeward.children.models import LegalStatusPeriod, Placement
from homeward.common.timeutil import LONDON
from homeward.episodes.models import Episode

from .history import (
    AGE_BANDS,
    LOOKED_AFTER,
    NOT_LOOKED_AFTER,
    PLACEMENT_IN_AREA,
    PLACEMENT_OUT_OF_AREA,
    home_authority_id,
)
from .statements import duration, middle_of, rows_with

DIMENSIONS = ("legal_status", "placement", "age_band", "sex")
OVER_AGE = "18+"


@dataclass(frozen=True)
class CohortCount:
    """Episodes and distinct children of one month and one value of a dimension (`month`
    alone: the whole month; `dimension` "total": the whole period)."""

    dimension: str
    value: str
    month: str
    episodes: int
    children: int


def _text(expression: Expression | F) -> Expression:
    return Coalesce(expression, Value(""), output_field=CharField())


def legal_status_on(day: str) -> Expression:
    """The child's legal status on the annotation `day` (a date), "none" before any."""
    latest = (LegalStatusPeriod.objects.filter(child=OuterRef("child_id"))
              .filter(Q(started_on__isnull=True) | Q(started_on__lte=OuterRef(day)))
              .order_by(F("started_on").desc(nulls_last=True), "-id").values("status")[:1])
    return Coalesce(Subquery(latest), Value("none"), output_field=CharField())


def placement_area_on(day: str) -> Subquery:
    """Whether the placement in force on the annotation `day` lies in the home authority's area
    (`in_area`, `out_of_area`; null: no placement in force)."""
    latest = (Placement.objects.filter(child=OuterRef("child_id"))
              .filter(Q(started_on__isnull=True) | Q(started_on__lte=OuterRef(day)))
              .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=OuterRef(day)))
              .order_by(F("started_on").desc(nulls_last=True), "-id")
              # By the authority's id: a join to its code, row by row, took most of the time.
              .annotate(area=Case(When(authority_id=home_authority_id(), then=Value(PLACEMENT_IN_AREA)),
                                  default=Value(PLACEMENT_OUT_OF_AREA), output_field=CharField()))
              .values("area")[:1])
    return Subquery(latest, output_field=CharField())


def day_number(day: Expression | str) -> Expression:
    """A date as the whole number YYYYMMDD: one date's number less another's, divided by
    10,000 and rounded down, is the completed years between them (`age_on`: a birthday on
    29 February counts from 1 March), so an age band is a range of the difference."""
    return ExtractYear(day) * 10000 + ExtractMonth(day) * 100 + ExtractDay(day)


def age_band_sql(days: str) -> str:
    """SQL of `history.age_band` from `days`, a column of a day number less the birth's
    (`day_number`): plain integer comparisons, the same on every database, worked out once
    a row from two numbers rather than from the dates over again for each band."""
    bands = " ".join(f"WHEN {days} >= {low * 10000} AND {days} < {(high + 1) * 10000} THEN '{label}'"
                     for label, low, high in AGE_BANDS)
    return f"CASE {bands} ELSE '{OVER_AGE}' END"


def cohort_rows(episodes: QuerySet[Episode], hours: Sequence[tuple[float, float | None]]) -> QuerySet[Any, Any]:
    """One row per episode: its child, its London month, its legal status, its age as the
    difference of day numbers (`day_number`; `age_band_sql` bands it) and sex, where its
    placement lay (each history read once: the placement cohort follows from the
    legal status and the area), how long it lasted (null while missing) and which of `hours`
    (from, to) that length falls in (-1: none, or still missing)."""
    length = ExpressionWrapper(F("found_at") - F("missing_since"), output_field=DurationField())
    return (
        episodes.order_by()
        .annotate(cohort_day=TruncDate("missing_since", tzinfo=LONDON),
                  cohort_month=TruncMonth("missing_since", tzinfo=LONDON), cohort_length=length)
        .annotate(cohort_legal=legal_status_on("cohort_day"), cohort_area=placement_area_on("cohort_day"),
                  cohort_days=day_number("cohort_day") - day_number("child__date_of_birth"),
                  cohort_sex=_text(F("child__sex")),
                  cohort_bucket=Case(*(When(Q(cohort_length__gte=timedelta(hours=low))
                                            & (Q(cohort_length__lt=timedelta(hours=high)) if high is not None else Q()),
                                            then=Value(index)) for index, (low, high) in enumerate(hours)),
                                     default=Value(-1), output_field=IntegerField()))
        .values("child_id", "cohort_month", "cohort_legal", "cohort_area", "cohort_days", "cohort_sex", "cohort_length",
                "cohort_bucket")
    )


@dataclass(frozen=True)
class PeriodCounts:
    cohorts: list[CohortCount]
    buckets: dict[int, int]  # index of the hours bucket: the episodes ended with a length in it
    still_missing: int
    middle_hours: list[float]  # the middle one or two lengths, in hours, of the episodes ended


# `ChildHistory.placement_cohort_on` from a row's legal status and area: a looked-after child
# with no placement recorded is placed in area (ADR 0002). The SQL here is built of this
# module's constants alone, never of input (hence the noqa for ruff's S608).
_COHORT = (f"cohort AS (SELECT child_id, cohort_month, cohort_legal, CASE WHEN cohort_legal <> '{LOOKED_AFTER}' "  # noqa: S608
           f"THEN '{NOT_LOOKED_AFTER}' ELSE COALESCE(cohort_area, '{PLACEMENT_IN_AREA}') END AS cohort_placement, "
           f"{age_band_sql('cohort_days')} AS cohort_age, cohort_sex FROM episode)")
# (name, the column grouped on besides the month; None: the month alone)
_GROUPS = (("month", None), ("legal_status", "cohort_legal"), ("placement", "cohort_placement"),
           ("age_band", "cohort_age"), ("sex", "cohort_sex"))
# Every select gives (what, value, month, episodes, children, bucket, length). A column's
# blanks are typed: PostgreSQL resolves a UNION's types two selects at a time, and two bare
# NULLs make a text column that the later bucket (integer) or length (interval) cannot join.
_NO_COUNT, _NO_BUCKET, _NO_LENGTH = "CAST(NULL AS bigint)", "CAST(NULL AS integer)", "CAST(NULL AS interval)"


def _grouped(name: str, column: str | None) -> str:
    value, by = (column, f"{column}, cohort_month") if column else ("''", "cohort_month")
    return (f"SELECT '{name}', {value}, cohort_month, COUNT(*), COUNT(DISTINCT child_id), {_NO_BUCKET}, "  # noqa: S608
            f"{_NO_LENGTH} FROM cohort GROUP BY {by}")


_SELECTS = [
    *(_grouped(name, column) for name, column in _GROUPS),
    f"SELECT 'total', '', NULL, COUNT(*), COUNT(DISTINCT child_id), {_NO_BUCKET}, {_NO_LENGTH} "  # noqa: S608
    "FROM cohort",
    f"SELECT 'bucket', '', NULL, COUNT(*), {_NO_COUNT}, cohort_bucket, {_NO_LENGTH} FROM episode "  # noqa: S608
    "WHERE cohort_length IS NOT NULL GROUP BY cohort_bucket",
    f"SELECT 'still_missing', '', NULL, COUNT(*), {_NO_COUNT}, {_NO_BUCKET}, {_NO_LENGTH} FROM episode "  # noqa: S608
    "WHERE cohort_length IS NULL",
    f"SELECT 'middle', '', NULL, {_NO_COUNT}, {_NO_COUNT}, {_NO_BUCKET}, cohort_length "  # noqa: S608
    f"FROM {middle_of('episode', 'cohort_length')}",
]


def period_counts(episodes: QuerySet[Episode], hours: Sequence[tuple[float, float | None]]) -> PeriodCounts:
    """Episodes and distinct children by month, by month and each dimension's value, and over
    the whole period; the episodes ended by bucket of `hours`, those still missing and the
    middle of the lengths: all in one statement over the period's episodes, read once."""
    cohorts: list[CohortCount] = []
    buckets: dict[int, int] = {}
    still_missing = 0
    middle: list[float] = []
    for what, value, month, count, children, bucket, length in rows_with(
        cohort_rows(episodes, hours), "episode", _SELECTS, also=_COHORT,
    ):
        if what == "bucket":
            buckets[bucket] = count
        elif what == "still_missing":
            still_missing = count
        elif what == "middle":
            middle.append(duration(length).total_seconds() / 3600)
        else:
            cohorts.append(CohortCount(dimension=what, value=value, month=str(month)[:7] if month else "",
                                       episodes=count, children=children))
    return PeriodCounts(cohorts=cohorts, buckets=buckets, still_missing=still_missing, middle_hours=middle)
