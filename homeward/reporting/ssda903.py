"""The SSDA903 Missing table for a collection year (DOMAIN.md section 8).

`year` is the year end: 2025 means 1 April 2024 to 31 March 2025. Rows (ADR 0005):

- The home authority's looked-after children only: the child's responsible authority is
  the home authority and the legal status in force on the Europe/London date of
  `missing_since` is `looked_after` (another authority's child placed here is in that
  authority's return). Cancelled episodes never count.
- `CHILD` is `external_id`; `DOB` the date of birth; `MISSING` is `A` when the
  whereabouts were known, else `M`; `MIS_START` the London date of `missing_since`;
  `MIS_END` the London date found, cut short at the end of the period of care (the day
  the looked-after status gave way to another, or the 18th birthday): the DfE counts
  periods inside care only.
- An episode belongs to the year when it overlaps it. One that had not ended by
  31 March is open in that year's return: `MIS_END` blank (DfE rule 571 refuses an end
  after the year end); it appears again, ended, in the next year's return (rule 576).

Homeward never exports a table that breaks the DfE Missing rules: `ssda903_missing`
returns the rows and the problems found by the checks below, and callers refuse to
export while there are problems. Rules checked, numbered as the DfE's:

- 574: no overlapping periods, and none starting while an earlier one is open, evaluated
  as the DfE's implementation does it (rows sorted by end, blank end read as the start).
- 567: the end is not before the start. 586: the start is not before the date of birth.
- 570/571: the start is not after the year end and the end is inside the year (true by
  construction; checked all the same).
- 575: a period still open at the year end must not start in a placement that ended in
  the year (the DfE expects the period to end with the placement).
- 581/578 (start within a period of care) hold by construction: only episodes that start
  while looked after are read.
- `CHILD` (not a numbered rule): a child recorded without a case-system id has no `CHILD`
  to give; its episodes are listed for fixing (`child_ids`), never exported blank.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate

from homeward.accounts.models import User
from homeward.accounts.permissions import scoped_to_visible_children
from homeward.children.models import Child, LegalStatusPeriod
from homeward.common.text import csv_cell
from homeward.common.timeutil import LONDON
from homeward.episodes.models import EpisodeStatus
from homeward.episodes.selectors import episode_list_for_user

from .child_ids import child_id_problem
from .history import (
    LOOKED_AFTER,
    ChildHistory,
    ChildRow,
    histories_for_rows,
    home_authority,
    home_authority_id,
    period_bounds,
)
from .models import CarePeriod
from .shared_snapshot import beside_possible, shared_snapshot, written_beside
from .statements import report_statements

COLUMNS = ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END")
# What the table reads of each episode and its child, in this order: the London dates of the
# start and the return are worked out by the database.
_COLUMNS = ("pk", "child_id", "start_day", "found_day", "whereabouts_known", "child__external_id",
            "child__date_of_birth", "child__sex")


@dataclass(frozen=True)
class MissingRow:
    episode: int
    child: int
    child_ref: str
    date_of_birth: date
    missing: str
    start: date
    end: date | None

    def as_csv(self) -> list[str]:
        return [self.child_ref, _dmy(self.date_of_birth), self.missing, _dmy(self.start),
                _dmy(self.end) if self.end else ""]


@dataclass(frozen=True)
class Problem:
    episode: int
    child: int
    rule: str
    message: str

    @property
    def field(self) -> str:
        return f"episode:{self.episode}"


@dataclass(frozen=True)
class MissingTable:
    year: int
    rows: list[MissingRow]
    problems: list[Problem]

    @property
    def clean(self) -> bool:
        return not self.problems


def collection_year(year: int) -> tuple[date, date]:
    """First and last day of the collection year ending in `year`."""
    return date(year - 1, 4, 1), date(year, 3, 31)


def _dmy(day: date) -> str:
    """DD/MM/YYYY (as strftime("%d/%m/%Y"), at a quarter of the cost: a national return has
    hundreds of thousands of dates)."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def _year_episodes(user: User, first: date, last: date) -> QuerySet[Any, Any]:
    """The episodes that may have a row in the year: those started by its last day and not found
    before its first (an episode found earlier ends before the year, whatever care or age cut it
    to), of the home authority's children ever looked after, with the London dates of the start
    and the return worked out by the database (`_ROWS_SQL` reads the same on PostgreSQL)."""
    year_start, year_end = period_bounds(first, last)
    in_care = LegalStatusPeriod.objects.filter(child=OuterRef("child_id"), status=LOOKED_AFTER)
    return (
        episode_list_for_user(user).exclude(status=EpisodeStatus.CANCELLED)
        .filter(child__responsible_authority_id=home_authority_id(), missing_since__lt=year_end)
        .filter(Q(found_at__isnull=True) | Q(found_at__gte=year_start))
        # Only a child ever looked after can have a row (the history says whether on the day).
        .filter(Exists(in_care))
        .annotate(start_day=TruncDate("missing_since", tzinfo=LONDON), found_day=TruncDate("found_at", tzinfo=LONDON))
    )


