"""Rows already read, held on a model instance as Django's prefetch_related leaves them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Model


def rows_held(instance: Model, rows_by_relation: dict[str, Iterable[Any]]) -> None:
    """Hold each relation's rows on `instance`: `instance.<relation>.all()` answers them without
    a query (a filter or order_by on it still queries), as after prefetch_related."""
    cache = {}
    for relation, rows in rows_by_relation.items():
        held = getattr(instance, relation).all()
        held._result_cache = list(rows)
        held._prefetch_done = True
        cache[relation] = held
    instance._prefetched_objects_cache = cache  # type: ignore[attr-defined]
