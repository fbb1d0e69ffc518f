"""The audit log is hash-chained and append-only: tampering is refused for the application's
role on PostgreSQL, and detected by `homeward audit verify` when done as the owner. Entries
prove themselves as they are written and are linked into the chain by a short step afterwards
(ADR 0013)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from homeward.audit.context import RequestOrigin, origin
from homeward.audit.keys import audit_key_ring
from homeward.audit.models import AuditEntry, AuditLink, AuditPending
from homeward.audit.protection import audit_protect
from homeward.audit.services import (
    _alike_digests,
    _canonical,
    audit_chain_extend,
    audit_list_read,
    audit_record,
    entry_digest,
)
from homeward.audit.verify import audit_verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(coordinator: Any) -> list[AuditEntry]:
    made = [audit_record(actor=coordinator, action="view", object_type="child", object_id=str(n)) for n in range(5)]
    audit_chain_extend()
    return made


def _as_owner(sql: str, params: list[Any]) -> None:
    """Change the log behind the application's back, as the database owner could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Django's foreign keys are deferred: settle them so the table may be altered.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in ("audit_auditentry", "audit_auditlink", "audit_auditnamed"):
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER homeward_audit_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            for table in ("audit_auditentry", "audit_auditlink", "audit_auditnamed"):
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER homeward_audit_append_only")


def test_each_entry_is_linked_into_the_chain_in_the_order_written(entries: list[AuditEntry]) -> None:
    links = list(AuditLink.objects.order_by("seq"))
    assert [link.entry_id for link in links if link.entry_id in {e.pk for e in entries}] == [e.pk for e in entries]
    for before, after in pairwise(links):
        assert after.previous_hash == before.link_hash
    report = audit_verify()
    assert report.ok and report.checked == AuditEntry.objects.count() and report.waiting == 0


def test_an_entry_proves_itself_while_it_waits_for_the_chain(entries: list[AuditEntry], coordinator: Any) -> None:
    """Writers take no lock (issue 11): the entry is written with its own keyed hash and waits,
    verified, for the chain's next step; on SQLite, whose writers wait for one another anyway,
    the write links it at once."""
    entry = audit_record(actor=coordinator, action="view", object_type="child", object_id="later")
    assert entry.previous_hash == ""
    report = audit_verify()
    if connection.vendor == "sqlite":
        assert report.ok and report.waiting == 0 and not AuditPending.objects.exists()
    else:
        assert AuditPending.objects.filter(entry=entry).exists()
        assert report.ok and report.waiting == 1
        assert audit_chain_extend() == 1
        assert not AuditPending.objects.exists()
        report = audit_verify()
        assert report.ok and report.waiting == 0
    assert AuditLink.objects.order_by("-seq").first().entry_id == entry.pk


def test_a_waiting_row_naming_no_entry_leaves_the_list_and_holds_up_no_entry(
    entries: list[AuditEntry], coordinator: Any,
) -> None:
    """The chain's to-do list has no foreign key to the entries (ADR 0023): a row written by hand
    naming no entry is taken off at the next step, and the entries after it are linked."""
    missing = 0  # no entry has it, and it comes before every entry's
    AuditPending.objects.create(entry_id=missing)
    entry = audit_record(actor=coordinator, action="view", object_type="child", object_id="after")
    linked = audit_chain_extend(limit=1)  # the row naming nothing comes first, alone
    assert linked == 0 and not AuditPending.objects.filter(entry_id=missing).exists()
    audit_chain_extend()
    assert not AuditPending.objects.exists()
    assert AuditLink.objects.order_by("-seq").first().entry_id == entry.pk
    report = audit_verify()
    assert report.ok and report.waiting == 0


def test_a_list_read_writes_one_entry_per_child_linked_into_the_chain(
    entries: list[AuditEntry], coordinator: Any, make_child: Any,
) -> None:
    first, second = make_child(), make_child()
    written = audit_list_read(actor=coordinator, object_type="episode_list", query={"status": "open"},
                              rows=[(12, second.pk), (10, first.pk), (11, second.pk), (12, second.pk)])
    stored = list(AuditEntry.objects.filter(object_type="episode_list").order_by("id"))
    assert [(e.child_id, e.detail["records"]) for e in stored] == [(first.pk, [10]), (second.pk, [12, 11])]
    assert [e.pk for e in written] == [e.pk for e in stored]
    assert all(e.action == "view" and e.user == coordinator and e.detail["query"] == {"status": "open"}
               for e in stored)
    report = audit_verify()
    assert report.ok and report.checked == AuditEntry.objects.count()


def test_a_list_reads_entries_are_stored_as_given_in_one_statement(
    entries: list[AuditEntry], coordinator: Any, make_child: Any,
) -> None:
    """The entries of a page are written together (on PostgreSQL one statement, the entries and
    their places on the chain's to-do list): every field as the entry held it, in their order."""
    children = [make_child() for _ in range(3)]
    query = {"q": "Zoë O'Neill \"quoted\" {braces}, commas", "path": "C:\\temp\\x", "nested": {"n": [1, None, True]}}
    source = RequestOrigin(remote_addr="203.0.113.9", user_agent="Browser, \"with\" {odd} text", channel="web")
    with origin(source), CaptureQueriesContext(connection) as captured:
        written = audit_list_read(actor=coordinator, object_type="worklist", query=query,
                                  rows=[(7, child.pk) for child in children])
    if connection.vendor == "postgresql":
        assert len(captured.captured_queries) == 1
    stored = list(AuditEntry.objects.filter(object_type="worklist").order_by("id"))
    assert [e.pk for e in stored] == [e.pk for e in written]
    fields = [f.attname for f in AuditEntry._meta.concrete_fields]
    assert [[getattr(e, name) for name in fields] for e in stored] == [[getattr(e, name) for name in fields]
                                                                      for e in written]
    assert [e.child_id for e in stored] == sorted(child.pk for child in children)
    assert all(e.detail == {"records": [7], "query": query} and e.user_agent.startswith("Browser, \"with\"")
               for e in stored)
    audit_chain_extend()
    report = audit_verify()
    assert report.ok and report.checked == AuditEntry.objects.count()