def ssda903_missing(user: User, *, year: int) -> MissingTable:
    """The Missing table rows of the collection year, and any problems that bar its export.

    Only the year's episodes are read (`_year_episodes`), in one query of the columns the table
    needs; the histories are read for their children alone."""
    first, last = collection_year(year)
    episodes = _year_episodes(user, first, last)
    found = list(episodes.order_by("child_id", "missing_since", "id").values_list(*_COLUMNS))
    children = {values[1]: ChildRow(values[1], values[5], values[6], values[7], home_authority())
                for values in found}
    histories = histories_for_rows(children.values(), among=episodes.order_by().values("child_id"))
    rows: list[MissingRow] = []
    problems: list[Problem] = []
    for pk, child_id, start, found_day, whereabouts_known, external_id, date_of_birth, _sex in found:
        history = histories[child_id]
        if start > last or not history.looked_after_on(start):
            continue
        end = _care_end(history, start, found_day)
        if end is not None and end < first:
            continue
        row = MissingRow(
            episode=pk, child=child_id, child_ref=external_id, date_of_birth=date_of_birth,
            missing="A" if whereabouts_known else "M", start=start,
            end=end if end is not None and end <= last else None,
        )
        rows.append(row)
        problems.extend(_row_problems(row, history, first, last))
    rows.sort(key=_file_order)
    problems.extend(_overlaps(rows))
    problems.sort(key=lambda p: (p.episode, p.rule))
    return MissingTable(year=year, rows=rows, problems=problems)


# The year's rows on PostgreSQL, worked out by the database as `ssda903_missing` works them out
# in Python (tests compare the two). The year's episodes are read as those found since the year
# began, then those not found, each one range of the episodes' index by return
# (`episode_found_covering`, which holds all this reads of them: the table itself is not read),
# with the London dates of the start and the return (`{local_start}`, `{local_found}`: `_local_day`).
# Each is joined to the run of its child's legal statuses while looked after that its start falls
# in (`CarePeriod`, kept by triggers: a child not looked after that day has none), which carries
# what the table reads of the child; the child is the home authority's, and one the person may see
# (`{visible}`: nothing to add for a role that sees the whole authority). The period ends when the
# child was found, when care ended or on their 18th birthday. Each OFFSET 0 keeps the planner from
# copying the expressions above it into every place that reads them (the end of a period into the
# file's sort keys, three times each). Columns: episode, child, ref, dob, known, start, mis_end.
# Parameters: the year's last day, its first instant and its end (twice), the home authority, the
# year's last day again, the visible children's own, then the year's first day.
_ROWS_SQL = """
SELECT episode, child, ref, dob, known, start, CASE WHEN period_end <= %s THEN period_end END AS mis_end
FROM (
    SELECT ep.id AS episode, ep.child_id AS child, care.external_id AS ref, care.date_of_birth AS dob, ep.known,
           ep.start, LEAST(care.ended, ep.found, care.eighteenth_birthday) AS period_end
    FROM (SELECT ep.id, ep.child_id, {local_start} AS start, {local_found} AS found, ep.whereabouts_known AS known
          FROM episodes_episode AS ep WHERE NOT ep.status = 'cancelled' AND ep.found_at >= %s AND ep.missing_since < %s
          UNION ALL
          SELECT ep.id, ep.child_id, {local_start}, {local_found}, ep.whereabouts_known
          FROM episodes_episode AS ep WHERE NOT ep.status = 'cancelled' AND ep.found_at IS NULL
              AND ep.missing_since < %s) AS ep
    JOIN {care} AS care ON care.child_id = ep.child_id AND care.responsible_authority_id = %s
        AND (care.began IS NULL OR care.began <= ep.start) AND (care.ended IS NULL OR ep.start < care.ended)
    WHERE ep.start <= %s{visible}
    OFFSET 0
) AS periods
WHERE period_end IS NULL OR period_end >= %s
OFFSET 0
"""

