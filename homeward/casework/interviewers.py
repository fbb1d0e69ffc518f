"""Who may be allocated a child's return interview (DOMAIN.md section 5a), for `rhi_allocate`.

The rule is the pure `homeward.protocol.interviewer`; this reads how the person stands to the
child (their allocated social worker, their IRO, of the organisation they are placed with) and
the protocol's choice for the child's own social worker, in force at the episode's report.
"""

from __future__ import annotations

from homeward.accounts.models import User
from homeward.common.errors import FieldError
from homeward.episodes.models import Episode
from homeward.obligations.protocol_source import active_protocol
from homeward.protocol.interviewer import Candidate, interviewer_refusal


def interviewer_candidate(episode: Episode, practitioner: User, *, at_child_request: bool = False,
                          reason: str = "") -> Candidate:
    child = episode.child
    placed_with = set(child.placements.filter(ended_on__isnull=True, provider_organisation__isnull=False)
                      .values_list("provider_organisation_id", flat=True))
    return Candidate(
        role=str(practitioner.role),
        own_social_worker=child.allocated_worker_id == practitioner.pk,
        childs_iro=child.iro_id == practitioner.pk,
        placement_provider=practitioner.organisation_id is not None and practitioner.organisation_id in placed_with,
        at_child_request=at_child_request,
        reason=reason,
    )


def interviewer_errors(episode: Episode, practitioner: User, *, at_child_request: bool = False,
                       reason: str = "") -> list[FieldError]:
    """The field errors that refuse `practitioner` for this episode's interview; none when allowed."""
    candidate = interviewer_candidate(episode, practitioner, at_child_request=at_child_request, reason=reason)
    policy = active_protocol().version_for(episode.reported_at)
    refusal = interviewer_refusal(candidate, policy.rhi_own_social_worker)
    return [] if refusal is None else [FieldError(refusal.field, refusal.message)]
