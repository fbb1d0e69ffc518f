"""Who owns an obligation: DOMAIN.md section 3, "every obligation has an owner who sees it on a
worklist". The person its role names for the child, else the child's team's queue, else the
front door (MASH) queue that the co-ordinator and MCT see."""

from __future__ import annotations

from dataclasses import dataclass

from .models import OwnerQueue

# Roles whose duty belongs to a named person where the child has one.
_PERSONAL_ROLES = frozenset({"social_worker", "rhi_practitioner"})
# Roles whose duty belongs to the child's team (its manager and members) where it has one.
_TEAM_ROLES = frozenset({"social_worker", "team_manager"})


@dataclass(frozen=True)
class Owner:
    queue: str
    user_id: int | None = None
    team_id: int | None = None


def obligation_owner(*, responsible_role: str, allocated_worker_id: int | None, team_id: int | None,
                     practitioner_id: int | None, for_information: bool) -> Owner:
    """The owner of a duty of `responsible_role` for a child with this allocation."""
    if for_information:
        return Owner(OwnerQueue.NONE)
    if responsible_role in _PERSONAL_ROLES:
        person = allocated_worker_id if responsible_role == "social_worker" else practitioner_id
        if person is not None:
            return Owner(OwnerQueue.PERSON, user_id=person)
        if responsible_role == "rhi_practitioner":
            # Nobody allocated yet: the co-ordinator allocates it (front door queue).
            return Owner(OwnerQueue.FRONT_DOOR)
    if responsible_role in _TEAM_ROLES:
        if team_id is not None:
            return Owner(OwnerQueue.TEAM, team_id=team_id)
        return Owner(OwnerQueue.FRONT_DOOR)
    return Owner(OwnerQueue.ROLE)
