"""Importing historical episodes: check every row, then write all of them or none.

Checks, per row (each failure names row and column): the child exists (`external_id`)
and the date of birth matches; the child was under 18 and born when the episode began;
no time is in the future; the police force is known (by its code or name); the episode does not overlap
another of the child's, already recorded or earlier in the file. Rows that repeat an
episode already recorded (same child, same start and end, to the minute, or to the day
for an SSDA903 file; or the same police reference) are skipped, not errors.

Episodes are written through the episode services (`episode_report` with
`reported_by="other"`, then `episode_record_found`), so history, chronology, audit and
obligations follow as for any episode.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from homeward.accounts.models import User
from homeward.accounts.permissions import Capability, require
from homeward.audit.services import audit_record
from homeward.casework.episodes import episode_report
from homeward.children.models import Child
from homeward.common.errors import DomainValidationError
from homeward.common.timeutil import age_on, local_date
from homeward.episodes.models import Episode, EpisodeStatus
from homeward.reference.models import PoliceForce
from homeward.reference.selectors import police_force_resolve, police_force_unknown_message

from .models import ImportFormat, ImportJob, ImportStatus
from .parsing import ParsedFile, ParsedRow, RowError, parse_case_system, parse_ssda903

log = logging.getLogger(__name__)

#: Called as progress(done, total) while rows are checked, then written.
Progress = Callable[[int, int], None]
PROGRESS_EVERY = 50


@dataclass
class ImportResult:
    total_rows: int
    created: int = 0
    skipped_duplicates: int = 0
    skipped_open: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    episodes: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class _Checked:
    rows: list[tuple[ParsedRow, Child]]
    duplicates: int


class _Rollback(Exception):
    pass


def import_parse(content: str, fmt: str) -> ParsedFile:
    if fmt == ImportFormat.SSDA903:
        return parse_ssda903(content)
    if fmt == ImportFormat.CASE_SYSTEM:
        return parse_case_system(content)
    raise DomainValidationError.single("format", f"Use one of {', '.join(ImportFormat.values)}.")


def _span(row: ParsedRow) -> tuple[datetime, datetime]:
    assert row.found_at is not None
    return row.missing_since, row.found_at


def _same_episode(row: ParsedRow, episode: Episode) -> bool:
    if episode.found_at is None:
        return False
    if row.dates_only:
        assert row.found_at is not None
        return (local_date(episode.missing_since) == local_date(row.missing_since)
                and local_date(episode.found_at) == local_date(row.found_at))
    trim = timedelta(seconds=59)
    return (abs(episode.missing_since - row.missing_since) <= trim
            and row.found_at is not None and abs(episode.found_at - row.found_at) <= trim)


def _overlaps(start: datetime, end: datetime, other_start: datetime, other_end: datetime | None) -> bool:
    return start < (other_end or datetime.max.replace(tzinfo=start.tzinfo)) and other_start < end


def _check(parsed: ParsedFile, progress: Progress | None) -> tuple[_Checked, list[RowError]]:
    errors = list(parsed.errors)
    refs = {row.child_ref for row in parsed.rows}
    children = {c.external_id: c for c in Child.objects.filter(external_id__in=refs)}
    existing: dict[int, list[Episode]] = defaultdict(list)
    for episode in Episode.objects.filter(child__in=children.values()).exclude(status=EpisodeStatus.CANCELLED):
        existing[episode.child_id].append(episode)
    # Each way of naming a force is resolved once per file (a file names few forces, many times).
    forces: dict[str, PoliceForce | None] = {}
    now = timezone.now()
    accepted: list[tuple[ParsedRow, Child]] = []
    in_file: dict[int, list[ParsedRow]] = defaultdict(list)
    duplicates = 0
    for index, row in enumerate(parsed.rows, start=1):
        if progress and index % PROGRESS_EVERY == 0:
            progress(index, len(parsed.rows))
        ref_col, dob_col, _, start_col, end_col = row.columns
        child = children.get(row.child_ref)
        if child is None:
            errors.append(RowError(row.row, ref_col, f"No child has the case-system id {row.child_ref!r}."))
            continue
        row_errors: list[RowError] = []
        if child.date_of_birth != row.date_of_birth:
            row_errors.append(RowError(row.row, dob_col, f"The child {row.child_ref} was born on "
                                                         f"{child.date_of_birth:%d/%m/%Y}, "
                                                         f"not {row.date_of_birth:%d/%m/%Y}."))
        start_day = local_date(row.missing_since)
        if start_day < child.date_of_birth:
            row_errors.append(RowError(row.row, start_col, "The episode starts before the child was born."))
        elif age_on(child.date_of_birth, start_day) >= 18:
            row_errors.append(RowError(row.row, start_col, "The child was 18 or older: Homeward is for children."))
        for column, value in ((start_col, row.missing_since), (end_col, row.found_at)):
            if value is not None and value > now:
                row_errors.append(RowError(row.row, column, "This is in the future."))
        if row.police_force:
            if row.police_force not in forces:
                forces[row.police_force] = police_force_resolve(row.police_force)
            if forces[row.police_force] is None:
                row_errors.append(RowError(row.row, "police_force", police_force_unknown_message(row.police_force)))
        if row_errors:
            errors.extend(row_errors)
            continue
        if any(_same_episode(row, e) for e in existing[child.pk]) or any(
            _same_row(row, other) for other in in_file[child.pk]
        ):
            duplicates += 1
            continue
        start, end = _span(row)
        clash = next((e for e in existing[child.pk] if _overlaps(start, end, e.missing_since, e.found_at)), None)
        if clash is not None:
            errors.append(RowError(row.row, start_col, f"This overlaps episode {clash.pk} of the child, from "
                                                       f"{timezone.localtime(clash.missing_since):%d/%m/%Y %H:%M}."))
            continue
        earlier = next((o for o in in_file[child.pk] if _overlaps(start, end, *_span(o))), None)
        if earlier is not None:
            errors.append(RowError(row.row, start_col, f"This overlaps row {earlier.row} of the file."))
            continue
        in_file[child.pk].append(row)
        accepted.append((row, child))
    if progress:
        progress(len(parsed.rows), len(parsed.rows))
    return _Checked(accepted, duplicates), errors


def _same_row(row: ParsedRow, other: ParsedRow) -> bool:
    return (row.missing_since, row.found_at, row.whereabouts_known) == (
        other.missing_since, other.found_at, other.whereabouts_known)


def _write(actor: User, rows: list[tuple[ParsedRow, Child]], source: str, result: ImportResult,
           progress: Progress | None) -> None:
    for index, (row, child) in enumerate(rows, start=1):
        try:
            report = episode_report(
                actor=actor, child=child, reported_at=row.reported_at, reported_by="other",
                last_seen_at=row.missing_since if row.missing_since != row.reported_at else None,
                location_last_seen=row.location_last_seen, classification=row.classification,
                whereabouts_known=row.whereabouts_known, risk_level=row.risk_level,
                police_force=row.police_force, police_reference=row.police_reference,
                reporter_name=f"Imported from {source}, row {row.row}",
                circumstances=f"Imported from {source}, row {row.row}.",
                imported_from=f"{source}, row {row.row}",
                found_at=row.found_at, found_location=row.found_location,
            )
            if not report.created:
                result.skipped_duplicates += 1
                continue
        except DomainValidationError as exc:
            result.errors.extend(RowError(row.row, e.field, e.message) for e in exc.errors)
            continue
        result.created += 1
        result.episodes.append(report.episode.pk)
        if progress and index % PROGRESS_EVERY == 0:
            progress(index, len(rows))
    if result.errors:
        raise _Rollback


def import_missing(*, actor: User, content: str, fmt: str, source: str = "file", dry_run: bool = False,
                   checking: Progress | None = None, writing: Progress | None = None,
                   on_writing: Callable[[], None] | None = None) -> ImportResult:
    """Check every row of the file; with no errors (and not `dry_run`), write every episode
    in one transaction. With any error nothing is written and the result lists them all."""
    require(actor, Capability.IMPORT)
    parsed = import_parse(content, fmt)
    result = ImportResult(total_rows=parsed.total_rows, skipped_open=len(parsed.open_rows), dry_run=dry_run)
    result.warnings = [RowError(n, "", "No end date: the episode was open in this file and is not imported.")
                       for n in parsed.open_rows]
    checked, errors = _check(parsed, checking)
    result.errors = errors
    result.skipped_duplicates = checked.duplicates
    if errors or dry_run:
        result.created = 0 if errors else len(checked.rows)
        return result
    if on_writing:
        on_writing()
    try:
        with transaction.atomic():
            _write(actor, checked.rows, source, result, writing)
            audit_record(actor=actor, action="create", object_type="episode_import", detail={
                "source": source, "format": fmt, "rows": parsed.total_rows, "created": result.created,
                "skipped_duplicates": result.skipped_duplicates, "skipped_open": result.skipped_open,
            })
    except _Rollback:
        result.created = 0
        result.episodes = []
    return result


def import_job_create(*, actor: User, content: str, fmt: str, filename: str = "", dry_run: bool = False) -> ImportJob:
    require(actor, Capability.IMPORT)
    if fmt not in ImportFormat.values:
        raise DomainValidationError.single("format", f"Use one of {', '.join(ImportFormat.values)}.")
    return ImportJob.objects.create(format=fmt, filename=filename[:255], content=content, dry_run=dry_run,
                                    created_by=actor)


def import_job_run(job: ImportJob) -> ImportJob:
    """Run a queued job, saving its progress as it goes (a progress page polls it)."""
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.QUEUED).update(
        status=ImportStatus.CHECKING, started_at=timezone.now())
    job.refresh_from_db()
    if not claimed:
        return job

    def checking(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(processed_rows=done, total_rows=total)

    def writing() -> None:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.WRITING)

    try:
        result = import_missing(actor=job.created_by, content=job.content, fmt=job.format,
                                source=job.filename or f"import {job.pk}", dry_run=job.dry_run,
                                checking=checking, on_writing=writing)
    except Exception as exc:
        log.exception("import %s failed", job.pk)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.FAILED, finished_at=timezone.now(),
            errors=[{"field": "file", "message": f"The import stopped: {type(exc).__name__}: {exc}"}])
        job.refresh_from_db()
        return job
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.SUCCEEDED if result.ok else ImportStatus.FAILED, finished_at=timezone.now(),
        total_rows=result.total_rows, processed_rows=result.total_rows, created=result.created,
        skipped_duplicates=result.skipped_duplicates, skipped_open=result.skipped_open,
        errors=[{"field": e.field, "message": e.message} for e in result.errors],
        warnings=[{"field": e.field, "message": e.message} for e in result.warnings],
    )
    job.refresh_from_db()
    return job


def import_jobs_run_pending() -> int:
    """Periodic task of the worker: run queued jobs, oldest first. Returns how many ran."""
    ran = 0
    for job in ImportJob.objects.filter(status=ImportStatus.QUEUED).order_by("created_at", "id"):
        import_job_run(job)
        ran += 1
    return ran
