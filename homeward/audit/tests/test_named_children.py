"""An export names each child it carries in a row of their own (ADR 0017): one entry for the
export, holding the number and SHA-256 of its rows under its keyed hash, and a row per child
with the ids of their records; the child's access log finds the export, and `audit verify`
finds a row changed, removed or added."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from homeward.audit.models import AuditEntry, AuditNamed
from homeward.audit.selectors import child_access_log_for_user, naming_child
from homeward.audit.services import audit_chain_extend, audit_named_read, named_digest
from homeward.audit.verify import audit_verify

from .test_audit_log import _as_owner
from .test_keyed_chain import keyed

pytestmark = pytest.mark.django_db
__all__ = ["keyed"]  # the fixture, shared with test_keyed_chain


@pytest.fixture
def children(make_child: Any) -> list[Any]:
    return [make_child(), make_child(), make_child()]


def _export(coordinator: Any, rows: list[tuple[int, int]], *, as_sql: bool = False) -> AuditEntry:
    """An export of `rows` ((record, child) pairs), given as pairs or as SQL that reads them."""
    if as_sql:
        values = ", ".join(["(%s, %s)"] * len(rows))
        sql = f"SELECT * FROM (VALUES {values}) AS pairs"
        params = [value for pair in rows for value in pair]
        entry = audit_named_read(actor=coordinator, action="export", object_type="ssda903_missing", object_id="2025",
                                 query={"year": 2025}, detail={"rows": len(rows)}, rows_sql=(sql, params))
    else:
        entry = audit_named_read(actor=coordinator, action="export", object_type="ssda903_missing", object_id="2025",
                                 query={"year": 2025}, detail={"rows": len(rows)}, rows=rows)
    audit_chain_extend()
    return entry


@pytest.mark.parametrize("as_sql", [False, True], ids=["pairs", "sql"])
def test_an_export_names_each_child_once_with_their_records(keyed: Path, coordinator: Any, children: list[Any],
                                                             as_sql: bool) -> None:
    a, b, _ = children
    entry = _export(coordinator, [(12, a.pk), (3, a.pk), (7, b.pk)], as_sql=as_sql)
    stored = AuditEntry.objects.get(pk=entry.pk)
    lines = sorted([(a.pk, "3,12"), (b.pk, "7")])
    digest = hashlib.sha256("\n".join(f"{c}:{r}" for c, r in lines).encode()).hexdigest()
    assert stored.child_id is None and stored.detail == {
        "rows": 3, "query": {"year": 2025}, "named": {"children": 2, "sha256": digest},
    }
    assert named_digest(lines) == stored.detail["named"]["sha256"]
    assert sorted(AuditNamed.objects.filter(entry=stored).values_list("child_id", "records")) == lines
    # Who looked at the child: the export, for the children it carries only.
    assert list(child_access_log_for_user(coordinator, a.pk).filter(action="export")) == [stored]
    assert not AuditEntry.objects.filter(naming_child(children[2].pk), action="export").exists()
    audit_chain_extend()  # reading the access log was audited too
    report = audit_verify()
    assert report.ok, report.problems
    assert report.named == 2 and report.waiting == 0


def test_an_export_of_nobody_names_no_one_and_verifies(keyed: Path, coordinator: Any) -> None:
    entry = _export(coordinator, [])
    assert entry.detail["named"] == {"children": 0, "sha256": hashlib.sha256(b"").hexdigest()}
    assert audit_verify().ok


@pytest.mark.parametrize("change", ["rewritten", "removed", "added", "added to another entry"])
def test_a_named_child_changed_behind_the_applications_back_is_detected(keyed: Path, coordinator: Any,
                                                                       children: list[Any], change: str) -> None:
    a, b, c = children
    entry = _export(coordinator, [(1, a.pk), (2, b.pk)])
    other = _export(coordinator, [(5, a.pk)])
    insert = "INSERT INTO audit_auditnamed (entry_id, child_id, records) VALUES (%s, %s, %s)"
    if change == "rewritten":
        _as_owner("UPDATE audit_auditnamed SET records = '9' WHERE entry_id = %s AND child_id = %s", [entry.pk, a.pk])
    elif change == "removed":
        _as_owner("DELETE FROM audit_auditnamed WHERE entry_id = %s AND child_id = %s", [entry.pk, b.pk])
    elif change == "added":
        _as_owner(insert, [entry.pk, c.pk, "3"])
    else:
        plain = AuditEntry.objects.exclude(pk__in=[entry.pk, other.pk]).order_by("-id").first()
        assert plain is not None and "named" not in plain.detail
        _as_owner(insert, [plain.pk, c.pk, "3"])
    problems = audit_verify().problems
    assert len(problems) == 1, problems
    assert f"entry {entry.pk if change != 'added to another entry' else plain.pk}:" in problems[0]
