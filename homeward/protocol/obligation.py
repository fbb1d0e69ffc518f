"""What the engine answers: obligations with their status and the basis of each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Status = Literal["upcoming", "pending", "overdue", "done"]


@dataclass(frozen=True)
class Basis:
    """Why an obligation exists and is due when it is.

    `rule`: the rule in words. `trigger` and `trigger_at`: the fact that started its clock.
    `policy_value`: the protocol values used, naming the protocol version. `citation`: the
    guidance seed and the passage it implements. `note`: anything else that moved the
    dates (a high-risk grading, a reclassification), or "".
    """

    rule: str
    trigger: str
    trigger_at: datetime
    policy_value: str
    citation: str
    note: str = ""


@dataclass(frozen=True)
class Draft:
    """An obligation before `as_of` gives it a status (what a rule produces)."""

    code: str
    instance: int
    arises_at: datetime
    due_at: datetime
    done_at: datetime | None
    done_recorded_at: datetime | None
    basis: Basis


@dataclass(frozen=True)
class Obligation:
    """One thing that must happen by a time, and whether it has.

    `status`: `upcoming` (as_of before arises_at), `pending`, `overdue` (as_of after due_at
    and not done), `done` (done_at not after as_of); `late`: done after due_at.
    `done_recorded_at`: when the completing fact was typed in, where known.
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
