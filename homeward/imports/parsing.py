"""Reading an import file into rows, each value parsed or an error naming row and column.

Two layouts (ADR 0005):

- `ssda903`: the DfE Missing table, columns exactly `CHILD, DOB, MISSING, MIS_START,
  MIS_END` (any order), dates `DD/MM/YYYY`. Dates carry no time: an episode starts at
  00:00 Europe/London on `MIS_START` and ends at 00:00 on `MIS_END`.
- `case_system`: a CSV export of the authority's case system with a header row. Required:
  `external_id`, `date_of_birth`, `missing_since`, `type` (`M` or `A`). Optional:
  `found_at`, `reported_at`, `classification` (`missing` or `absent`; default `missing`
  for `M`, `absent` for `A`), `risk_level`, `police_force` (a force's code, as
  `GET /api/v1/codes/...`, or its name), `police_reference`, `location_last_seen`, `found_location`.
  Dates `YYYY-MM-DD` or `DD/MM/YYYY`; date-times ISO 8601 with an offset, or without
  one as Europe/London wall-clock time (`2024-06-02 00:30`; the first of a repeated
  October hour).

Rows are numbered as a spreadsheet shows them: the header is row 1. Blank lines are
ignored. A row with no end is an episode still open in that file: it is not imported
(the authority reports a child missing now through Homeward) and is listed as a warning.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time

from homeward.common.text import identifier_problem
from homeward.common.timeutil import LONDON

SSDA903_COLUMNS = ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END")
CASE_SYSTEM_REQUIRED = ("external_id", "date_of_birth", "missing_since", "type")
CASE_SYSTEM_OPTIONAL = ("found_at", "reported_at", "classification", "risk_level", "police_force",
                        "police_reference", "location_last_seen", "found_location")


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    @property
    def field(self) -> str:
        return f"rows[{self.row}].{self.column}" if self.column else f"rows[{self.row}]"


@dataclass(frozen=True)
class ParsedRow:
    """One row's values, parsed but not yet checked against the database."""

    row: int
    child_ref: str
    date_of_birth: date
    whereabouts_known: bool
    missing_since: datetime
    found_at: datetime | None
    reported_at: datetime
    classification: str
    risk_level: str = ""
    police_force: str = ""
    police_reference: str = ""
    location_last_seen: str = ""
    found_location: str = ""
    # Dates only (SSDA903): duplicates and overlaps are judged on calendar dates.
    dates_only: bool = False
    # Column names as the file spells them, for error messages.
    columns: tuple[str, str, str, str, str] = ("external_id", "date_of_birth", "type", "missing_since", "found_at")


@dataclass(frozen=True)
class ParsedFile:
    rows: list[ParsedRow]
    errors: list[RowError]
    open_rows: list[int]
    total_rows: int


class _Row:
    """Parses one raw row, collecting every error."""

    def __init__(self, number: int, raw: dict[str, str], errors: list[RowError]) -> None:
        self.number = number
        self.raw = raw
        self.errors = errors
        self.ok = True

    def text(self, column: str) -> str:
        return (self.raw.get(column) or "").strip()

    def fail(self, column: str, message: str) -> None:
        self.ok = False
        self.errors.append(RowError(self.number, column, message))

    def required(self, column: str) -> str:
        value = self.text(column)
        if not value:
            self.fail(column, "This is required.")
        return value

    def day(self, column: str, *, dmy_only: bool) -> date | None:
        value = self.text(column)
        if not value:
            return None
        parsed = _parse_date(value, dmy_only=dmy_only)
        if parsed is None:
            self.fail(column, f"{value!r} is not a date {'DD/MM/YYYY' if dmy_only else 'YYYY-MM-DD or DD/MM/YYYY'}.")
        return parsed

    def instant(self, column: str) -> datetime | None:
        value = self.text(column)
        if not value:
            return None
        parsed = _parse_datetime(value)
        if parsed is None:
            self.fail(column, f"{value!r} is not a date and time (YYYY-MM-DD HH:MM, optionally with an offset).")
        return parsed


def _parse_date(value: str, *, dmy_only: bool) -> date | None:
    formats = ("%d/%m/%Y",) if dmy_only else ("%d/%m/%Y", "%Y-%m-%d")
    for fmt in formats:
        try:
            return datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a date, no time
        except ValueError:
            continue
    return None


def _parse_datetime(value: str) -> datetime | None:
    text = value.strip().replace("Z", "+00:00")
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        for fmt in ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S"):
            try:
                parsed = datetime.strptime(text, fmt)  # noqa: DTZ007 - London wall-clock time, below
                break
            except ValueError:
                continue
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=LONDON, fold=0)
    return parsed


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LONDON)


