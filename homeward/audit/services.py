"""Writing the audit log. Entries are hash-chained: each holds the hash of the one before,
so a changed or removed entry breaks the chain (see `homeward audit verify`). The hash is an
HMAC under a key kept outside the database (`keys`, ADR 0012), so the database's own roles can
neither append an entry that verifies nor rewrite one and recompute the rest."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from .context import current_origin
from .keys import audit_key_ring
from .models import AuditEntry

# Any constant will do: it names the lock that serialises writers of the chain on PostgreSQL.
_CHAIN_LOCK_KEY = 7_341_120


def entry_digest(entry: AuditEntry, key: bytes | None = None) -> str:
    """The entry's hash: HMAC-SHA256 under `key` (its `key_id`'s), or, for an entry made before
    the chain was keyed (no `key_id`), the plain SHA-256 it was made with."""
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
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()
    if key is None:
        return hashlib.sha256(canonical).hexdigest()
    return hmac.new(key, canonical, hashlib.sha256).hexdigest()


def _entry(
    *, actor: Any, action: str, object_type: str, object_id: str = "", child_id: int | None = None,
    detail: dict[str, Any] | None = None, channel: str | None = None,
) -> AuditEntry:
    """An entry not yet linked into the chain (no time, no hashes: set when it is)."""
    source = current_origin()
    return AuditEntry(
        user=actor if getattr(actor, "pk", None) else None,
        username=getattr(actor, "username", "") or "",
        action=action,
        object_type=object_type,
        object_id=object_id,
        child_id=child_id,
        remote_addr=source.remote_addr,
        user_agent=source.user_agent,
        channel=channel or source.channel,
        detail=json.loads(json.dumps(detail or {}, default=str)),
    )


def _append(entries: list[AuditEntry], *, at: datetime | None = None) -> None:
    """Link the entries into the chain, in order, and store them, inside the caller's
    transaction (or their own): one lock and one look at the last entry for all of them. They
    are dated `at`, or now (taken under the lock, so that the log's times follow its order)."""
    if not entries:
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
        # SQLite transactions begin IMMEDIATE (settings), which already serialises writers.
        previous = AuditEntry.objects.order_by("-id").values_list("entry_hash", flat=True).first() or ""
        when = at or timezone.now()
        ring = audit_key_ring()
        key = ring.keys[ring.current]
        for entry in entries:
            entry.at = when
            entry.previous_hash = previous
            entry.key_id = ring.current
            entry.entry_hash = previous = entry_digest(entry, key)
        if len(entries) == 1:
            entries[0].save(force_insert=True)
        else:
            # One INSERT (or a few, in order): ids follow the list, so the chain reads in id order.
            AuditEntry.objects.bulk_create(entries)


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
) -> AuditEntry:
    """Append one entry, inside the caller's transaction (or its own)."""
    entry = _entry(actor=actor, action=action, object_type=object_type, object_id=object_id, child_id=child_id,
                   detail=detail, channel=channel)
    _append([entry], at=at)
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
    entries = [_entry(actor=actor, action=action, object_type=object_type, child_id=child,
                      detail={"records": list(records), "query": query})
               for child, records in sorted(by_child.items())]
    _append(entries)
    return entries
