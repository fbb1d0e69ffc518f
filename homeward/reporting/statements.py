"""How the reports' larger statements run on PostgreSQL.

A report's aggregate over a year of a national service's episodes is costed high enough for
PostgreSQL to compile it just in time, which on this kind of statement takes longer than the
statement itself (measured at a million episodes: 2.7 s of compiling for a 1.1 s count by
cohort, 1.4 s for a 2.6 s count of duties). Inside `report_statements` it is not compiled.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection, connections, transaction
from django.db.models import BigIntegerField, Expression, F, Func, IntegerField, QuerySet
from django.db.models.functions import ExtractMonth, ExtractYear

from homeward.common.timeutil import LONDON

# A report's transaction: no just-in-time compilation; room to sort a national year's episodes
# in memory (with the default 4 MB each of the cohort's groupings and medians spilled a quarter
# of a million rows to disk), and four times that to hash (the cohort's grouping sets, one group
# per child and month in each, spilled 20 MB over 25 batches at a million episodes and took a
# quarter of a second longer).
REPORT_SETTINGS = ("SET LOCAL jit = off", "SET LOCAL work_mem = '64MB'", "SET LOCAL hash_mem_multiplier = 4")


@contextmanager
def report_statements() -> Iterator[None]:
    """Run the statements inside without just-in-time compilation and with memory enough to
    sort (PostgreSQL; settings of the enclosing transaction, so they end with it). Nothing
    changes on other databases."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            for setting in REPORT_SETTINGS:
                cursor.execute(setting)
        yield


@contextmanager
def cycles_uncollected() -> Iterator[None]:
    """Run a report that builds many small objects in Python without the cyclic garbage
    collector (a decorator or a `with`). The objects are freed as ever when no longer referred
    to; only the collector's passes are held off, which over a large report's hundreds of
    thousands of live objects went over all of them again and again (half the patterns
    report's time at 10k episodes, more the larger it grows). Restored as it was after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def rows_with(query: QuerySet[Any, Any], name: str, selects: list[str], *, also: str = "") -> list[tuple[Any, ...]]:
    """The rows of `selects` (SQL over the table `name`, and the tables `also` defines from
    it), all in one statement over `query`'s rows, which the database reads once (a
    materialised common table expression): several groupings of the same rows cost one pass
    over them, not one each. `query` is compiled by Django, its values passed apart; `name`,
    `selects` and `also` are the caller's constants."""
    inner, params = query.query.get_compiler(using=query.db).as_sql()
    sql = f"WITH {name} AS MATERIALIZED ({inner}){', ' + also if also else ''} " + " UNION ALL ".join(selects)
    with connections[query.db].cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


class LocalMonth(Func):
    """The Europe/London month of an instant as the whole number year * 100 + month. On
    PostgreSQL from `date_part` (double precision, exact for these small whole numbers): its
    EXTRACT gives numeric, whose arithmetic cost more than the rest of a report's row (issue 11:
    a national year's episodes and offers owed are each hundreds of thousands of rows)."""

    output_field = IntegerField()

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:  # type: ignore[override]
        instant = self.source_expressions[0]
        parts = ExtractYear(instant, tzinfo=LONDON) * 100 + ExtractMonth(instant, tzinfo=LONDON)
        return compiler.compile(parts.resolve_expression(compiler.query))

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        local = f"({sql}) AT TIME ZONE '{LONDON.key}'"
        return (f"CAST(date_part('year', {local}) * 100 + date_part('month', {local}) AS integer)",
                (*params, *params))


class PeriodMonth(Func):
    """The Europe/London month (year * 100 + month) of an instant that lies in a period whose
    months' first days are `months`: on PostgreSQL found among the months' first instants by
    `width_bucket`, whole-number comparisons, where `LocalMonth` converts every instant to London
    time twice (at national scale a tenth of a second over a year's repeats or offers owed).
    Elsewhere `LocalMonth`. Null before the first month; an instant after the period's end would
    be given its last month, so the rows must be filtered to the period."""

    output_field = IntegerField()

    def __init__(self, field: str, months: Sequence[date]) -> None:
        super().__init__(F(field))
        self.months = list(months)

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:  # type: ignore[override]
        return LocalMonth(self.source_expressions[0]).as_sql(compiler, connection)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        codes = [month.year * 100 + month.month for month in self.months]
        starts = [datetime.combine(month, time.min, tzinfo=LONDON) for month in self.months]
        return (f"(CAST(%s AS integer[]))[width_bucket({sql}, CAST(%s AS timestamptz[]))]",
                (codes, *params, starts))


