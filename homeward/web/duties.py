"""Obligations as the pages show them: the plain-English sentence (`explain`), the rule trace
behind it, the status and the owner (DOMAIN.md section 3, ADR 0011)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from homeward.accounts.roles import Role
from homeward.children.models import Child
from homeward.common.text import lower_first
from homeward.obligations.models import OwnerQueue, StoredObligation
from homeward.obligations.selectors import stored_obligation
from homeward.protocol.explain import explain
from homeward.protocol.obligation import Basis, Obligation

# What each status is called on a tag, and the tag's colour.
STATUS_TAGS: dict[str, tuple[str, str]] = {
    "upcoming": ("Upcoming", "govuk-tag--grey"),
    "pending": ("Due", "govuk-tag--yellow"),
    "overdue": ("Overdue", "govuk-tag--red"),
    "done": ("Done", "govuk-tag--green"),
    "missed": ("Missed", "govuk-tag--orange"),
    "not_done": ("Not done", "govuk-tag--purple"),
}


def child_name(child: Child) -> str:
    """The name the sentences use for the child: what they are known as, else their given name."""
    return child.known_as or child.given_name


def owner_text(row: StoredObligation) -> str:
    """Whose worklist the duty is on, in words."""
    queue = row.owner_queue
    if queue == OwnerQueue.PERSON and row.owner_user is not None:
        return row.owner_user.display_name
    if queue == OwnerQueue.TEAM and row.owner_team is not None:
        return f"{row.owner_team.name} queue"
    if queue == OwnerQueue.FRONT_DOOR:
        return "Front door (MASH) queue"
    if queue == OwnerQueue.NONE:
        return "The placing authority"
    label = _role_label(row.responsible_role)
    return f"Every {lower_first(label)}" if queue == OwnerQueue.ROLE else label


@lru_cache(maxsize=64)
def _role_label(role: str) -> str:
    # Worked out once a role: a worklist names the same few roles on every row (issue 11).
    return str(Role(role).label) if role in Role.values else role.replace("_", " ")


@dataclass(frozen=True)
class Duty:
    """One stored obligation as a page shows it at an instant."""

    row: StoredObligation
    obligation: Obligation
    sentence: str
    owner: str

    @property
    def status(self) -> str:
        return self.obligation.status

    @property
    def basis(self) -> Basis:
        return self.obligation.basis

    @property
    def tag(self) -> str:
        return STATUS_TAGS[self.status][0]

    @property
    def tag_class(self) -> str:
        return STATUS_TAGS[self.status][1]

    @property
    def live(self) -> bool:
        """Still to be done: what a record link or form may complete."""
        return self.status in ("pending", "overdue")


def duty(row: StoredObligation, as_of: datetime, *, name: str | None = None) -> Duty:
    obligation = stored_obligation(row, as_of)
    return Duty(row=row, obligation=obligation,
                sentence=explain(obligation, child_name=name if name is not None else child_name(row.child)),
                owner=owner_text(row))


def duties(rows: list[StoredObligation], as_of: datetime, *, name: str | None = None) -> list[Duty]:
    return [duty(row, as_of, name=name) for row in rows]
