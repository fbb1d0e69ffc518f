"""Writing the audit log (ADR 0012, ADR 0013).

Each entry carries its own keyed hash (an HMAC under a key kept outside the database), made
as it is written, with no lock: audited reads and intake never wait for one another. One short
step, `audit_chain_extend`, then appends each new entry to the chain (AuditLink), whose keyed
hashes cover every entry's hash and the link before it; the worker takes that step every
second or two (on SQLite, whose writers wait for one another anyway, the write itself links
them). So the database's own roles can neither append an entry that verifies, nor
rewrite one, nor remove one from the chain, without `homeward audit verify` saying so."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from functools import cache
from typing import Any, cast

from django.db import connection, connections, transaction
from django.db.models import CharField, ForeignKey, JSONField
from django.utils import timezone

from homeward.common.bulk import Rows, Written, insert_together, inserted
from homeward.common.made import instance_made

from .context import current_origin
from .keys import KeyRing, audit_key_ring
from .models import AuditEntry, AuditLink, AuditNamed, AuditPending

_ENTRY_USER = cast("ForeignKey[Any, Any]", AuditEntry._meta.get_field("user"))

# Any constant will do: it names the lock that serialises the chain's steps on PostgreSQL.
_CHAIN_LOCK_KEY = 7_341_120


def _digest_payload(entry: AuditEntry) -> dict[str, Any]:
    """What an entry's hash covers."""
    payload = {
        "at": entry.at.isoformat(),
        "user": entry.user_id,
        "username": entry.username,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "child": entry.child_id,
        "remote_addr": entry.remote_addr,
        "user_agent": entry.user_agent,
        "channel": entry.channel,
        "detail": entry.detail,
        "previous_hash": entry.previous_hash,
    }
    if entry.key_id:
        payload["key_id"] = entry.key_id
    if entry.format == AuditEntry.Format.LINKED:
        payload["format"] = entry.format
    return payload


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def entry_digest(entry: AuditEntry, key: bytes | None = None) -> str:
    """The entry's hash: HMAC-SHA256 under `key` (its `key_id`'s), or, for an entry made before
    the chain was keyed (no `key_id`), the plain SHA-256 it was made with."""
    canonical = _canonical(_digest_payload(entry)).encode()
    if key is None:
        return hashlib.sha256(canonical).hexdigest()
    return hmac.new(key, canonical, hashlib.sha256).hexdigest()


# Stand for the child and the detail in the text of a list read's entries' hashes, written once.
_CHILD_STAMP, _DETAIL_STAMP = "\x00hw-child\x00", "\x00hw-detail\x00"


def _alike_digests(entries: list[AuditEntry], key: bytes, details: list[str]) -> list[str]:
    """`entry_digest(entry, key)` of entries alike but for their child and detail (a list
    read's): the text they share written once, each entry's child and detail put in it.
    `details`: each entry's detail as `_canonical` writes it."""
    payload = _digest_payload(entries[0])
    payload["child"], payload["detail"] = _CHILD_STAMP, _DETAIL_STAMP
    # Keys sorted: "child" comes before "detail". A stamp found elsewhere too (a user agent
    # made to hold one) leaves each entry hashed by itself.
    head, *rest = _canonical(payload).split(_canonical(_CHILD_STAMP))
    middle, *tail = rest[0].split(_canonical(_DETAIL_STAMP)) if len(rest) == 1 else ("", "", "")
    if len(rest) != 1 or len(tail) != 1:
        return [entry_digest(entry, key) for entry in entries]
    keyed = hmac.new(key, digestmod=hashlib.sha256)
    digests = []
    for entry, detail in zip(entries, details, strict=True):
        # A child's id as JSON writes a whole number, without asking json for each entry.
        child = str(entry.child_id) if type(entry.child_id) is int else _canonical(entry.child_id)
        each = keyed.copy()
        each.update(f"{head}{child}{middle}{detail}{tail[0]}".encode())
        digests.append(each.hexdigest())
    return digests


