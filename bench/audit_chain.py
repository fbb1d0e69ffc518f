"""The audit log of a generated database: the entries every child's record would have written,
linked into the keyed chain in the order they happened, so `homeward audit verify` accepts it.

Children are filled in by several processes at once, so their entries are first kept unlinked
in a staging table; one pass then reads them in time order, links each to the one before with
the same digest the application uses (`homeward.audit.services.entry_digest`) and writes them.
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


def staging_create() -> None:
    text = "TIMESTAMP WITH TIME ZONE" if connection.vendor == "postgresql" else "TEXT"
    unlogged = "UNLOGGED " if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
        cursor.execute(f"CREATE {unlogged}TABLE {STAGING} (at {text}, user_id BIGINT, username TEXT, action TEXT, "
                       "object_type TEXT, object_id TEXT, child_id BIGINT, channel TEXT, detail TEXT)")


def staging_write(rows: Sequence[tuple[Any, ...]]) -> None:
    if not rows:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor, cursor.cursor.copy(
                f"COPY {STAGING} ({', '.join(_COLUMNS.split())}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        adapt = connection.ops.adapt_datetimefield_value
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {STAGING} VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                               [(adapt(row[0]), *row[1:]) for row in rows])


def _as_utc(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return cast(datetime, value.astimezone(UTC))


def _linked() -> bool:
    """Whether entries carry their own hash and the chain is a separate table of links (ADR
    0013), rather than each entry naming the one before (ADR 0012)."""
    return hasattr(audit_services, "link_digest") and hasattr(AuditEntry, "Format")


def _head() -> str:
    head = getattr(audit_services, "chain_head_hash", None)
    if head is not None:
        return str(head())
    return AuditEntry.objects.order_by("-id").values_list("entry_hash", flat=True).first() or ""


def chain_staged(progress: Callable[[str], None]) -> int:
    """Link the staged entries after the log's last entry, in time order; returns how many."""
    ring = audit_key_ring()
    key = ring.keys[ring.current]
    linked = _linked()
    formats = getattr(AuditEntry, "Format", None)
    entry_format = None if formats is None else (formats.LINKED if linked else formats.INLINE)
    columns = (f"id {_COLUMNS} key_id previous_hash entry_hash" + (" format" if formats is not None else "")).split()
    entry_table = tables.Table(AuditEntry, tuple(columns))
    link_model = getattr(audit_models, "AuditLink", None)
    link_table = (tables.Table(link_model, ("entry_id", "entry_hash", "previous_hash", "key_id", "link_hash"))
                  if linked and link_model is not None else None)
    previous = _head()
    next_id = (AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    written = 0
    order = f"SELECT {', '.join(_COLUMNS.split())} FROM {STAGING} ORDER BY at, child_id"
    with transaction.atomic():
        reader = connection.connection.cursor(name="bench_audit") if connection.vendor == "postgresql" else None
        cursor = reader if reader is not None else connection.cursor()
        cursor.execute(order)
        while True:
            batch = cursor.fetchmany(BATCH)
            if not batch:
                break
            rows: list[tuple[Any, ...]] = []
            links: list[tuple[Any, ...]] = []
            for at, user_id, username, action, object_type, object_id, child_id, channel, detail in batch:
                entry = _Entry(at=_as_utc(at), user_id=user_id, username=username, action=action,
                               object_type=object_type, object_id=object_id, child_id=child_id, remote_addr="",
                               user_agent="", channel=channel, detail=json.loads(detail),
                               previous_hash="" if linked else previous, key_id=ring.current, format=entry_format)
                own = audit_services.entry_digest(cast(AuditEntry, entry), key)
                if linked:
                    link = audit_services.link_digest(entry_id=next_id, entry_hash=own, previous_hash=previous,
                                                      key=key)
                    links.append((next_id, own, previous, ring.current, link))
                    previous = link
                else:
                    previous = own
                row = (next_id, entry.at, user_id, username, action, object_type, object_id, child_id, channel,
                       detail, ring.current, entry.previous_hash, own)
                rows.append(row + ((entry_format,) if formats is not None else ()))
                next_id += 1
            tables.write_table(entry_table, rows)
            if link_table is not None:
                tables.write_table(link_table, links)
            written += len(rows)
            if written % (BATCH * 25) == 0:
                progress(f"audit log: {written:,} entries chained")
        cursor.close()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {STAGING}")
    return written
