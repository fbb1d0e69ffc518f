"""Checking the audit log (`homeward audit verify`): each entry against its keyed hash, the
chain link by link, and the chain's head against the anchors written outside the database.

- A changed entry no longer matches its hash; recomputing the hash needs the key, which the
  database does not hold (ADR 0012).
- A removed entry breaks the chain: the inline chain (ADR 0012) at the entry after it, the
  linked chain (ADR 0013) at its link, which the database will not let go while the entry is
  there and which no one without the key can remake.
- An entry appended by someone without the key does not match its hash; one made without a key
  after keyed entries began is refused too.
- The newest entries cut off leave nothing to break: the anchors (`audit_anchor`, written at
  intervals to an append-only file) name the head as it was, and a head that is missing or
  differs is reported.

Entries written since the chain's last step are counted as waiting; each still proves itself
by its own hash.

The children an export names (ADR 0017) are checked against the number and SHA-256 its entry
holds: a row changed, removed, or added (under that entry or one that names no children) is
reported.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from .keys import KeyRing, audit_key_ring
from .models import AuditEntry, AuditLink, AuditNamed
from .services import audit_chain_extend, entry_digest, link_digest, named_digest


@dataclass
class VerifyReport:
    checked: int = 0
    anchors: int = 0
    waiting: int = 0  # entries not linked into the chain yet (each verified by its own hash)
    named: int = 0  # children named by exports (ADR 0017), checked against their entries
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _anchor_file() -> Path:
    return Path(settings.HOMEWARD_AUDIT_ANCHOR_FILE)


def audit_anchor() -> dict[str, object] | None:
    """Link what is waiting, then write the chain's head (the newest link, or before any link
    the newest inline-chained entry) to the append-only anchor file; the worker does it every
    few minutes. Returns the anchor, or None for an empty log."""
    audit_chain_extend()
    link = AuditLink.objects.order_by("-seq").values("seq", "link_hash").first()
    if link is not None:
        anchor: dict[str, object] = {"at": timezone.now().isoformat(), "link": link["seq"], "hash": link["link_hash"]}
    else:
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
            kind = "link" if "link" in anchor else "id"
            anchors.append({"kind": kind, "number": int(anchor[kind]), "hash": str(anchor["hash"]),
                            "at": anchor.get("at", "")})
        except (ValueError, KeyError, TypeError):
            report.problems.append(f"anchor file, line {number}: not an anchor; the file was changed")
    return anchors


@dataclass
class _Walk:
    """Where a walk through the log has got to."""

    report: VerifyReport
    anchored: set[tuple[str, int]]
    hashes: dict[tuple[str, int], str] = field(default_factory=dict)
    previous_hash: str = ""
    previous_id: int | None = None
    keyed: bool = False
    # Entries that name children in rows of their own (ADR 0017): their number and SHA-256.
    named: dict[int, dict[str, Any]] = field(default_factory=dict)


def _check_entry(walk: _Walk, entry: AuditEntry, ring: KeyRing) -> None:
    """The entry against its own hash; an inline-chained one against the entry before, too."""
    problems = walk.report.problems
    if entry.format == AuditEntry.Format.INLINE:
        if entry.previous_hash != walk.previous_hash:
            after = f"entry {walk.previous_id}" if walk.previous_id is not None else "the start of the log"
            problems.append(f"entry {entry.pk}: does not follow {after}: an entry before it was removed or changed")
        walk.previous_hash, walk.previous_id = entry.entry_hash, entry.pk
        if ("id", entry.pk) in walk.anchored:
            walk.hashes[("id", entry.pk)] = entry.entry_hash
    elif entry.previous_hash:
        problems.append(f"entry {entry.pk}: a linked entry that names one before it: it was not made by Homeward")
    if entry.key_id:
        walk.keyed = True
        key = ring.key(entry.key_id)
        if key is None:
            problems.append(f"entry {entry.pk}: made with key {entry.key_id!r}, which Homeward does not hold: it was "
                            "not made by Homeward")
        elif entry_digest(entry, key) != entry.entry_hash:
            problems.append(f"entry {entry.pk}: its content no longer matches its hash: it was changed, or made "
                            "without the key")
    elif walk.keyed or entry.format == AuditEntry.Format.LINKED:
        problems.append(f"entry {entry.pk}: has no key after keyed entries began: it was not made by Homeward")
    elif entry_digest(entry) != entry.entry_hash:
        problems.append(f"entry {entry.pk}: its content no longer matches its hash: it was changed")


def _walk_entries(walk: _Walk, ring: KeyRing, batch_size: int) -> tuple[str, dict[int, str]]:
    """Every entry in id order. Returns the inline chain's end (where the linked chain starts)
    and the linked entries' own hashes by id."""
    linked: dict[int, str] = {}
    inline_over = False
    last_id = 0
    while True:
        batch = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            break
        for entry in batch:
            walk.report.checked += 1
            if entry.format == AuditEntry.Format.LINKED:
                inline_over = True
                linked[entry.pk] = entry.entry_hash
            elif inline_over:
                walk.report.problems.append(f"entry {entry.pk}: chained inline after linked entries began: it was "
                                            "not made by Homeward")
            _check_entry(walk, entry, ring)
            if isinstance(entry.detail, dict) and isinstance(entry.detail.get("named"), dict):
                walk.named[entry.pk] = entry.detail["named"]
        last_id = batch[-1].pk
    return walk.previous_hash, linked