def _entry(
    *, actor: Any, action: str, object_type: str, object_id: str = "", child_id: int | None = None,
    detail: dict[str, Any] | None = None, channel: str | None = None,
) -> AuditEntry:
    """An entry not yet linked into the chain (no time, no hashes: set when it is)."""
    source = current_origin()
    person = actor if getattr(actor, "pk", None) else None
    entry = AuditEntry(
        # By its key, the person held as the entry's user: setting `user` itself asked the
        # database router about the relation for every entry (a page writes a hundred).
        user_id=person.pk if person is not None else None,
        username=getattr(actor, "username", "") or "",
        action=action,
        object_type=object_type,
        object_id=object_id,
        child_id=child_id,
        remote_addr=source.remote_addr,
        user_agent=source.user_agent,
        channel=channel or source.channel,
        detail=_as_json(detail or {}),
    )
    _ENTRY_USER.set_cached_value(entry, person)
    return entry


def _append(entries: list[AuditEntry], *, at: datetime | None = None, alike: bool = False,
            together: Rows | None = None) -> None:
    """Store the entries, each with its own keyed hash, inside the caller's transaction (or
    their own), and put them on the chain's to-do list: one statement on PostgreSQL, and no lock.
    They are dated `at`, or now. `alike`: the entries differ only in their child and detail.
    `together`: rows of the caller's written in the same statement (PostgreSQL; elsewhere first)."""
    if not entries:
        if together is not None:
            insert_together(together)
        return
    when = at or timezone.now()
    ring = audit_key_ring()
    key = ring.keys[ring.current]
    for entry in entries:
        entry.at = when
        entry.format = AuditEntry.Format.LINKED
        entry.previous_hash = ""
        entry.key_id = ring.current
    details = None
    if alike and len(entries) > 1:
        # Each detail written as JSON once, for its hash and for the insert.
        details = [_canonical(entry.detail) for entry in entries]
        for entry, digest in zip(entries, _alike_digests(entries, key, details), strict=True):
            entry.entry_hash = digest
    else:
        for entry in entries:
            entry.entry_hash = entry_digest(entry, key)
    if connection.vendor == "postgresql":
        # One statement: inside the caller's transaction when there is one, else a transaction
        # of its own without the BEGIN and COMMIT round trips an atomic block would add.
        _insert_waiting(entries, together, details)
        return
    # Inside the caller's transaction without a savepoint of its own (a failure fails the
    # caller's change too, which is what an audited change wants).
    with transaction.atomic(savepoint=False):
        if together is not None:
            insert_together(together)
        AuditEntry.objects.bulk_create(entries)
        if connection.vendor == "sqlite":
            # SQLite runs one writer at a time anyway (transactions begin IMMEDIATE): linking now
            # costs no one a wait, and there is no worker thread to leave it to.
            _link(entries, audit_key_ring())
        else:
            AuditPending.objects.bulk_create(AuditPending(entry_id=entry.pk) for entry in entries)


def _insert_waiting(entries: list[AuditEntry], together: Rows | None = None, details: list[str] | None = None) -> None:
    """The entries and their places on the chain's to-do list (AuditPending), written by one
    statement (PostgreSQL): the pending rows are inserted from the entries' returned ids; with
    the rows `together` when given (`insert_together`). `details`: each entry's detail as JSON,
    when the caller has written it."""
    if not entries:
        return
    if len({entry.pk is None for entry in entries}) > 1:
        # Some with an id given, some without: as two inserts, as bulk_create would.
        if together is not None:
            insert_together(together)
        for part in ([e for e in entries if e.pk is not None], [e for e in entries if e.pk is None]):
            _insert_waiting(part)
        return
    sql, params = _entries_insert_sql(entries, details)
    table, column = (connection.ops.quote_name(name) for name in
                     (AuditPending._meta.db_table, AuditPending._meta.get_field("entry").column))
    insert_together(*([together] if together is not None else []), written=Written(
        ctes=[("audit_e", sql), ("audit_p", f"INSERT INTO {table} ({column}) SELECT id FROM audit_e")],  # noqa: S608 - names from the model
        params=params, keys_from="audit_e", done=lambda ids: inserted(entries, ids, connection.alias)))


