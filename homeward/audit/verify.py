"""Checking the audit log (`homeward audit verify`): each entry against its keyed hash, each
link to the entry before, and the log's head against the anchors written outside the database.

- A changed entry no longer matches its hash; recomputing the hash needs the key, which the
  database does not hold (ADR 0012).
- A removed entry breaks the link from the entry after it.
- An entry appended by someone without the key does not match its hash; one made without a key
  after keyed entries began is refused too.
- The newest entries cut off leave no entry to break a link: the anchors (`audit_anchor`,
  written at intervals to an append-only file) name the head as it was, and a head that is
  missing or differs is reported.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .keys import audit_key_ring
from .models import AuditEntry
from .services import entry_digest


@dataclass
class VerifyReport:
    checked: int = 0
    anchors: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _anchor_file() -> Path:
    return Path(settings.HOMEWARD_AUDIT_ANCHOR_FILE)


def audit_anchor() -> dict[str, object] | None:
    """Write the log's head (the newest entry's id and hash) to the append-only anchor file;
    the worker does it every few minutes. Returns the anchor, or None for an empty log."""
    head = AuditEntry.objects.order_by("-id").values("id", "entry_hash").first()
    if head is None:
        return None
    anchor = {"at": timezone.now().isoformat(), "id": head["id"], "hash": head["entry_hash"]}
    path = _anchor_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as file:
        file.write(json.dumps(anchor) + "\n")
    return anchor


def _anchors(report: VerifyReport) -> list[dict[str, object]]:
    try:
        lines = _anchor_file().read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    anchors = []
    for number, line in enumerate(lines, start=1):
        try:
            anchor = json.loads(line)
            anchors.append({"id": int(anchor["id"]), "hash": str(anchor["hash"]), "at": anchor.get("at", "")})
        except (ValueError, KeyError, TypeError):
            report.problems.append(f"anchor file, line {number}: not an anchor; the file was changed")
    return anchors


def audit_verify(*, batch_size: int = 2000) -> VerifyReport:
    """Walk the whole log in order, checking each entry's keyed hash and its link to the one
    before, then every anchor against the entry it names."""
    report = VerifyReport()
    ring = audit_key_ring()
    previous_hash = ""
    previous_id: int | None = None
    keyed = False
    last_id = 0
    hashes: dict[int, str] = {}
    anchors = _anchors(report)
    anchored = {int(str(a["id"])) for a in anchors}
    while True:
        batch = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            break
        for entry in batch:
            report.checked += 1
            if entry.previous_hash != previous_hash:
                after = f"entry {previous_id}" if previous_id is not None else "the start of the log"
                report.problems.append(
                    f"entry {entry.pk}: does not follow {after}: an entry before it was removed or changed"
                )
            if entry.key_id:
                keyed = True
                key = ring.key(entry.key_id)
                if key is None:
                    report.problems.append(f"entry {entry.pk}: made with key {entry.key_id!r}, which Homeward "
                                           "does not hold: it was not made by Homeward")
                elif entry_digest(entry, key) != entry.entry_hash:
                    report.problems.append(f"entry {entry.pk}: its content no longer matches its hash: it was "
                                           "changed, or made without the key")
            elif keyed:
                report.problems.append(f"entry {entry.pk}: has no key after keyed entries began: it was not made "
                                       "by Homeward")
            elif entry_digest(entry) != entry.entry_hash:
                report.problems.append(f"entry {entry.pk}: its content no longer matches its hash: it was changed")
            if entry.pk in anchored:
                hashes[entry.pk] = entry.entry_hash
            previous_hash, previous_id = entry.entry_hash, entry.pk
        last_id = batch[-1].pk
    for anchor in anchors:
        number = int(str(anchor["id"]))
        report.anchors += 1
        if number not in hashes:
            report.problems.append(f"anchor of {anchor['at']}: entry {number}, the head then, is gone: the newest "
                                   "entries were cut off")
        elif hashes[number] != anchor["hash"]:
            report.problems.append(f"anchor of {anchor['at']}: entry {number} differs from the head written then: "
                                   "the log was rewritten")
    return report
