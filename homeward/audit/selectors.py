"""Reading the audit log: auditors and administrators read all of it; those who may see a
child may ask who looked at that child."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from homeward.accounts.models import User
from homeward.accounts.permissions import Capability, can, require

from .models import AuditEntry, AuditNamed
from .services import audit_record


def naming_child(child_id: int) -> Q:
    """Entries about a child: those that name them (`child`) and the exports that name them in
    a row of their own (ADR 0017). One list of entry ids from the two indexes, not an OR the
    planner would answer by reading the whole log."""
    entry, named = AuditEntry._meta.db_table, AuditNamed._meta.db_table
    # Constants (the tables' names) and the id as a parameter.
    sql = f"SELECT id FROM {entry} WHERE child_id = %s UNION ALL SELECT entry_id FROM {named} WHERE child_id = %s"  # noqa: S608
    return Q(pk__in=RawSQL(sql, (child_id, child_id)))  # noqa: S611


def audit_list_for_user(
    user: User, *, child_id: int | None = None, username: str | None = None, since: datetime | None = None,
    until: datetime | None = None, action: str | None = None,
) -> QuerySet[AuditEntry]:
    """The audit log, filtered; reading it is itself audited."""
    require(user, Capability.AUDIT_READ)
    queryset = AuditEntry.objects.select_related("user").order_by("-at", "-id")
    if child_id is not None:
        queryset = queryset.filter(naming_child(child_id))
    if username:
        queryset = queryset.filter(username=username)
    if since is not None:
        queryset = queryset.filter(at__gte=since)
    if until is not None:
        queryset = queryset.filter(at__lt=until)
    if action:
        queryset = queryset.filter(action=action)
    audit_record(actor=user, action="view", object_type="audit_log", child_id=child_id,
                 detail={"child": child_id, "user": username, "since": since, "until": until, "action": action})
    return queryset


def child_access_log_for_user(user: User, child_id: int) -> QuerySet[AuditEntry]:
    """Who looked at or changed a child's records (the caller must be able to see the child)."""
    from homeward.children.selectors import child_get_for_user

    child = child_get_for_user(user, child_id, audit=False)
    require(user, Capability.CHILD_ACCESS_LOG)
    audit_record(actor=user, action="view", object_type="child_access_log", object_id=str(child.pk),
                 child_id=child.pk)
    return (AuditEntry.objects.filter(naming_child(child.pk))
            .filter(action__in=["view", "create", "update", "archive", "export"])
            .select_related("user").order_by("-at", "-id"))


# Detail keys that say which record or step, never what a record said: kept for every reader.
_STRUCTURAL_KEYS = frozenset({"episode", "meeting", "records", "action", "step", "version", "kind", "event",
                              "outcome", "recipients", "safeguarding_concern", "rows", "episodes", "children",
                              "not_done", "exceptional", "named"})


def _field_names(detail: Any, prefix: str = "") -> list[str]:
    """Every leaf's dotted path: which fields a change touched, without their values."""
    if isinstance(detail, dict):
        names: list[str] = []
        for key, value in detail.items():
            if key in ("before", "after") and prefix:
                names.append(prefix)
                continue
            names.extend(_field_names(value, f"{prefix}.{key}" if prefix else str(key)))
        return sorted(set(names))
    return [prefix] if prefix else []


def audit_detail_for(user: User, detail: dict[str, Any]) -> dict[str, Any]:
    """An entry's detail as this reader may read it (issue 14). Those who may read children's
    records read it whole; the others (the auditor) read who did what to which record, not what
    it said: structural keys (the episode, the step, the records named) with their values, and
    for everything else only the names of the fields concerned."""
    if can(user, Capability.CHILD_READ):
        return detail
    kept = {key: value for key, value in detail.items() if key in _STRUCTURAL_KEYS}
    fields = _field_names({key: value for key, value in detail.items() if key not in _STRUCTURAL_KEYS})
    return {**kept, **({"fields": fields} if fields else {})}