@dataclass
class _Column:
    """One column of an insert of entries: its name, base type, each entry's value, and whether
    every entry holds the same."""

    name: str
    kind: str
    values: list[Any]
    alike: bool


@cache
def _entry_columns(alias: str, with_id: bool) -> tuple[tuple[str, str, str, str], ...]:
    """(attribute, quoted column, base type, how a value is written: "json", "text" or as it is)
    of each column an insert of entries writes, worked out once a process: asked of each field
    for each entry, it was half the cost of writing one (issue 11). The base type (varchar, not
    varchar(64)), as bulk_create's unnest: a cast to the column's own type would cut a value too
    long where the insert refuses it."""
    db = connections[alias]
    return tuple(
        (f.attname, db.ops.quote_name(str(f.column)), str(f.db_type(db)).split("(")[0],
         "json" if isinstance(f, JSONField) else "text" if isinstance(f, CharField) else "")
        for f in AuditEntry._meta.concrete_fields if with_id or not f.primary_key)


def _entries_insert_sql(entries: list[AuditEntry], details: list[str] | None = None) -> tuple[str, list[Any]]:
    """The INSERT of the entries (all with their id set, or none), returning their ids in their
    order (PostgreSQL): the rows bulk_create would write, without its preparing each value of
    each entry through its field, which cost a page of fifty children's entries more than
    everything else it did for them (issue 11). A column whose value differs between entries is
    one array, read by unnest; a value every entry holds (a list read's time, person, query
    origin...) is sent once. `details`: each entry's detail as JSON, when the caller has written it."""
    with_id = entries[0].pk is not None
    given: list[_Column] = []
    for attname, quoted, kind, how in _entry_columns(connection.alias, with_id):
        values = [getattr(entry, attname) for entry in entries]
        if how == "json":
            values = list(details) if details is not None and attname == "detail" else [
                json.dumps(value) for value in values]
        elif how == "text":  # as CharField.to_python, which bulk_create applies
            values = [value if value is None or isinstance(value, str) else str(value) for value in values]
        else:  # a choice as its value (psycopg would write an Enum's name)
            values = [value.value if isinstance(value, Enum) else value for value in values]
        first = values[0]
        alike = all(value == first and type(value) is type(first) for value in values)
        given.append(_Column(quoted, kind, values, alike))
    if len(entries) > 1 and all(column.alike for column in given):
        given[0].alike = False  # entries alike in every column: one array still gives their number
    selected: list[str] = []
    scalars: list[Any] = []
    arrays: list[tuple[str, str]] = []
    array_params: list[Any] = []
    for column in given:
        if column.alike:
            selected.append(f"%s::{column.kind}")
            scalars.append(column.values[0])
        elif column.kind == "jsonb":
            # The documents as one JSON array, not an array of texts: psycopg escapes each
            # quote of each text of an array with a regular expression, which cost a page of
            # fifty children's entries more than writing them (issue 11).
            selected.append(f"u.{column.name}")
            arrays.append((column.name, "jsonb_array_elements(%s::jsonb)"))
            array_params.append(f"[{','.join(column.values)}]")
        else:
            selected.append(f"u.{column.name}")
            arrays.append((column.name, f"unnest(%s::{column.kind}[])"))
            array_params.append(column.values)
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    # ROWS FROM takes the n-th value of each column together, as unnest of several arrays does.
    rows = (f" FROM ROWS FROM ({', '.join(array for _, array in arrays)}) AS u ({', '.join(c for c, _ in arrays)})"
            if arrays else "")
    sql = (f"INSERT INTO {table} ({', '.join(column.name for column in given)}) "
           f"SELECT {', '.join(selected)}{rows} RETURNING {connection.ops.quote_name(str(AuditEntry._meta.pk.column))}")
    return sql, [*scalars, *array_params]


