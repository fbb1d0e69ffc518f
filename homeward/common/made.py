"""Model instances made from values already read, without `Model.__init__` (issue 11).

A page that reads its rows as values and makes a few model instances of each (a home worklist
row is a duty, its child, its owner and the owner's team) spent more on Django's `__init__`,
which takes every field through a loop of keyword look-ups, than on the rest of the row. Here
the instance's attributes are set at once: what `Model(**values)` then marked as read from the
database would hold (the fields not given at their defaults), for models no `pre_init` or
`post_init` receiver watches.
"""

from __future__ import annotations

from functools import cache
from typing import Any, TypeVar

from django.db.models import Field, Model
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init

M = TypeVar("M", bound=Model)


@cache
def _defaults(model: type[Model]) -> tuple[dict[str, Any], tuple[Field[Any, Any], ...]]:
    """The model's fixed defaults by attribute name, and the fields whose default is made anew
    for each instance (a callable)."""
    fixed: dict[str, Any] = {}
    made_each: list[Field[Any, Any]] = []
    for field in model._meta.concrete_fields:
        if field.has_default() and callable(field.default):
            made_each.append(field)
        else:
            fixed[field.attname] = field.get_default()
    return fixed, tuple(made_each)


def instance_made(model: type[M], values: dict[str, Any], *, db: str | None) -> M:
    """`model(**values)`, marked as read from `db` (saving it updates), or, with no `db`, as a
    new instance not yet saved: `values` by attribute name (`child_id`, not `child`), concrete
    fields only."""
    if pre_init.has_listeners(model) or post_init.has_listeners(model):
        instance = model(**values)
    else:
        fixed, made_each = _defaults(model)
        instance = model.__new__(model)
        attributes = instance.__dict__
        attributes.update(fixed)
        for field in made_each:
            if field.attname not in values:
                attributes[field.attname] = field.get_default()
        attributes.update(values)
        instance._state = ModelState()
    if db is not None:
        instance._state.adding = False
        instance._state.db = db
    return instance


def related_held(instance: Model, name: str, related: Model) -> None:
    """`instance.<name> = related` for a forward relation whose key the instance already holds,
    without the descriptor's router checks (the same database, read together)."""
    field = instance._meta.get_field(name)
    field.set_cached_value(instance, related)  # type: ignore[union-attr]
