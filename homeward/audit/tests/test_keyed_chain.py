"""The audit log proves itself (issue 14, item 4; ADR 0012, 0013): a forged entry appended by
the database's own roles, an entry rewritten with the rest recomputed, and the newest entries
cut off are all detected; rotating the key keeps what the old key signed verifiable."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from homeward.audit.models import AuditEntry, AuditLink
from homeward.audit.services import audit_chain_extend, audit_record, entry_digest
from homeward.audit.verify import audit_anchor, audit_verify

from .test_audit_log import _as_owner

pytestmark = pytest.mark.django_db


@pytest.fixture
def keyed(settings: Any, tmp_path: Path) -> Path:
    """A key file and an anchor file of the test's own, as an installation keeps them."""
    settings.HOMEWARD_AUDIT_KEY = ""
    settings.HOMEWARD_AUDIT_KEY_FILE = str(tmp_path / "audit-keys")
    settings.HOMEWARD_AUDIT_ANCHOR_FILE = str(tmp_path / "anchors.jsonl")
    return tmp_path


def _log(coordinator: Any, count: int = 4) -> list[AuditEntry]:
    made = [audit_record(actor=coordinator, action="view", object_type="child", object_id=str(n))
            for n in range(count)]
    audit_chain_extend()
    return made


def _verify_problems() -> list[str]:
    return audit_verify().problems


def _raw_insert(entry: dict[str, Any]) -> None:
    columns = ", ".join(entry)
    marks = ", ".join(["%s"] * len(entry))
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO audit_auditentry ({columns}) VALUES ({marks})", list(entry.values()))


def test_a_forged_entry_appended_through_the_database_is_detected(keyed: Path, coordinator: Any) -> None:
    log = _log(coordinator)
    assert _verify_problems() == []
    forged = AuditEntry(at=timezone.now(), username="nobody", action="view", object_type="child", object_id="x",
                        channel="api", detail={}, key_id=log[-1].key_id)
    # Whoever writes to the database can hash it, but without the key only a plain digest; and
    # it can put it on the chain's to-do list, but the chain step checks each entry's own hash.
    forged.entry_hash = entry_digest(forged)
    _raw_insert({"at": forged.at, "username": forged.username, "action": "view", "object_type": "child",
                 "object_id": "x", "channel": "api", "detail": json.dumps({}), "remote_addr": "", "user_agent": "",
                 "previous_hash": "", "entry_hash": forged.entry_hash, "key_id": forged.key_id, "format": 2})
    forged_id = AuditEntry.objects.order_by("-id").first().pk
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO audit_auditpending (entry_id) VALUES (%s)", [forged_id])
    assert audit_chain_extend() == 0
    assert not AuditLink.objects.filter(entry_id=forged_id).exists()
    # Entries written after it are linked as ever; the forgery stays off the chain.
    _log(coordinator, 1)
    assert not AuditLink.objects.filter(entry_id=forged_id).exists()
    problems = _verify_problems()
    assert len(problems) == 1 and "made without the key" in problems[0]


def test_a_rewritten_entry_with_the_rest_recomputed_is_detected(keyed: Path, coordinator: Any) -> None:
    log = _log(coordinator)
    # The owner rewrites entry 1 and recomputes the hashes it can: the entry's, with SHA-256,
    # and every link after it.
    entry = log[1]
    entry.refresh_from_db()
    entry.username = "someone_else"
    entry.entry_hash = hashlib.sha256(json.dumps({"forged": entry.pk}).encode()).hexdigest()
    _as_owner("UPDATE audit_auditentry SET username = %s, entry_hash = %s WHERE id = %s",
              [entry.username, entry.entry_hash, entry.pk])
    previous = AuditLink.objects.get(entry_id=log[0].pk).link_hash
    for link in AuditLink.objects.filter(seq__gte=AuditLink.objects.get(entry_id=entry.pk).seq).order_by("seq"):
        own = entry.entry_hash if link.entry_id == entry.pk else link.entry_hash
        forged = hashlib.sha256(f"{link.entry_id}:{own}:{previous}".encode()).hexdigest()
        _as_owner("UPDATE audit_auditlink SET entry_hash = %s, previous_hash = %s, link_hash = %s WHERE seq = %s",
                  [own, previous, forged, link.seq])
        previous = forged
    problems = _verify_problems()
    assert problems and all("without the key" in p for p in problems)
    assert any(p.startswith(f"entry {entry.pk}:") for p in problems)


def test_the_newest_entries_cut_off_are_detected_by_the_anchor(keyed: Path, coordinator: Any) -> None:
    log = _log(coordinator)
    anchor = audit_anchor()
    head = AuditLink.objects.get(entry_id=log[-1].pk)
    assert anchor is not None and anchor["link"] == head.seq
    assert _verify_problems() == []
    _as_owner("DELETE FROM audit_auditlink WHERE entry_id >= %s", [log[-2].pk])
    _as_owner("DELETE FROM audit_auditentry WHERE id >= %s", [log[-2].pk])
    problems = _verify_problems()
    assert problems == [f"anchor of {anchor['at']}: link {head.seq}, the head then, is gone: the newest "
                        "entries were cut off"]


def test_a_rotated_key_signs_new_entries_and_the_old_ones_still_verify(keyed: Path, coordinator: Any) -> None:
    before = _log(coordinator, 2)
    out = io.StringIO()
    call_command("audit", "rotate-key", stdout=out)
    assert "k2" in out.getvalue()
    after = _log(coordinator, 2)
    assert {e.key_id for e in before} == {"k1"} and {e.key_id for e in after} == {"k2"}
    call_command("audit", "anchor", stdout=io.StringIO())
    report = io.StringIO()
    call_command("audit", "verify", stdout=report)
    assert "intact" in report.getvalue() and "1 anchors" in report.getvalue()
    # The key file holds both; without the old key, what it signed no longer verifies.
    keys = Path(keyed / "audit-keys")
    assert keys.stat().st_mode & 0o077 == 0
    lines = keys.read_text().splitlines()
    keys.write_text("\n".join(line for line in lines if not line.startswith("k1 ")) + "\n")
    assert any("key 'k1', which Homeward does not hold" in p for p in _verify_problems())