def link_digest(*, entry_id: int, entry_hash: str, previous_hash: str, key: bytes) -> str:
    """A link's keyed hash: this entry (its id and own hash) after the link before."""
    return hmac.new(key, f"{entry_id}:{entry_hash}:{previous_hash}".encode(), hashlib.sha256).hexdigest()


def chain_head_hash() -> str:
    """The hash the next link follows: the newest link's, else the last inline-chained entry's."""
    head = AuditLink.objects.order_by("-seq").values_list("link_hash", flat=True).first()
    if head is not None:
        return head
    inline = AuditEntry.objects.filter(format=AuditEntry.Format.INLINE).order_by("-id")
    return inline.values_list("entry_hash", flat=True).first() or ""


def audit_chain_extend(*, limit: int = 5000) -> int:
    """Link the entries written since the last step into the chain, oldest first; returns how
    many. A short transaction of its own; on PostgreSQL one step at a time (an advisory lock
    held for the step alone, not across anyone's request). An entry whose own hash does not
    verify was not written by Homeward: it is left off the chain, for `audit verify` to report."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
        # The waiting ids first, then their entries by key: as one statement with a subquery the
        # planner walked the whole log in id order (4 s a step at 15 million entries, issue 11).
        ids = list(AuditPending.objects.order_by("entry_id").values_list("entry_id", flat=True)[:limit])
        pending = list(AuditEntry.objects.filter(pk__in=ids).order_by("id")) if ids else []
        linked = _link(pending, audit_key_ring()) if pending else 0
        # Every row taken leaves the list, one naming no entry too (nothing stops one being
        # written by hand, ADR 0023): left, it would be taken again at every step.
        if ids:
            AuditPending.objects.filter(entry_id__in=ids).delete()
        return linked


def _link(entries: list[AuditEntry], ring: KeyRing) -> int:
    """Append links for the entries, in order, after the chain's head; the caller serialises."""
    current = ring.keys[ring.current]
    previous = chain_head_hash()
    links = []
    for entry in entries:
        key = ring.key(entry.key_id)
        if entry.format != AuditEntry.Format.LINKED or key is None or entry_digest(entry, key) != entry.entry_hash:
            continue
        link_hash = link_digest(entry_id=entry.pk, entry_hash=entry.entry_hash, previous_hash=previous, key=current)
        links.append(AuditLink(entry_id=entry.pk, entry_hash=entry.entry_hash, previous_hash=previous,
                               key_id=ring.current, link_hash=link_hash))
        previous = link_hash
    AuditLink.objects.bulk_create(links)
    return len(links)


def audit_record(
    *,
    actor: Any,
    action: str,
    object_type: str,
    object_id: str = "",
    child_id: int | None = None,
    detail: dict[str, Any] | None = None,
    channel: str | None = None,
    at: datetime | None = None,
    together: Rows | None = None,
) -> AuditEntry:
    """Append one entry, inside the caller's transaction (or its own). `together`: rows of the
    caller's written with it, in one statement on PostgreSQL (a casework write's chronology)."""
    entry = _entry(actor=actor, action=action, object_type=object_type, object_id=object_id, child_id=child_id,
                   detail=detail, channel=channel)
    _append([entry], at=at, together=together)
    return entry


def audit_list_read(
    *, actor: Any, object_type: str, rows: Iterable[tuple[int, int]], query: dict[str, Any], action: str = "view",
) -> list[AuditEntry]:
    """A page of records about several children was read (or exported): one entry per child on
    the page, naming that child's records, so "who looked at this child" finds list views too.
    `rows` are (record id, child id) pairs; the entries are written together, in child order."""
    by_child: dict[int, dict[int, None]] = {}
    for record, child in rows:
        by_child.setdefault(child, {})[record] = None
    # The query as JSON keeps it once for all the entries, and whole-number ids are already what
    # JSON keeps: each entry's detail is not written out and read back (a page names a hundred
    # children at national scale, issue 11).
    kept_query = _as_json(query)
    if not by_child:
        return []
    # One entry made as any entry is; the others are made from its values at once
    # (`instance_made`), with their own child and detail.
    model = _entry(actor=actor, action=action, object_type=object_type)
    alike = {f.attname: getattr(model, f.attname) for f in AuditEntry._meta.concrete_fields}
    person = _ENTRY_USER.get_cached_value(model)
    entries = []
    for child, records in sorted(by_child.items()):
        ids = list(records)
        entry = instance_made(AuditEntry, {**alike, "child_id": child, "detail": {
            "records": ids if all(type(record) is int for record in ids) else _as_json(ids), "query": kept_query}},
            db=None)
        _ENTRY_USER.set_cached_value(entry, person)
        entries.append(entry)
    _append(entries, alike=True)
    return entries


