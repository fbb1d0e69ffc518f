"""Statements compiled once a process, sent again with the instants of each request (issue 11).

A worklist's statements are the same text on every request of one person but for the instants in
them (now, the end of today...), and Django compiled them again each time: a fifth of the home
page's work. `StatementCache.statements(key, build, at)` compiles `build`'s statements once for a
key, then gives them with each request's instants put in their places.

Where the instants go is found by compiling twice, with two sets of instants that stand for them
(each a microsecond or a day from the real one, so that any code that looks at a value goes the
way the real one would): a parameter that differs between the two must be, in each, the stand-in
of the same instant. A statement whose text differs between them, or a value worked out from an
instant (now plus three days) rather than passed in, cannot be put back: such a key is never
cached and its statements are compiled every time, as before. So are they on a database whose
instants are not parameters as given (SQLite's are texts).

The key must hold everything else the statements are built from (the person's id, role, team...):
what `build` reads of anything but `at` is kept with the statement.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

Statement = tuple[str, Sequence[Any]]

@dataclass(frozen=True)
class _Template:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[str | None, ...]  # the instant each parameter is, or None: a constant


def _stand_ins(at: Mapping[str, datetime], shift: timedelta) -> dict[str, datetime]:
    """Instants that stand for `at`'s, each unlike the others: `shift` and a microsecond more for
    each name."""
    return {name: value + shift + timedelta(microseconds=1 + number) for number, (name, value) in
            enumerate(sorted(at.items()))}


def _templates(build: Callable[[Mapping[str, datetime]], list[Statement | None]],
               at: Mapping[str, datetime]) -> list[_Template | None] | None:
    """`build`'s statements with the places of `at`'s instants, or None if they cannot be found."""
    first_at, second_at = _stand_ins(at, timedelta(0)), _stand_ins(at, timedelta(days=1))
    first_names = {value: name for name, value in first_at.items()}
    second_names = {value: name for name, value in second_at.items()}
    first, second = build(first_at), build(second_at)
    if len(first) != len(second):
        return None
    templates: list[_Template | None] = []
    for one, other in zip(first, second, strict=True):
        if one is None or other is None:
            if one is not other:
                return None
            templates.append(None)
            continue
        if one[0] != other[0] or len(one[1]) != len(other[1]):
            return None
        slots: list[str | None] = []
        for a, b in zip(one[1], other[1], strict=True):
            name = first_names.get(a) if isinstance(a, datetime) else None
            if name is not None and isinstance(b, datetime) and second_names.get(b) == name:
                slots.append(name)
            elif a == b and name is None:
                slots.append(None)
            else:
                return None
        templates.append(_Template(sql=one[0], params=tuple(one[1]), slots=tuple(slots)))
    return templates


class StatementCache:
    """`build`'s statements by key, compiled once (the least recently used forgotten past
    `size`); thread-safe."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        # None: the key's statements cannot be put back together (compiled every time).
        self._kept: OrderedDict[Hashable, list[_Template | None] | None] = OrderedDict()
        self._lock = threading.Lock()

    def statements(self, key: Hashable, build: Callable[[Mapping[str, datetime]], list[Statement | None]],
                   at: Mapping[str, datetime]) -> list[Statement | None]:
        """`build(at)`, from statements compiled once for `key` where that can be done."""
        with self._lock:
            known = key in self._kept
            kept = self._kept.get(key)
            if known:
                self._kept.move_to_end(key)
        if not known:
            kept = _templates(build, at)
            with self._lock:
                self._kept[key] = kept
                while len(self._kept) > self.size:
                    self._kept.popitem(last=False)
        if kept is None:
            return build(at)
        return [None if template is None else
                (template.sql, [at[slot] if slot is not None else value
                                for value, slot in zip(template.params, template.slots, strict=True)])
                for template in kept]

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