# The year's rows, for the length of the transaction (`ssda903_missing_export`).
_ROWS_TABLE = "ssda903_missing_rows"

# The export in one statement over the rows (`_ROWS_TABLE`), sorted once, in the file's order (by id, child,
# start...): the number of rows; the CSV's lines, joined in the order the window gives them (an aggregate over
# a subquery takes its rows as they come, with nothing between to reorder them; an ORDER BY of its own would
# sort them all again, a quarter of a second at 1M, and row order is not a DfE rule); and, as JSON, the rows
# that may have a problem, with what their messages name. The CSV cell of the id is `csv_cell` then the csv
# module's minimal quoting; a date is its own text under the DateStyle 'SQL, DMY' (DD/MM/YYYY), which the
# caller sets for the statement. A case-system id that may bar the export (blank, outer space, a formula's
# first character, anything but printable ASCII) is sent back to be checked in Python (`child_id_problem`).
# Rule 575 reads the placement in force on the start (the latest started, the last recorded among equals) of a
# period open at the year end. Rule 574 compares each period with the one before it in the DfE's order (by
# end, a blank end read as the start, then by start; ties in file order): while each of a child's periods ends
# by the start of the next in file order (none open but the last), the two orders are the same and no period
# clashes with the one before it, so a row is sent back `unordered` only when that does not hold, and its
# child's periods are compared in Python (`_overlaps`).
_EXPORT_SQL = r"""
WITH ordered AS (
    SELECT r.*,
           CASE WHEN ref !~ '^[=+@\t\r-]|[,"\r\n]' THEN ref  -- the usual id, as it is
                ELSE (SELECT CASE WHEN cell ~ '[,"\r\n]' THEN '"' || replace(cell, '"', '""') || '"' ELSE cell END
                      FROM (SELECT CASE WHEN ref ~ '^[=+@\t\r-]' THEN '''' || ref ELSE ref END AS cell) AS cells) END
           || ',' || dob::text || ',' || CASE WHEN known THEN 'A' ELSE 'M' END
           || ',' || start::text || ',' || COALESCE(mis_end::text, '') AS line,
           mis_end < start OR start < LAG(COALESCE(mis_end, 'infinity'::date)) OVER w AS unordered
    FROM {rows} AS r
    WINDOW w AS (PARTITION BY ref COLLATE "C", child ORDER BY start, mis_end IS NULL, COALESCE(mis_end, start), episode)
),
checked AS (
    SELECT ordered.*,
           CASE WHEN mis_end IS NULL THEN (
               SELECT placement.ended_on FROM children_placement AS placement
               WHERE placement.child_id = ordered.child
                 AND COALESCE(placement.started_on, '-infinity'::date) <= ordered.start
                 AND (placement.ended_on IS NULL OR ordered.start < placement.ended_on)
               ORDER BY COALESCE(placement.started_on, '-infinity'::date) DESC, placement.id DESC LIMIT 1
           ) END AS placement_ended
    FROM ordered
)
SELECT COUNT(*),
       string_agg(line, E'\r\n'),
       json_agg(json_build_array(episode, child, ref, dob, start, mis_end, placement_ended, unordered))
           FILTER (WHERE ref ~ '^$|^[[:space:]=+@-]|[[:space:]]$|[^ -~]' OR unordered OR start < dob
                   OR start > %s OR mis_end < %s OR mis_end > %s OR placement_ended <= %s)::text
FROM checked
"""

