"""Checking the audit log's hash chain: a changed entry no longer matches its hash; a removed
one breaks the link from the entry after it (`homeward audit verify`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .models import AuditEntry
from .services import entry_digest


@dataclass
class VerifyReport:
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def audit_verify(*, batch_size: int = 2000) -> VerifyReport:
    """Walk the whole log in order, recomputing each entry's hash and its link to the last."""
    report = VerifyReport()
    previous_hash = ""
    previous_id: int | None = None
    last_id = 0
    while True:
        batch = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            return report
        for entry in batch:
            report.checked += 1
            if entry.previous_hash != previous_hash:
                after = f"entry {previous_id}" if previous_id is not None else "the start of the log"
                report.problems.append(
                    f"entry {entry.pk}: does not follow {after}: an entry before it was removed or changed"
                )
            if entry_digest(entry) != entry.entry_hash:
                report.problems.append(f"entry {entry.pk}: its content no longer matches its hash: it was changed")
            previous_hash, previous_id = entry.entry_hash, entry.pk
        last_id = batch[-1].pk
