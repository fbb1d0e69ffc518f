"""What the engine answers: obligations with their status and the basis of each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Status = Literal["upcoming", "pending", "overdue", "done", "missed", "not_done"]

#: Every status an obligation can have.
STATUSES: tuple[Status, ...] = ("upcoming", "pending", "overdue", "done", "missed", "not_done")


def status_at(
    *,
    arises_at: datetime,
    due_at: datetime,
    done_at: datetime | None,
    lapses_at: datetime | None,
    ended_at: datetime | None,
    as_of: datetime,
) -> Status:
    """An obligation's status at `as_of` from its stored instants alone.

    The Django side mirrors this in SQL over the same columns, so it reads nothing else.
    The first that holds wins:

    1. `done`: done_at is known and done_at <= as_of (even after a lapse or the closure:
       the record came late, `late` says so);
    2. `missed`: lapses_at is known, as_of >= lapses_at, and the window lapsed no later than
       the episode's closure (ended_at unknown, or lapses_at <= ended_at): a window of a
       repeating obligation that passed without its record, terminal;
    3. `not_done`: ended_at is known and ended_at <= as_of: still outstanding when the
       episode was closed, terminal;
    4. `upcoming`: as_of < arises_at;
    5. `overdue`: as_of > due_at;
    6. `pending` otherwise (from arises_at up to and including due_at).
    """
    if done_at is not None and done_at <= as_of:
        return "done"
    if lapses_at is not None and as_of >= lapses_at and (ended_at is None or lapses_at <= ended_at):
        return "missed"
    if ended_at is not None and ended_at <= as_of:
        return "not_done"
    if as_of < arises_at:
        return "upcoming"
    if as_of > due_at:
        return "overdue"
    return "pending"


@dataclass(frozen=True)
class Basis:
    """Why an obligation exists and is due when it is.

    `rule`: the rule in words. `trigger` and `trigger_at`: the fact that started its clock.
    `policy_value`: the protocol values used, naming the protocol version. `citation`: the
    guidance seed and the passage it implements. `note`: anything else that moved the
    dates (a high-risk grading, a reclassification, the placing authority's duty shown for
    information), or "".
    `deadline`: the time from the event the due time is measured from to the due time, in
    words ("72 hours", "3 working days", "the end of the day"; "" when it is due as soon as
    it arises). `deadline_from`: that event in words, naming the child "the child" ("the
    child going missing", "the report", "the interview"), so that `explain` can put the
    child's name in.
    """

    rule: str
    trigger: str
    trigger_at: datetime
    policy_value: str
    citation: str
    note: str = ""
    deadline: str = ""
    deadline_from: str = ""


@dataclass(frozen=True)
class Draft:
    """An obligation before `as_of` gives it a status (what a rule produces).

    `listed_from`: the instant from which the engine lists it (None: from `arises_at`).
    `lapses_at`: for a window of a repeating obligation, when it passes: not done by then,
    it is `missed`. `ended_at` and `ended_reason`: the episode's closure and the closing
    manager's reason, for an obligation still outstanding then (the engine sets them).
    `for_information`: another authority's duty, shown for information, never on a worklist.
    """

    code: str
    instance: int
    arises_at: datetime
    due_at: datetime
    done_at: datetime | None
    done_recorded_at: datetime | None
    basis: Basis
    listed_from: datetime | None = None
    lapses_at: datetime | None = None
    ended_at: datetime | None = None
    ended_reason: str = ""
    for_information: bool = False


@dataclass(frozen=True)
class Obligation:
    """One thing that must happen by a time, and whether it has.

    `status`: `status_at` at the instant asked about: `upcoming` (before arises_at),
    `pending`, `overdue` (after due_at and not done), `done` (done_at not after as_of),
    `missed` (a window that lapsed at lapses_at without its record) or `not_done` (still
    outstanding when the episode was closed at ended_at, for `ended_reason`); `late`: done
    after due_at. `done_recorded_at`: when the completing fact was typed in, where known.
    `listed_from`: from when it is listed (`evaluate` lists it from then; `plan` also gives
    rows listed later). `for_information`: the placing authority's duty, shown for
    information, never on a worklist.
    """

    code: str
    instance: int
    title: str
    responsible_role: str
    arises_at: datetime
    due_at: datetime
    done_at: datetime | None
    done_recorded_at: datetime | None
    status: Status
    late: bool
    basis: Basis
    listed_from: datetime
    lapses_at: datetime | None
    ended_at: datetime | None
    ended_reason: str
    for_information: bool