# The rows of some children in the file's order (`_overlaps` compares them).
_CHILDREN_ROWS_SQL = """
SELECT episode, child, ref, dob, known, start, mis_end FROM {rows} AS r WHERE child = ANY(%s)
ORDER BY ref COLLATE "C", child, start, mis_end IS NULL, COALESCE(mis_end, start), episode
"""


def _local_day(column: str, *, london_session: bool) -> str:
    """The Europe/London date of an instant column: in a session whose TimeZone is Europe/London
    the cast alone, which reads the zone's rules once a statement (AT TIME ZONE looks the zone up
    by its name for every value: a national year is half a million of them)."""
    return f"{column}::date" if london_session else f"({column} AT TIME ZONE '{LONDON.key}')::date"


def _rows_sql(user: User, first: date, last: date, *, london_session: bool = False) -> tuple[str, list[Any]]:
    """The year's rows as SQL (`_ROWS_SQL`) and its parameters; `london_session`: to be run with
    the TimeZone Europe/London."""
    year_start, year_end = period_bounds(first, last)
    visible = scoped_to_visible_children(Child.objects.all(), user, "pk").order_by().values("pk")
    visible_sql, visible_params = "", []
    if visible.query.where:
        sql, params = visible.query.get_compiler(using=visible.db).as_sql()
        visible_sql, visible_params = f" AND ep.child_id IN ({sql})", list(params)
    return _ROWS_SQL.format(care=CarePeriod._meta.db_table, visible=visible_sql,
                            local_start=_local_day("ep.missing_since", london_session=london_session),
                            local_found=_local_day("ep.found_at", london_session=london_session)), [
        last, year_start, year_end, year_end, home_authority_id(), last, *visible_params, first]


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text is not None else None


def _care_end(history: ChildHistory, start: date, found: date | None) -> date | None:
    """The end of the period: found, or the end of care if that came first."""
    limits = [d for d in (history.care_ends_after(start), history.eighteenth_birthday()) if d is not None]
    if found is not None:
        limits.append(found)
    return min(limits) if limits else None


def _file_order(row: MissingRow) -> tuple[str, int, date, bool, date, int]:
    """Rows by child and start; an open period after an ended one of the same day."""
    return (row.child_ref, row.child, row.start, row.end is None, row.end or row.start, row.episode)


def _row_problems(row: MissingRow, history: ChildHistory, first: date, last: date) -> list[Problem]:
    placement = history.placement_on(row.start) if row.end is None else None
    return _period_problems(row, placement.ended_on if placement is not None else None, first, last)


def _period_problems(row: MissingRow, placement_ended: date | None, first: date, last: date) -> list[Problem]:
    """The row's own problems; `placement_ended` is when the placement in force on the start
    ended, for a period still open at the year end."""
    out = []

    def problem(rule: str, message: str) -> None:
        out.append(Problem(episode=row.episode, child=row.child, rule=rule, message=message))

    id_problem = child_id_problem(row.child_ref)
    if id_problem:
        problem("CHILD", id_problem)

    if row.end is not None and row.end < row.start:
        problem("567", f"The episode ends ({_dmy(row.end)}) before it starts ({_dmy(row.start)}).")
    if row.start < row.date_of_birth:
        problem("586", f"The episode starts ({_dmy(row.start)}) before the child's date of birth "
                       f"({_dmy(row.date_of_birth)}).")
    if row.start > last:
        problem("570", f"The episode starts after the end of the collection year ({_dmy(last)}).")
    if row.end is not None and not first <= row.end <= last:
        problem("571", f"The episode's end ({_dmy(row.end)}) is outside the collection year.")
    if row.end is None and placement_ended is not None and placement_ended <= last:
        problem("575", f"The child is recorded missing from {_dmy(row.start)} with no return by the year end, "
                       f"but the placement they went missing from ended on {_dmy(placement_ended)}: "
                       "record when the child was found, or correct the placement history.")
    return out