def _reader(content: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    text = content.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text))
    lines = list(reader)
    if not lines:
        return [], []
    header = [h.strip() for h in lines[0]]
    rows = []
    for number, values in enumerate(lines[1:], start=2):
        if not any(v.strip() for v in values):
            continue
        rows.append((number, dict(zip(header, values, strict=False))))
    return header, rows


def parse_ssda903(content: str) -> ParsedFile:
    header, raw_rows = _reader(content)
    errors: list[RowError] = []
    if sorted(header) != sorted(SSDA903_COLUMNS):
        errors.append(RowError(1, "", f"The columns must be exactly {', '.join(SSDA903_COLUMNS)}; "
                                      f"this file has {', '.join(header) or 'none'}."))
        return ParsedFile([], errors, [], len(raw_rows))
    rows, open_rows = [], []
    for number, raw in raw_rows:
        row = _Row(number, raw, errors)
        child_ref = row.required("CHILD")
        if child_ref and identifier_problem(child_ref):
            # Issue 14, item 6: never matched nor handed on; named as the column at fault.
            row.fail("CHILD", identifier_problem(child_ref).replace("The case-system id", "CHILD"))
        dob = row.day("DOB", dmy_only=True) if row.required("DOB") else None
        kind = row.required("MISSING").upper()
        if kind and kind not in ("M", "A"):
            row.fail("MISSING", "MISSING must be M (whereabouts unknown) or A (away, whereabouts known).")
        start = row.day("MIS_START", dmy_only=True) if row.required("MIS_START") else None
        end = row.day("MIS_END", dmy_only=True)
        if start and end and end < start:
            row.fail("MIS_END", "The end is before the start.")
        if not row.ok or dob is None or start is None:
            continue
        if end is None:
            open_rows.append(number)
            continue
        rows.append(ParsedRow(
            row=number, child_ref=child_ref, date_of_birth=dob, whereabouts_known=kind == "A",
            missing_since=local_midnight(start), found_at=local_midnight(end), reported_at=local_midnight(start),
            classification="absent" if kind == "A" else "missing", dates_only=True,
            columns=("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"),
        ))
    return ParsedFile(rows, errors, open_rows, len(raw_rows))


def parse_case_system(content: str) -> ParsedFile:
    header, raw_rows = _reader(content)
    errors: list[RowError] = []
    missing = [c for c in CASE_SYSTEM_REQUIRED if c not in header]
    unknown = [c for c in header if c not in CASE_SYSTEM_REQUIRED + CASE_SYSTEM_OPTIONAL]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            parts.append(f"unknown column(s) {', '.join(unknown)}")
        errors.append(RowError(1, "", "The header has " + " and ".join(parts) + "."))
        return ParsedFile([], errors, [], len(raw_rows))
    rows, open_rows = [], []
    for number, raw in raw_rows:
        row = _Row(number, raw, errors)
        child_ref = row.required("external_id")
        if child_ref and identifier_problem(child_ref):
            # Issue 14, item 6: never matched nor handed on; named as the column at fault.
            row.fail("external_id", identifier_problem(child_ref).replace("The case-system id", "external_id"))
        dob = row.day("date_of_birth", dmy_only=False) if row.required("date_of_birth") else None
        kind = row.required("type").upper()
        if kind and kind not in ("M", "A"):
            row.fail("type", "type must be M (whereabouts unknown) or A (away, whereabouts known).")
        start = row.instant("missing_since") if row.required("missing_since") else None
        end = row.instant("found_at")
        reported = row.instant("reported_at")
        if start and end and end < start:
            row.fail("found_at", "Found is before the child went missing.")
        if start and reported and reported < start:
            row.fail("reported_at", "Reported is before the child went missing.")
        classification = row.text("classification").lower() or ("absent" if kind == "A" else "missing")
        if classification not in ("missing", "absent"):
            row.fail("classification", "classification must be missing or absent.")
        risk = row.text("risk_level").lower()
        if risk and risk not in ("very_low", "low", "medium", "high"):
            row.fail("risk_level", "risk_level must be very_low, low, medium or high.")
        if row.text("police_reference") and not row.text("police_force"):
            row.fail("police_force", "Give the police force that issued the reference.")
        if not row.ok or dob is None or start is None:
            continue
        if end is None:
            open_rows.append(number)
            continue
        rows.append(ParsedRow(
            row=number, child_ref=child_ref, date_of_birth=dob, whereabouts_known=kind == "A",
            missing_since=start, found_at=end, reported_at=reported or start, classification=classification,
            risk_level=risk, police_force=row.text("police_force"), police_reference=row.text("police_reference"),
            location_last_seen=row.text("location_last_seen"), found_location=row.text("found_location"),
        ))
    return ParsedFile(rows, errors, open_rows, len(raw_rows))
