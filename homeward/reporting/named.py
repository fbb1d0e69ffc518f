"""Which children's records a report names, so that reading it can be audited (ARCHITECTURE.md
habit 4: reads of a child's record are audited). The pages and the API audit what they show;
the reports themselves only read.

A report names an episode by its id (`episode`, `episodes`) and a child by theirs (`child`,
`children`); every child a report names comes with at least one of their episodes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from homeward.accounts.models import User
from homeward.episodes.selectors import episode_list_for_user

from .ssd import SsdMissingTable
from .weekly import SECTIONS, WeeklyReport

_EPISODE_FIELDS = ("episode", "episodes")
# Ids per query when a long list is looked up (SQLite allows 32,766 parameters a statement).
_CHUNK = 10_000


def episodes_named(value: Any) -> set[int]:
    """Every episode id in a report (its dataclasses, lists and dicts, however deep)."""
    found: set[int] = set()

    def walk(item: Any) -> None:
        if dataclasses.is_dataclass(item) and not isinstance(item, type):
            for f in dataclasses.fields(item):
                inner = getattr(item, f.name)
                if f.name in _EPISODE_FIELDS:
                    found.update(_ids(inner))
                else:
                    walk(inner)
        elif isinstance(item, dict):
            for inner in item.values():
                walk(inner)
        elif isinstance(item, (list, tuple, set, frozenset)):
            for inner in item:
                walk(inner)

    walk(value)
    return found


def _ids(value: Any) -> Iterable[int]:
    if isinstance(value, int):
        return [value]
    return [v for v in value if isinstance(v, int)] if isinstance(value, (list, tuple, set, frozenset)) else []


def episode_children(user: User, episode_ids: Iterable[int]) -> list[tuple[int, int]]:
    """(episode, child) for each of these episodes the person may see, through the access
    choke point, in episode order."""
    ids = sorted(set(episode_ids))
    out: list[tuple[int, int]] = []
    for start in range(0, len(ids), _CHUNK):
        out.extend(episode_list_for_user(user).filter(pk__in=ids[start:start + _CHUNK]).order_by("pk")
                   .values_list("pk", "child_id"))
    return out


def report_rows(user: User, report: Any) -> list[tuple[int, int]]:
    """(episode, child) for every episode a report names that the person may see."""
    return episode_children(user, episodes_named(report))


def weekly_rows(report: WeeklyReport) -> list[tuple[int, int]]:
    """(episode, child) for every episode the weekly report lists, in order: its items carry
    both ids, so no query is needed (the report was built through the choke point)."""
    return sorted({(i.episode, i.child) for name in SECTIONS for i in getattr(report, name)}
                  | {(pk, r.child) for r in report.repeat_missing_children for pk in r.episodes})


def exported_records(*, ssda903: Any = None, annex_a: Any = None,
                     ssd: SsdMissingTable | list[list[str]] | None = None) -> list[tuple[int, int]]:
    """(record id, child id) of each row of a statutory export, so that the export is audited
    naming every child it carries (issue 14): the SSDA903 table's episodes, Annex A's children,
    the SSD table's episodes (which it carries with their children; given only the rows, their
    first column, looked up a chunk at a time)."""
    if ssda903 is not None:
        return [(row.episode, row.child) for row in ssda903.rows]
    if annex_a is not None:
        return [(row.child, row.child) for row in annex_a]
    if isinstance(ssd, SsdMissingTable):
        return list(ssd.records)
    from homeward.episodes.models import Episode

    ids = [int(row[0]) for row in ssd or []]
    children: dict[int, int] = {}
    for start in range(0, len(ids), _CHUNK):
        children.update(Episode.objects.filter(pk__in=ids[start:start + _CHUNK]).values_list("pk", "child_id"))
    return [(pk, children[pk]) for pk in ids if pk in children]