def _overlap(episode: int, child: int, start: date, previous: int, previous_start: date,
             previous_end: date | None) -> Problem | None:
    """Rule 574 between a period and the one before it in the DfE's order, if broken."""
    if previous_end is None:
        return Problem(episode, child, "574", f"This episode starts ({_dmy(start)}) while episode {previous} "
                                              f"(from {_dmy(previous_start)}) is still open: record when the child "
                                              "was found.")
    if start < previous_end:
        return Problem(episode, child, "574", f"This episode ({_dmy(start)}) overlaps episode {previous} "
                                              f"({_dmy(previous_start)} to {_dmy(previous_end)}).")
    return None


def _overlaps(rows: list[MissingRow]) -> list[Problem]:
    """Rule 574 as the DfE's implementation applies it: each child's periods sorted (stably,
    from file order) by end, a blank end read as the start, then by start; a period is at
    fault when the one before it is still open or ends after it starts."""
    by_child: dict[int, list[MissingRow]] = defaultdict(list)
    for row in rows:
        by_child[row.child].append(row)
    out = []
    for periods in by_child.values():
        ordered = sorted(periods, key=lambda r: (r.end or r.start, r.start))
        for previous, row in pairwise(ordered):
            clash = _overlap(row.episode, row.child, row.start, previous.episode, previous.start, previous.end)
            if clash is not None:
                out.append(clash)
    return out