def period_month(field: str, months: Sequence[date]) -> Expression:
    """`PeriodMonth` of an instant field over the months (their first days) of a period."""
    return PeriodMonth(field, months)


def local_month(field: str) -> Expression:
    """The Europe/London month of an instant as year * 100 + month, worked out by the database
    (a whole number is cheaper to read than the instant itself)."""
    return LocalMonth(field)


def month_text(value: Any) -> str:
    """YYYY-MM of the database's year * 100 + month (any number: an integer, or a Decimal as
    PostgreSQL's EXTRACT gives)."""
    number = int(value)
    return f"{number // 100:04d}-{number % 100:02d}"


def middle_of(name: str, value: str, by: str | None = None) -> str:
    """A FROM clause of the middle one or two rows of `value` in table `name` (for each `by`,
    or of all), what `statistics.median` needs of the whole list: a row's rank, twice over,
    less the count is 0 to 2 only in the middle. Its columns: `value` and `by`."""
    partition = f"PARTITION BY {by}" if by else ""
    columns = f"{by}, {value}" if by else value
    return (f"(SELECT {columns}, ROW_NUMBER() OVER ({partition} ORDER BY {value}) * 2 "  # noqa: S608 (constants)
            f"- COUNT(*) OVER ({partition}) AS middle FROM {name} WHERE {value} IS NOT NULL) ranked "
            "WHERE middle BETWEEN 0 AND 2")


# The fractions whose discrete percentiles are the middle values of n (below half a billion):
# 0.5 gives the ceil(n / 2)-th, a hair above it the (n // 2 + 1)-th; equal when n is odd.
_MIDDLE_FRACTIONS = "ARRAY[0.5, 0.500000001]"


def middle_values(vendor: str, name: str, value: str, by: str | None = None) -> tuple[str, str]:
    """The middle values of `value` in table `name` (for each `by`, or of all), as the column
    and the FROM clause of a select: on PostgreSQL the two middle values (the same one twice
    when their number is odd) from one ordered-set aggregate, which sorts the values alone
    rather than ranking the rows twice over (`middle_of`, which other databases keep); either
    way `statistics.median` of what comes back is the median of all."""
    if vendor != "postgresql":
        return value, middle_of(name, value, by)
    grouped = f" GROUP BY {by}" if by else ""
    return (f"unnest(percentile_disc({_MIDDLE_FRACTIONS}) WITHIN GROUP (ORDER BY {value}))",
            f"{name} WHERE {value} IS NOT NULL{grouped}")


def duration(value: Any) -> timedelta:
    """A length of time as the database gives it in raw SQL: an interval (PostgreSQL) or
    microseconds (SQLite, as Django keeps durations there)."""
    return value if isinstance(value, timedelta) else timedelta(microseconds=int(value))


class EpochMicroseconds(Func):
    """An instant as whole microseconds since 1970 (UTC), worked out by the database: a report
    that only compares instants reads numbers, not datetimes to be parsed one by one. SQLite
    keeps Django's instants as 'YYYY-MM-DD HH:MM:SS[.ffffff]' in UTC."""

    output_field = BigIntegerField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection,
                           template="CAST(EXTRACT(EPOCH FROM %(expressions)s) * 1000000 AS bigint)", **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # Whole seconds from the Julian day of the text without its fraction (exact once rounded),
        # then the fraction's digits: no '%' in the SQL, which the placeholders would take.
        return self.as_sql(compiler, connection, template=(
            "(CAST(ROUND((julianday(substr(%(expressions)s, 1, 19)) - 2440587.5) * 86400) AS INTEGER) * 1000000 "
            "+ CAST(substr(%(expressions)s || '.000000', 21, 6) AS INTEGER))"), **extra)