def _as_json(value: Any) -> Any:
    """The value as JSON keeps it (what is not JSON as text), as an entry's detail holds it."""
    return json.loads(json.dumps(value, default=str))


# The children an export names, one row each with the ids of their records, written from the
# export's own (record, child) pairs, and the number and SHA-256 of the rows written
# (`named_digest`'s text: "child:records" lines in child order).
_NAMED_SQL = """
WITH named AS (
    INSERT INTO audit_auditnamed (entry_id, child_id, records)
    SELECT %s, child, string_agg(record::text, ',' ORDER BY record) FROM ({pairs}) AS pairs (record, child)
    GROUP BY child ORDER BY child  -- in the index's order: each insert lands beside the one before
    RETURNING child_id, records
)
SELECT COUNT(*), encode(sha256(convert_to(
    COALESCE(string_agg(child_id || ':' || records, E'\\n' ORDER BY child_id), ''), 'UTF8')), 'hex')
FROM named
"""


def named_digest(rows: Iterable[tuple[int, str]]) -> str:
    """The SHA-256 of an entry's named children, (child, records) in child order: one
    "child:records" line each, joined by newlines."""
    digest = hashlib.sha256()
    for number, (child, records) in enumerate(rows):
        digest.update(f"{chr(10) if number else ''}{child}:{records}".encode())
    return digest.hexdigest()


def audit_named_read(
    *, actor: Any, action: str, object_type: str, object_id: str = "", query: dict[str, Any],
    rows: Iterable[tuple[int, int]] = (), rows_sql: tuple[str, Sequence[Any]] | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """An export naming many children (ADR 0017): one entry for the export, and a row per child
    named (AuditNamed) with the ids of the records of theirs it carried. The pairs are `rows`,
    (record id, child id), or on PostgreSQL `rows_sql`, SQL giving each pair once and its
    parameters, which one INSERT ... SELECT reads (nothing of them passes through Python). The
    entry's detail holds `query` and the rows' number and SHA-256 (`named`), under its keyed
    hash; it is linked into the chain as any entry is. Inside the caller's transaction."""
    with transaction.atomic(savepoint=False):
        entry_id: int | None = None
        if rows_sql is not None and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # The entry's id first: its rows name it, and its hash covers theirs.
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [AuditEntry._meta.db_table])
                entry_id = cursor.fetchone()[0]
                sql, params = rows_sql
                cursor.execute(_NAMED_SQL.format(pairs=sql), [entry_id, *params])
                count, digest = cursor.fetchone()
        else:
            if rows_sql is not None:
                with connection.cursor() as cursor:
                    cursor.execute(rows_sql[0], list(rows_sql[1]))
                    rows = list(cursor.fetchall())
            by_child: dict[int, set[int]] = {}
            for record, child in rows:
                by_child.setdefault(child, set()).add(record)
            named = [(child, ",".join(map(str, sorted(records)))) for child, records in sorted(by_child.items())]
            count, digest = len(named), named_digest(named)
        entry = _entry(actor=actor, action=action, object_type=object_type, object_id=object_id,
                       detail={**(detail or {}), "query": query, "named": {"children": count, "sha256": digest}})
        if entry_id is None:
            _append([entry])
            AuditNamed.objects.bulk_create(
                [AuditNamed(entry_id=entry.pk, child_id=child, records=records) for child, records in named],
                batch_size=5000)
        else:
            entry.pk = entry_id
            _append([entry])
    return entry