def _walk_links(walk: _Walk, ring: KeyRing, start: str, linked: dict[int, str], batch_size: int) -> None:
    """The linked chain in order: each link follows the one before, covers its entry as the
    entry now is, and is made with Homeward's key; every linked entry is on it once."""
    problems = walk.report.problems
    previous, previous_seq, last_seq = start, None, 0
    while True:
        batch = list(AuditLink.objects.filter(seq__gt=last_seq).order_by("seq")[:batch_size])
        if not batch:
            break
        for link in batch:
            key = ring.key(link.key_id)
            if link.previous_hash != previous:
                after = f"link {previous_seq}" if previous_seq is not None else "the inline chain's end"
                problems.append(f"link {link.seq}: does not follow {after}: a link before it was removed or changed")
            if key is None or link_digest(entry_id=link.entry_id, entry_hash=link.entry_hash,
                                          previous_hash=link.previous_hash, key=key) != link.link_hash:
                problems.append(f"link {link.seq}: does not match its hash: it was changed, or made without the key")
            own = linked.pop(link.entry_id, None)
            if own is None:
                problems.append(f"link {link.seq}: its entry {link.entry_id} is gone or was linked twice")
            elif own != link.entry_hash:
                problems.append(f"link {link.seq}: entry {link.entry_id} is not the entry that was linked: it was "
                                "rewritten")
            if ("link", link.seq) in walk.anchored:
                walk.hashes[("link", link.seq)] = link.link_hash
            previous, previous_seq = link.link_hash, link.seq
        last_seq = batch[-1].pk
    walk.report.waiting = len(linked)


def _check_named_rows(walk: _Walk, entry_id: int, rows: list[tuple[int, str]]) -> None:
    declared = walk.named.pop(entry_id, None)
    if declared is None:
        written = AuditEntry.objects.filter(pk=entry_id).values_list("detail", flat=True).first()
        if isinstance(written, dict) and "named" in written:
            return  # written since the walk through the entries: checked next time
        walk.report.problems.append(f"entry {entry_id}: {len(rows)} named children added to an entry that names "
                                    "none: they were not written by Homeward")
        return
    if declared.get("children") != len(rows) or declared.get("sha256") != named_digest(rows):
        walk.report.problems.append(f"entry {entry_id}: the children it names ({len(rows)}) are not the "
                                    f"{declared.get('children')} it was written with: rows were changed, removed "
                                    "or added")


def _walk_named(walk: _Walk, batch_size: int) -> None:
    """Every export's named children, entry by entry, against the number and hash it holds."""
    current: int | None = None
    rows: list[tuple[int, str]] = []
    for entry_id, child_id, records in (AuditNamed.objects.order_by("entry_id", "child_id")
                                        .values_list("entry_id", "child_id", "records").iterator(batch_size)):
        walk.report.named += 1
        if entry_id != current:
            if current is not None:
                _check_named_rows(walk, current, rows)
            current, rows = entry_id, []
        rows.append((child_id, records))
    if current is not None:
        _check_named_rows(walk, current, rows)
    for entry_id in sorted(walk.named):
        _check_named_rows(walk, entry_id, [])


def audit_verify(*, batch_size: int = 2000) -> VerifyReport:
    """Walk the whole log in order, checking each entry's keyed hash, the inline chain and the
    linked chain, then every anchor against the entry or link it names."""
    report = VerifyReport()
    ring = audit_key_ring()
    anchors = _anchors(report)
    walk = _Walk(report=report, anchored={(str(a["kind"]), int(str(a["number"]))) for a in anchors})
    start, linked = _walk_entries(walk, ring, batch_size)
    _walk_links(walk, ring, start, linked, batch_size)
    _walk_named(walk, batch_size)
    for anchor in anchors:
        where = (str(anchor["kind"]), int(str(anchor["number"])))
        name = f"{'entry' if where[0] == 'id' else 'link'} {where[1]}"
        report.anchors += 1
        if where not in walk.hashes:
            report.problems.append(f"anchor of {anchor['at']}: {name}, the head then, is gone: the newest "
                                   "entries were cut off")
        elif walk.hashes[where] != anchor["hash"]:
            report.problems.append(f"anchor of {anchor['at']}: {name} differs from the head written then: "
                                   "the log was rewritten")
    return report