def test_a_list_reads_entries_are_each_hashed_as_an_entry_alone_is(coordinator: Any, make_child: Any) -> None:
    """The text the entries of a list read share is written once for their hashes: each hash is
    still the entry's own."""
    children = [make_child() for _ in range(3)]
    query = {"q": "Zoë \"quoted\"", "n": [1, None]}
    written = audit_list_read(actor=coordinator, object_type="worklist", query=query,
                              rows=[(7, children[0].pk), (8, children[1].pk), (9, children[2].pk),
                                    (10, children[0].pk)])
    key = audit_key_ring().key(written[0].key_id)
    assert key is not None
    stored = list(AuditEntry.objects.filter(object_type="worklist").order_by("id"))
    assert [e.entry_hash for e in stored] == [e.entry_hash for e in written] == [entry_digest(e, key) for e in stored]
    assert [(e.child_id, e.detail["records"]) for e in stored] == [
        (children[0].pk, [7, 10]), (children[1].pk, [8]), (children[2].pk, [9])]


@pytest.mark.parametrize("agent", ["Browser", "\x00hw-child\x00", "a \x00hw-detail\x00 b \x00hw-detail\x00"])
def test_alike_entries_hashes_are_each_entrys_own(agent: str) -> None:
    """A user agent holding the stand-in for the child or the detail (which PostgreSQL would not
    store, SQLite would) leaves each entry hashed by itself."""
    at = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)
    made = [AuditEntry(at=at, user_id=3, username="sam", action="view", object_type="worklist", child_id=child,
                       user_agent=agent, channel="web", detail={"records": [child], "query": {"q": agent}},
                       previous_hash="", key_id="k1", format=AuditEntry.Format.LINKED) for child in (4, 5, None)]
    details = [_canonical(e.detail) for e in made]
    assert _alike_digests(made, b"k" * 32, details) == [entry_digest(e, b"k" * 32) for e in made]


def test_a_list_read_of_no_children_writes_nothing(entries: list[AuditEntry], coordinator: Any) -> None:
    before = AuditEntry.objects.count()
    assert audit_list_read(actor=coordinator, object_type="worklist", rows=[], query={}) == []
    assert AuditEntry.objects.count() == before


def test_verify_command_says_the_log_is_intact(entries: list[AuditEntry]) -> None:
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "intact" in out.getvalue()


def test_a_changed_entry_is_detected(entries: list[AuditEntry]) -> None:
    _as_owner("UPDATE audit_auditentry SET username = %s WHERE id = %s", ["someone_else", entries[2].pk])
    report = audit_verify()
    assert report.problems == [f"entry {entries[2].pk}: its content no longer matches its hash: it was changed, "
                               "or made without the key"]
    with pytest.raises(CommandError, match="tampered"):
        call_command("audit", "verify", stderr=io.StringIO())


def test_a_removed_entry_is_detected(entries: list[AuditEntry]) -> None:
    links = {link.entry_id: link.seq for link in AuditLink.objects.all()}
    # The database keeps a linked entry while its link is there: the owner removes both.
    _as_owner("DELETE FROM audit_auditlink WHERE entry_id = %s", [entries[1].pk])
    _as_owner("DELETE FROM audit_auditentry WHERE id = %s", [entries[1].pk])
    report = audit_verify()
    assert report.problems == [f"link {links[entries[2].pk]}: does not follow link {links[entries[0].pk]}: a link "
                               "before it was removed or changed"]


def test_an_entry_taken_off_the_chain_is_detected(entries: list[AuditEntry]) -> None:
    links = {link.entry_id: link.seq for link in AuditLink.objects.all()}
    _as_owner("DELETE FROM audit_auditlink WHERE entry_id = %s", [entries[3].pk])
    report = audit_verify()
    assert report.problems == [f"link {links[entries[4].pk]}: does not follow link {links[entries[2].pk]}: a link "
                               "before it was removed or changed"]


ONLY_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL roles and triggers: run by make test-postgres"
)


@ONLY_POSTGRESQL
def test_postgresql_refuses_changes_even_from_the_owner_without_dropping_the_trigger(entries: list[AuditEntry]) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET username = 'x' WHERE id = %s", [entries[0].pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entries[0].pk])


@ONLY_POSTGRESQL
def test_the_application_role_may_append_but_not_change(entries: list[AuditEntry]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("CREATE ROLE homeward_app_test NOLOGIN")
    audit_protect(app_role="homeward_app_test")
    with connection.cursor() as cursor:
        cursor.execute("SET ROLE homeward_app_test")
        try:
            audit_record(actor=None, action="view", object_type="child", object_id="as-app")
            assert audit_chain_extend() == 1  # the chain step runs as the application too
            for statement in ("UPDATE audit_auditentry SET username = 'x' WHERE id = %s",
                              "DELETE FROM audit_auditentry WHERE id = %s",
                              "UPDATE audit_auditlink SET link_hash = 'x' WHERE entry_id = %s",
                              "DELETE FROM audit_auditlink WHERE entry_id = %s"):
                with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
                    cursor.execute(statement, [entries[0].pk])
            with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
                cursor.execute("TRUNCATE audit_auditentry CASCADE")
        finally:
            cursor.execute("RESET ROLE")
    assert AuditEntry.objects.filter(object_id="as-app").exists()
    assert audit_verify().ok