def ssda903_missing_csv(table: MissingTable) -> str:
    """The table as the DfE's CSV: UTF-8, header row, dates DD/MM/YYYY, blank for none."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in table.rows:
        # Defensive: an id a spreadsheet would run as a formula is a problem that bars the
        # export, and is quote-prefixed should it ever be written (OWASP CSV injection). The
        # other cells are dates and a letter, which never begin a formula.
        child_ref, *rest = row.as_csv()
        writer.writerow([csv_cell(child_ref), *rest])
    return buffer.getvalue()


@dataclass(frozen=True)
class MissingExport:
    """The Missing table of a year as it is exported: the CSV (blank while there are problems),
    its number of rows, the problems that bar it, and the (episode, child) of each row for the
    audit log: on PostgreSQL a query (SQL and parameters) that reads the year's rows again inside
    the statement that writes the entries, elsewhere the pairs themselves."""

    year: int
    rows: int
    problems: list[Problem]
    csv: str
    named_sql: tuple[str, list[Any]] | None = None
    named: list[tuple[int, int]] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class ExportedRows:
    """What the audit log records of an export's rows (`ssda903_missing_export`'s `audit`): how
    many, and the (episode, child) of each: on PostgreSQL a query (SQL and parameters) that the
    statement writing the entries reads, elsewhere the pairs themselves."""

    rows: int
    named_sql: tuple[str, list[Any]] | None = None
    named: list[tuple[int, int]] = field(default_factory=list)


def ssda903_missing_export(user: User, *, year: int,
                           audit: Callable[[ExportedRows], object] | None = None) -> MissingExport:
    """`ssda903_missing` and `ssda903_missing_csv` in one: the same rows, problems and bytes. On
    PostgreSQL the database works out the rows, then the problems' facts and the CSV's lines
    (a national year is a quarter of a million rows: no model or row object is made for them).
    Elsewhere the table is built in Python.

    `audit`, when given, records the export (its entry in the audit log naming each child of a
    row, ADR 0017), and what it writes is kept only when the export is clean. On PostgreSQL with
    no transaction open and another connection allowed (`beside_possible`), it is written beside
    the export (`written_beside`): that connection works the rows out again on the export's
    snapshot and writes the entry while this one builds the file, and commits once the file is
    known clean (a national year at 1M: 1.04 s one after the other). Otherwise it is called
    after the export, in the same transaction, over the rows the export worked out."""
    if connection.vendor != "postgresql":
        table = ssda903_missing(user, year=year)
        export = MissingExport(year=year, rows=len(table.rows), problems=table.problems,
                               csv=ssda903_missing_csv(table) if table.clean else "",
                               named=[(row.episode, row.child) for row in table.rows])
        if audit is not None and export.clean:
            audit(ExportedRows(rows=export.rows, named=export.named))
        return export
    if audit is not None and beside_possible():
        return _export_audited_beside(user, year, audit)
    # The rows' table lives as long as the transaction: the caller's, or this one with `audit`.
    kept = connection.in_atomic_block or audit is not None
    with transaction.atomic():
        export = _export_from_rows_table(user, year, kept=kept)
        if audit is not None and export.clean:
            audit(ExportedRows(rows=export.rows, named_sql=export.named_sql))
    return export


def _export_statement(cursor: Any, rows: str, params: list[Any], first: date,
                      last: date) -> tuple[int, str, list[Problem]]:
    """The export's statement (`_EXPORT_SQL`) over `rows` (the rows' table, or their statement
    with its `params`), in a transaction whose TimeZone is Europe/London and DateStyle 'SQL, DMY':
    the number of rows, the CSV's lines and the problems found."""
    cursor.execute(_EXPORT_SQL.format(rows=rows), [*params, last, first, last, last])
    count, lines, found = cursor.fetchone()
    problems: list[Problem] = []
    unordered: set[int] = set()
    for episode, child, ref, dob, start, end, placement_ended, out_of_order in json.loads(found or "[]"):
        row = MissingRow(episode=episode, child=child, child_ref=ref, date_of_birth=date.fromisoformat(dob),
                         missing="", start=date.fromisoformat(start), end=_day(end))
        problems.extend(_period_problems(row, _day(placement_ended), first, last))
        if out_of_order:
            unordered.add(child)
    if unordered:
        cursor.execute(_CHILDREN_ROWS_SQL.format(rows=rows), [*params, sorted(unordered)])
        problems.extend(_overlaps([
            MissingRow(episode=episode, child=child, child_ref=ref, date_of_birth=dob,
                       missing="A" if known else "M", start=start, end=end)
            for episode, child, ref, dob, known, start, end in cursor.fetchall()
        ]))
    problems.sort(key=lambda p: (p.episode, p.rule))
    return count, lines or "", problems


def _csv_text(count: int, lines: str, problems: list[Problem]) -> str:
    header = ",".join(COLUMNS) + "\r\n"
    return "" if problems else header + (lines + "\r\n" if count else "")


def _london_dates(cursor: Any) -> tuple[str, str]:
    """For the rows' and the export's statements, the TimeZone Europe/London (the London dates of
    instants, `_local_day`) and the DateStyle 'SQL, DMY' (dates as DD/MM/YYYY: a date's own text,
    at half the cost of to_char), for the transaction; the settings they replace."""
    cursor.execute("SELECT current_setting('TimeZone'), current_setting('DateStyle')")
    time_zone, date_style = cursor.fetchone()
    cursor.execute("SELECT set_config('TimeZone', %s, true), set_config('DateStyle', 'SQL, DMY', true)",
                   [LONDON.key])
    return time_zone, date_style


def _no_parallel_workers(cursor: Any) -> None:
    """For the rest of the transaction, no parallel workers: the export and its audit entry run
    at once on two connections, and a worker of either takes the other's core (at 1M on two cores:
    1.05 s with them, 0.9 s without)."""
    cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")


