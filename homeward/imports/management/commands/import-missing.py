"""`homeward import-missing FILE`: import historical episodes, all or nothing."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from homeward.accounts.models import User
from homeward.audit.context import RequestOrigin, origin
from homeward.imports.models import ImportFormat
from homeward.imports.services import import_missing

FORMATS = {"ssda903": ImportFormat.SSDA903, "case-system": ImportFormat.CASE_SYSTEM}


class ProgressBar:
    """A text progress bar on standard error, redrawn at most ten times a second."""

    def __init__(self, label: str, stream: TextIO, width: int = 30) -> None:
        self.label = label
        self.stream = stream
        self.width = width
        self.drawn = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.drawn < 0.1:
            return
        self.drawn = now
        filled = int(self.width * done / total) if total else self.width
        self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {done}/{total}")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


class Command(BaseCommand):
    help = ("Import historical missing episodes from an SSDA903 Missing file or a case-system CSV export. "
            "Every row is checked first; with any error nothing is imported.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The CSV file (UTF-8).")
        parser.add_argument("--format", choices=sorted(FORMATS), default="ssda903")
        parser.add_argument("--user", required=True, help="Username of the person importing (recorded in the audit).")
        parser.add_argument("--dry-run", action="store_true", help="Check and report; write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            content = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        actor = User.objects.filter(username=options["user"], is_active=True).first()
        if actor is None:
            raise CommandError(f"No active person has the username {options['user']!r}.")
        with origin(RequestOrigin(channel="cli")):
            result = import_missing(
                actor=actor, content=content, fmt=FORMATS[options["format"]], source=path.name,
                dry_run=options["dry_run"], checking=ProgressBar("Checking", sys.stderr),
                writing=ProgressBar("Writing ", sys.stderr),
            )
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning.field}: {warning.message}")
        if result.errors:
            for error in result.errors:
                self.stderr.write(f"{error.field}: {error.message}")
            raise CommandError(f"{len(result.errors)} error(s): nothing was imported.")
        verb = "would be imported (dry run)" if result.dry_run else "imported"
        self.stdout.write(f"{result.created} episode(s) {verb}; {result.skipped_duplicates} already recorded; "
                          f"{result.skipped_open} open row(s) not imported.")
