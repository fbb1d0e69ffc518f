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
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import TruncDate

from homeward.accounts.models import User
from homeward.children.models import LegalStatusPeriod
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


def ssda903_missing(user: User, *, year: int) -> MissingTable:
    """The Missing table rows of the collection year, and any problems that bar its export.

    Only the year's episodes are read: those started by its last day and not found before its
    first (an episode found earlier ends before the year, whatever care or age cut it to), in
    one query of the columns the table needs; the histories are read for their children alone."""
    first, last = collection_year(year)
    year_start, year_end = period_bounds(first, last)
    in_care = LegalStatusPeriod.objects.filter(child=OuterRef("child_id"), status=LOOKED_AFTER)
    episodes = (
        episode_list_for_user(user).exclude(status=EpisodeStatus.CANCELLED)
        .filter(child__responsible_authority_id=home_authority_id(), missing_since__lt=year_end)
        .filter(Q(found_at__isnull=True) | Q(found_at__gte=year_start))
        # Only a child ever looked after can have a row (the history says whether on the day).
        .filter(Exists(in_care))
        .annotate(start_day=TruncDate("missing_since", tzinfo=LONDON), found_day=TruncDate("found_at", tzinfo=LONDON))
    )
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
    if row.end is None:
        placement = history.placement_on(row.start)
        if placement is not None and placement.ended_on is not None and placement.ended_on <= last:
            problem("575", f"The child is recorded missing from {_dmy(row.start)} with no return by the year end, "
                           f"but the placement they went missing from ended on {_dmy(placement.ended_on)}: "
                           "record when the child was found, or correct the placement history.")
    return out


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
            if previous.end is None:
                out.append(Problem(row.episode, row.child, "574",
                                   f"This episode starts ({_dmy(row.start)}) while episode {previous.episode} "
                                   f"(from {_dmy(previous.start)}) is still open: record when the child was found."))
            elif row.start < previous.end:
                out.append(Problem(row.episode, row.child, "574",
                                   f"This episode ({_dmy(row.start)}) overlaps episode {previous.episode} "
                                   f"({_dmy(previous.start)} to {_dmy(previous.end)})."))
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