def _settings_again(cursor: Any, settings: tuple[str, str]) -> None:
    cursor.execute("SELECT set_config('TimeZone', %s, true), set_config('DateStyle', %s, true)", list(settings))


def _export_from_rows_table(user: User, year: int, *, kept: bool) -> MissingExport:
    """The export over the rows worked out once into a table of the transaction's own, which the
    export's statement and then the audit log's read (`named_sql`). `kept`: the transaction goes
    on after this (the caller's); if not, the audit log's statement works the rows out again (the
    table goes with this function's own transaction), in the caller's TimeZone."""
    first, last = collection_year(year)
    rows_sql, params = _rows_sql(user, first, last, london_session=True)
    with report_statements(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{_ROWS_TABLE}")
        settings = _london_dates(cursor)
        cursor.execute(f"CREATE TEMPORARY TABLE {_ROWS_TABLE} ON COMMIT DROP AS {rows_sql}", params)
        count, lines, problems = _export_statement(cursor, _ROWS_TABLE, [], first, last)
        _settings_again(cursor, settings)
    if not kept:
        rows_sql, params = _rows_sql(user, first, last)
    named: tuple[str, list[Any]] = ((f"SELECT episode, child FROM {_ROWS_TABLE}", []) if kept else  # noqa: S608
                                    (f"SELECT episode, child FROM ({rows_sql}) AS named", params))  # noqa: S608
    return MissingExport(year=year, rows=count, problems=problems, csv=_csv_text(count, lines, problems),
                         named_sql=named)


# The (episode, child) of the year's rows on the audit log's connection (`_audit_beside`).
_NAMED_TABLE = "ssda903_missing_named"


def _audit_beside(user: User, first: date, last: date, audit: Callable[[ExportedRows], object]) -> int:
    """On the audit log's own connection, on the export's snapshot: the year's rows worked out
    again, their (episode, child) kept in a table of the transaction's own, and `audit` called
    over them; the number of rows."""
    rows_sql, params = _rows_sql(user, first, last, london_session=True)
    with connection.cursor() as cursor:
        _no_parallel_workers(cursor)
        settings = _london_dates(cursor)
        cursor.execute(f"CREATE TEMPORARY TABLE {_NAMED_TABLE} ON COMMIT DROP AS "  # noqa: S608 (constants)
                       f"SELECT episode, child FROM ({rows_sql}) AS named", params)
        _settings_again(cursor, settings)
        cursor.execute(f"SELECT COUNT(*) FROM {_NAMED_TABLE}")  # noqa: S608 (a constant)
        count = int(cursor.fetchone()[0])
    audit(ExportedRows(rows=count, named_sql=(f"SELECT episode, child FROM {_NAMED_TABLE}", [])))  # noqa: S608
    return count


def _export_audited_beside(user: User, year: int, audit: Callable[[ExportedRows], object]) -> MissingExport:
    """The export on a snapshot shared with the audit log's connection (`written_beside`), which
    writes the entry while this one works out the rows and the file in one statement (its
    transaction is read-only: no table of its own); the entry kept only when the file is clean."""
    first, last = collection_year(year)
    # Called only when `beside_possible`: the snapshot is then exported for the write beside.
    with shared_snapshot(), written_beside(lambda: _audit_beside(user, first, last, audit)) as beside:
        rows_sql, params = _rows_sql(user, first, last, london_session=True)
        with connection.cursor() as cursor:
            _no_parallel_workers(cursor)
            _london_dates(cursor)
            count, lines, problems = _export_statement(cursor, f"({rows_sql})", params, first, last)
        export = MissingExport(year=year, rows=count, problems=problems,
                               csv=_csv_text(count, lines, problems))
        if export.clean and beside.keep() != count:
            raise RuntimeError("the audit log's rows of the SSDA903 export differ from the file's")
    return export
