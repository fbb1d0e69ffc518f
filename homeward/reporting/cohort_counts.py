"""Episodes and children by month and cohort, counted in the database (issue 11: a report
scales with its answer, not with the history behind it).

Each episode's cohort at `missing_since` is worked out in SQL with the same rules as the
pure engine's `ChildFacts` (`history.ChildHistory` reads them in Python): the legal status
in force on the Europe/London date is the one that began latest on or before it (a status
without a date began first; among equals the later recorded); the placement in force is
the latest started that has not ended by then; age is completed years on that date. The
episodes are read once, into a materialised common table expression, the children's legal
statuses and placements joined to them (each history read once), and grouped by month and
by each dimension in one statement (on PostgreSQL in one pass, by grouping sets), with how
long the children were missing, so that only the counts come back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import connections
from django.db.models import (
    Case,
    CharField,
    DurationField,
    Expression,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
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
from .statements import duration, middle_values, rows_with

DIMENSIONS = ("legal_status", "placement", "age_band", "sex")
OVER_AGE = "18+"
# How long the episodes ended had lasted: (label, from hours, to hours) of each bucket.
HOURS_BUCKETS: tuple[tuple[str, float, float | None], ...] = (
    ("Under 6 hours", 0, 6), ("6 to 24 hours", 6, 24), ("24 to 72 hours", 24, 72),
    ("72 hours to 7 days", 72, 168), ("7 days or more", 168, None),
)
HOURS = tuple((low, high) for _label, low, high in HOURS_BUCKETS)


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


class DayNumber(Func):
    """A date as the whole number YYYYMMDD: one date's number less another's, divided by
    10,000 and rounded down, is the completed years between them (`age_on`: a birthday on
    29 February counts from 1 March), so an age band is a range of the difference. On
    PostgreSQL read from the date's text as an integer (its EXTRACT gives numeric, whose
    arithmetic cost as much as the rest of a row); on SQLite from the year, month and day."""

    output_field = IntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        day = self.source_expressions[0]
        parts = ExtractYear(day) * 10000 + ExtractMonth(day) * 100 + ExtractDay(day)
        return compiler.compile(parts.resolve_expression(compiler.query))

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="CAST(to_char(%(expressions)s, 'YYYYMMDD') AS integer)",
                           **extra)


def day_number(day: Expression | str) -> Expression:
    """`DayNumber` of a date (an expression or a field's name)."""
    return DayNumber(day)


def age_band_sql(days: str) -> str:
    """SQL of `history.age_band` from `days`, a column of a day number less the birth's
    (`day_number`): plain integer comparisons, the same on every database, worked out once
    a row from two numbers rather than from the dates over again for each band."""
    bands = " ".join(f"WHEN {days} >= {low * 10000} AND {days} < {(high + 1) * 10000} THEN '{label}'"
                     for label, low, high in AGE_BANDS)
    return f"CASE {bands} ELSE '{OVER_AGE}' END"


def cohort_rows(episodes: QuerySet[Episode], hours: Sequence[tuple[float, float | None]]) -> QuerySet[Any, Any]:
    """One row per episode: its id and child, its London month and date, its age as the
    difference of day numbers (`day_number`; `age_band_sql` bands it) and sex, how long it
    lasted (null while missing) and which of `hours` (from, to) that length falls in (-1: none,
    or still missing). The legal status and placement in force on the date are joined to these
    rows afterwards (`_in_force`), each history read once rather than once an episode."""
    length = ExpressionWrapper(F("found_at") - F("missing_since"), output_field=DurationField())
    return (
        episodes.order_by()
        .annotate(cohort_day=TruncDate("missing_since", tzinfo=LONDON),
                  cohort_month=TruncMonth("missing_since", tzinfo=LONDON), cohort_length=length)
        .annotate(cohort_days=day_number("cohort_day") - day_number("child__date_of_birth"),
                  cohort_sex=_text(F("child__sex")),
                  cohort_bucket=Case(*(When(Q(cohort_length__gte=timedelta(hours=low))
                                            & (Q(cohort_length__lt=timedelta(hours=high)) if high is not None else Q()),
                                            then=Value(index)) for index, (low, high) in enumerate(hours)),
                                     default=Value(-1), output_field=IntegerField()))
        .values("id", "child_id", "cohort_month", "cohort_day", "cohort_days", "cohort_sex", "cohort_length",
                "cohort_bucket")
    )


def _in_force(home: int | None) -> str:
    """Common table expressions over `episode` (`cohort_rows`) that give each episode the legal
    status and the placement area in force on its date, by the engine's rules (the module's
    docstring), through joins rather than an ordered lookup of each history per episode (two
    lookups an episode were half of the cohort statement's time at 10k):

    - `legal`: each of the children's statuses with the start of the one after it, in the order
      `ChildFacts.legal_status_on` reads them backwards (no date first, then by date, among
      equals by id).
      The status in force on a day is the last one begun by then: begun (or undated), and
      followed by none or by one that begins later (an undated one after it supersedes it).
    - `area`: of the placements begun and not ended by the day, the last in that same order;
      each placement's rank in its child's order, doubled, plus one if in the home
      authority's area, so that the greatest says both which and where.
    - `cohort`: `ChildHistory.placement_cohort_on` from the status and the area: a
      looked-after child with no placement recorded is placed in area (ADR 0002).

    Built of constants and the home authority's id alone (hence the noqa for ruff's S608)."""
    in_area = f"authority_id = {int(home)}" if home is not None else "1 = 0"
    legal_table, placement_table = LegalStatusPeriod._meta.db_table, Placement._meta.db_table
    status = "COALESCE(legal.status, 'none')"
    return (
        f"legal AS (SELECT child_id, status, started_on, LEAD(started_on) OVER w AS next_on, "  # noqa: S608
        f"LEAD(id) OVER w AS next_id FROM {legal_table} WHERE child_id IN (SELECT child_id FROM episode) "
        "WINDOW w AS (PARTITION BY child_id ORDER BY started_on NULLS FIRST, id)), "
        f"placed AS (SELECT child_id, started_on, ended_on, ROW_NUMBER() OVER (PARTITION BY child_id "
        f"ORDER BY started_on NULLS FIRST, id) * 2 + CASE WHEN {in_area} THEN 1 ELSE 0 END AS rank_area "
        f"FROM {placement_table} WHERE child_id IN (SELECT child_id FROM episode)), "
        "area AS (SELECT episode.id, MAX(placed.rank_area) AS rank_area FROM episode JOIN placed "
        "ON placed.child_id = episode.child_id "
        "AND (placed.started_on IS NULL OR placed.started_on <= episode.cohort_day) "
        "AND (placed.ended_on IS NULL OR placed.ended_on > episode.cohort_day) GROUP BY episode.id), "
        f"cohort AS (SELECT episode.child_id, cohort_month, {status} AS cohort_legal, "
        f"CASE WHEN {status} <> '{LOOKED_AFTER}' THEN '{NOT_LOOKED_AFTER}' "
        f"WHEN area.rank_area - area.rank_area / 2 * 2 = 0 THEN '{PLACEMENT_OUT_OF_AREA}' "
        f"ELSE '{PLACEMENT_IN_AREA}' END AS cohort_placement, "
        f"{age_band_sql('cohort_days')} AS cohort_age, cohort_sex FROM episode "
        "LEFT JOIN legal ON legal.child_id = episode.child_id "
        "AND (legal.started_on IS NULL OR legal.started_on <= episode.cohort_day) "
        "AND (legal.next_id IS NULL OR legal.next_on > episode.cohort_day) "
        "LEFT JOIN area ON area.id = episode.id)"
    )


@dataclass(frozen=True)
class PeriodCounts:
    cohorts: list[CohortCount]
    buckets: dict[int, int]  # index of the hours bucket: the episodes ended with a length in it
    still_missing: int
    middle_hours: list[float]  # the middle one or two lengths, in hours, of the episodes ended


# (name, the column grouped on besides the month; None: the month alone)
_GROUPS = (("month", None), ("legal_status", "cohort_legal"), ("placement", "cohort_placement"),
           ("age_band", "cohort_age"), ("sex", "cohort_sex"))
# Every select gives (what, value, month, episodes, children, bucket, length). A column's
# blanks are typed: PostgreSQL resolves a UNION's types two selects at a time, and two bare
# NULLs make a text column that the later bucket (integer) or length (interval) cannot join.
# The SQL here is built of this module's constants alone, never of input (hence the noqa for
# ruff's S608).
_NO_COUNT, _NO_BUCKET, _NO_LENGTH = "CAST(NULL AS bigint)", "CAST(NULL AS integer)", "CAST(NULL AS interval)"


def _grouped(name: str, column: str | None) -> str:
    value, by = (column, f"{column}, cohort_month") if column else ("''", "cohort_month")
    return (f"SELECT '{name}', {value}, cohort_month, COUNT(*), COUNT(DISTINCT child_id), {_NO_BUCKET}, "  # noqa: S608
            f"{_NO_LENGTH} FROM cohort GROUP BY {by}")


def _grouping_sets() -> str:
    """PostgreSQL: every grouping of `_GROUPS` and the total in one pass over the rows, hashed.
    Each set is first grouped with the child (episodes per child), then counted (episodes:
    their sum; children: the rows): distinct children without COUNT(DISTINCT), which sorts
    the rows once per grouping (at a million episodes each sort of a year's rows took about
    200 ms). GROUPING tells the sets apart: a bit per column not grouped on, the month first."""
    columns = [column for _name, column in _GROUPS if column]
    names = {sum(1 << (len(columns) - 1 - i) for i, other in enumerate(columns) if other != column):
             name for name, column in _GROUPS}
    names[(1 << (len(columns) + 1)) - 1] = "total"
    which = " ".join(f"WHEN {bits} THEN '{name}'" for bits, name in names.items())
    sets = ", ".join(f"({column + ', ' if column else ''}cohort_month, child_id)" for _name, column in _GROUPS)
    listed = ", ".join(columns)
    return (f"SELECT CASE grouped {which} END, COALESCE({listed}, ''), cohort_month, "  # noqa: S608
            f"CAST(SUM(episodes) AS bigint), COUNT(*), {_NO_BUCKET}, {_NO_LENGTH} FROM "
            f"(SELECT cohort_month, {listed}, child_id, COUNT(*) AS episodes, "
            f"GROUPING(cohort_month, {listed}) AS grouped FROM cohort "
            f"GROUP BY GROUPING SETS ({sets}, (child_id))) per_child "
            f"GROUP BY grouped, cohort_month, {listed}")


def _ended(vendor: str) -> list[str]:
    middle, middle_from = middle_values(vendor, "episode", "cohort_length")
    return [
        f"SELECT 'bucket', '', NULL, COUNT(*), {_NO_COUNT}, cohort_bucket, {_NO_LENGTH} FROM episode "  # noqa: S608
        "WHERE cohort_length IS NOT NULL GROUP BY cohort_bucket",
        f"SELECT 'still_missing', '', NULL, COUNT(*), {_NO_COUNT}, {_NO_BUCKET}, {_NO_LENGTH} FROM episode "  # noqa: S608
        "WHERE cohort_length IS NULL",
        f"SELECT 'middle', '', NULL, {_NO_COUNT}, {_NO_COUNT}, {_NO_BUCKET}, {middle} FROM {middle_from}",  # noqa: S608
    ]


_SELECTS = {
    "postgresql": [_grouping_sets(), *_ended("postgresql")],
    # SQLite has no grouping sets: a grouping each, the same answer.
    "sqlite": [
        *(_grouped(name, column) for name, column in _GROUPS),
        f"SELECT 'total', '', NULL, COUNT(*), COUNT(DISTINCT child_id), {_NO_BUCKET}, {_NO_LENGTH} "  # noqa: S608
        "FROM cohort",
        *_ended("sqlite"),
    ],
}


def period_counts(episodes: QuerySet[Episode], hours: Sequence[tuple[float, float | None]]) -> PeriodCounts:
    """Episodes and distinct children by month, by month and each dimension's value, and over
    the whole period; the episodes ended by bucket of `hours`, those still missing and the
    middle of the lengths: all in one statement over the period's episodes, read once."""
    cohorts: list[CohortCount] = []
    buckets: dict[int, int] = {}
    still_missing = 0
    middle: list[float] = []
    for what, value, month, count, children, bucket, length in rows_with(
        cohort_rows(episodes, hours), "episode", _SELECTS[connections[episodes.db].vendor],
        also=_in_force(home_authority_id()),
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
    if not any(count.dimension == "total" for count in cohorts):
        # Grouping sets over no episodes make no groups, where a plain count makes a row of 0.
        cohorts.append(CohortCount(dimension="total", value="", month="", episodes=0, children=0))
    return PeriodCounts(cohorts=cohorts, buckets=buckets, still_missing=still_missing, middle_hours=middle)


def period_totals(episodes: QuerySet[Episode]) -> tuple[int, int, list[float]]:
    """The episodes, the distinct children and the middle one or two lengths (in hours) of the
    episodes ended, over the whole period: what no month's counts can add up to. One pass over
    the episodes' start, child and end alone (a covering index on PostgreSQL)."""
    vendor = connections[episodes.db].vendor
    length = ExpressionWrapper(F("found_at") - F("missing_since"), output_field=DurationField())
    middle, middle_from = middle_values(vendor, "episode", "cohort_length")
    episodes_count, children, lengths = 0, 0, []
    for what, count, distinct, value in rows_with(
        episodes.order_by().annotate(cohort_length=length).values("child_id", "cohort_length"), "episode", [
            f"SELECT 'total', COUNT(*), (SELECT COUNT(*) FROM (SELECT child_id FROM episode GROUP BY child_id) "  # noqa: S608
            f"AS children), {_NO_LENGTH} FROM episode",
            f"SELECT 'middle', {_NO_COUNT}, {_NO_COUNT}, {middle} FROM {middle_from}",  # noqa: S608
        ],
    ):
        if what == "total":
            episodes_count, children = count, distinct
        else:
            lengths.append(duration(value).total_seconds() / 3600)
    return episodes_count, children, lengths
