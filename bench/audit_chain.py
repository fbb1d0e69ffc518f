"""The audit log of a generated database: the entries every child's record would have written,
chained in the order they happened, so `homeward audit verify` accepts it.

Children are filled in by several processes at once, so their entries are first kept in a
staging table. Where each entry carries its own keyed hash and the chain is a table of links
(ADR 0013), the processes hash their own entries (`entry_digest`, as the application does), one
statement copies them into the log in time order, and one pass links them (`link_digest`).
Where each entry names the one before (ADR 0012), one pass reads them in time order and hashes
each after the one before.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from django.db import connection, transaction

from homeward.audit import models as audit_models
from homeward.audit import services as audit_services
from homeward.audit.keys import audit_key_ring
from homeward.audit.models import AuditEntry

from . import tables

STAGING = "bench_audit_staging"
_COLUMNS = "at user_id username action object_type object_id child_id channel detail"
_ENTRY_COLUMNS = f"{_COLUMNS} key_id previous_hash entry_hash"
BATCH = 20_000


@dataclass
class _Entry:
    """What `entry_digest` reads of an entry, without a model instance per row."""

    at: datetime
    user_id: int | None
    username: str
    action: str
    object_type: str
    object_id: str
    child_id: int | None
    remote_addr: str
    user_agent: str
    channel: str
    detail: dict[str, Any]
    previous_hash: str
    key_id: str
    format: Any = None


def _linked() -> bool:
    """Whether entries carry their own hash and the chain is a separate table of links (ADR
    0013), rather than each entry naming the one before (ADR 0012)."""
    return hasattr(audit_services, "link_digest") and hasattr(audit_models, "AuditLink")


def _format(linked: bool) -> Any:
    formats = getattr(AuditEntry, "Format", None)
    return None if formats is None else (formats.LINKED if linked else formats.INLINE)


def _as_utc(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return cast(datetime, value.astimezone(UTC))


def _entry(row: tuple[Any, ...], *, previous: str, key_id: str, entry_format: Any) -> _Entry:
    at, user_id, username, action, object_type, object_id, child_id, channel, detail = row
    return _Entry(at=_as_utc(at), user_id=user_id, username=username, action=action, object_type=object_type,
                  object_id=object_id, child_id=child_id, remote_addr="", user_agent="", channel=channel,
                  detail=json.loads(detail), previous_hash=previous, key_id=key_id, format=entry_format)


def staging_create() -> None:
    text = "TIMESTAMP WITH TIME ZONE" if connection.vendor == "postgresql" else "TEXT"
    unlogged = "UNLOGGED " if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
        cursor.execute(f"CREATE {unlogged}TABLE {STAGING} (at {text}, user_id BIGINT, username TEXT, action TEXT, "
                       "object_type TEXT, object_id TEXT, child_id BIGINT, channel TEXT, detail TEXT, "
                       "own_hash TEXT)")


def staging_write(rows: Sequence[tuple[Any, ...]]) -> None:
    """Keep entries (tuples in `_COLUMNS` order) for `chain_staged`, each with its own hash
    where entries carry one."""
    if not rows:
        return
    if _linked():
        ring = audit_key_ring()
        key = ring.keys[ring.current]
        entry_format = _format(True)
        rows = [(*row, audit_services.entry_digest(cast(AuditEntry, _entry(
            row, previous="", key_id=ring.current, entry_format=entry_format)), key)) for row in rows]
    else:
        rows = [(*row, None) for row in rows]
    if connection.vendor == "postgresql":
        tables.copy_rows(STAGING, (*_COLUMNS.split(), "own_hash"), rows)
    else:
        adapt = connection.ops.adapt_datetimefield_value
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {STAGING} VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                               [(adapt(row[0]), *row[1:]) for row in rows])


def chain_head() -> str:
    head = getattr(audit_services, "chain_head_hash", None)
    if head is not None:
        return str(head())
    return AuditEntry.objects.order_by("-id").values_list("entry_hash", flat=True).first() or ""


def _next_id() -> int:
    return (AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1


def chain_staged(progress: Callable[[str], None]) -> int:
    """Write the staged entries into the log after its last entry, in time order, chained;
    returns how many."""
    with transaction.atomic():
        written = _chain_linked(progress) if _linked() else _chain_inline(progress)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {STAGING}")
    return written


def _reader() -> Any:
    if connection.vendor == "postgresql":
        return connection.connection.cursor(name="bench_audit")
    return connection.cursor()


def _chain_linked(progress: Callable[[str], None]) -> int:
    ring = audit_key_ring()
    key = ring.keys[ring.current]
    first = _next_id()
    given = ("id", *_ENTRY_COLUMNS.split(), *(("format",) if hasattr(AuditEntry, "Format") else ()))
    columns, extra = tables.full_columns(tables.Table(AuditEntry, given))
    detail = "detail::jsonb" if connection.vendor == "postgresql" else "detail"
    chosen = ", ".join(["%s + row_number() OVER (ORDER BY at, child_id) - 1",
                        *_COLUMNS.split()[:-1], detail, "%s", "''", "own_hash",
                        *(("%s",) if "format" in given else ()), *(["%s"] * len(extra))])
    quoted = ", ".join(f'"{c}"' for c in columns)
    params = [first, ring.current, *((_format(True),) if "format" in given else ()), *extra]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Sorting millions of entries by time: in memory rather than in many files.
            cursor.execute("SET LOCAL work_mem = '1GB'")
        cursor.execute(f'INSERT INTO "{AuditEntry._meta.db_table}" ({quoted}) SELECT {chosen} FROM {STAGING}',
                       params)
        written = int(cursor.rowcount)
    progress(f"audit log: {written:,} entries written in time order; linking them")
    previous = chain_head()
    # Looked up, not imported: the log may predate links (then `_chain_inline` runs instead).
    link_table = tables.Table(getattr(audit_models, "AuditLink"),  # noqa: B009
                              ("entry_id", "entry_hash", "previous_hash", "key_id", "link_hash"))
    reader = _reader()
    reader.execute(f'SELECT id, entry_hash FROM "{AuditEntry._meta.db_table}" WHERE id >= %s ORDER BY id', [first])
    linked = 0
    while batch := reader.fetchmany(BATCH):
        links = []
        for entry_id, own in batch:
            link = audit_services.link_digest(entry_id=entry_id, entry_hash=own, previous_hash=previous, key=key)
            links.append((entry_id, own, previous, ring.current, link))
            previous = link
        tables.write_table(link_table, links)
        linked += len(links)
    reader.close()
    progress(f"audit log: {linked:,} entries linked into the chain")
    return written


def _chain_inline(progress: Callable[[str], None]) -> int:
    ring = audit_key_ring()
    key = ring.keys[ring.current]
    entry_format = _format(False)
    given = ("id", *_ENTRY_COLUMNS.split(), *(("format",) if entry_format is not None else ()))
    entry_table = tables.Table(AuditEntry, given)
    previous = chain_head()
    next_id = _next_id()
    written = 0
    reader = _reader()
    reader.execute(f"SELECT {', '.join(_COLUMNS.split())} FROM {STAGING} ORDER BY at, child_id")
    while batch := reader.fetchmany(BATCH):
        rows: list[tuple[Any, ...]] = []
        for row in batch:
            entry = _entry(row, previous=previous, key_id=ring.current, entry_format=entry_format)
            previous = audit_services.entry_digest(cast(AuditEntry, entry), key)
            rows.append((next_id, entry.at, *row[1:], ring.current, entry.previous_hash, previous,
                         *((entry_format,) if entry_format is not None else ())))
            next_id += 1
        tables.write_table(entry_table, rows)
        written += len(rows)
        if written % (BATCH * 25) == 0:
            progress(f"audit log: {written:,} entries chained")
    reader.close()
    return written
