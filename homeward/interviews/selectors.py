"""Reading return interviews."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .models import ReturnInterview

if TYPE_CHECKING:
    from homeward.episodes.models import Episode


def rhi_stage(rhi: ReturnInterview | None) -> str:
    """Where the interview has got to, as one word for boards and the API."""
    if rhi is None or (rhi.allocated_at is None and rhi.offered_at is None):
        return "to_allocate"
    if rhi.shared_at:
        return "shared"
    if rhi.authorised_at:
        return "authorised"
    if rhi.conducted_at or rhi.outcome:
        return "interviewed"
    if rhi.offered_at:
        return "offered"
    return "allocated"


def rhi_state(episode: Episode) -> dict[str, Any]:
    rhi = ReturnInterview.objects.filter(episode=episode).select_related("practitioner").first()
    return {
        "stage": rhi_stage(rhi),
        "practitioner": rhi.practitioner.username if rhi and rhi.practitioner else None,
        "allocated_at": rhi.allocated_at if rhi else None,
        "offered_at": rhi.offered_at if rhi else None,
        "outcome": (rhi.outcome or None) if rhi else None,
        "conducted_at": rhi.conducted_at if rhi else None,
        "authorised_at": rhi.authorised_at if rhi else None,
        "shared_at": rhi.shared_at if rhi else None,
    }


SHARED_WITH_POLICE = "police"


def rhi_content_visible_to(user: Any, rhi: ReturnInterview | None) -> bool:
    """Whether a person may read what the child said and what was found in the interview.

    Police liaison see the content only once it has been shared with the police (an
    authorised sharing, or a safeguarding concern shared at once); everyone else who may see
    the episode may read it.
    """
    from homeward.accounts.roles import Role

    if rhi is None:
        return False
    if getattr(user, "role", None) != Role.POLICE_LIAISON:
        return True
    if SHARED_WITH_POLICE in (rhi.shared_with or []):
        return True
    return any(SHARED_WITH_POLICE in (sharing.recipients or []) for sharing in rhi.sharings.all())
