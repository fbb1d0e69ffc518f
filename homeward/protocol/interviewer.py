"""Who may be allocated a return home interview (DOMAIN.md section 5a).

Seed 002: "an in-depth conversation carried out by a professional (e.g. a social worker,
teacher, health professional or police officer) who is not involved in the direct care of the
child"; "It is usually best for this to be the allocated social worker, but the child should
be told that they can talk to someone independent if they prefer - this could be their IRO or
Child Protection Conference Chair, or an advocate, or another professional". Seed 004:
independent interviews by a commissioned service (the Youth Offending Service).

So: any professional not involved in the child's direct care, internal or of a commissioned
organisation (an advocate is a practitioner of one); the child's own IRO when the child asks
for them; never the child's carers or placement provider; the child's own allocated social
worker as the protocol chooses (`rhi.own_social_worker`: refused, or allowed with a reason).
"""

from __future__ import annotations

from dataclasses import dataclass

from homeward.protocol.policy import OwnSocialWorker

#: Roles of professionals who may hold the conversation (not the carers, not police liaison,
#: whose access stops short of social care's record, not the auditor or system administrator).
PROFESSIONAL_ROLES: frozenset[str] = frozenset(
    {
        "rhi_practitioner",
        "social_worker",
        "coordinator",
        "mct_admin",
        "team_manager",
        "service_leader",
        "senior_manager",
        "edt",
        # The exploitation (CSE/CCE) team's worker, often the one an exploited child talks to
        # (seed 002: "a different professional ... able to engage the child").
        "exploitation_team",
    }
)


@dataclass(frozen=True)
class Candidate:
    """The person proposed and how they stand to the child.

    `own_social_worker`: the child's allocated social worker. `childs_iro`: the child's IRO.
    `placement_provider`: of the organisation the child is placed with (the carers).
    `at_child_request`: the child asked for this person. `reason`: the reason recorded.
    """

    role: str
    own_social_worker: bool = False
    childs_iro: bool = False
    placement_provider: bool = False
    at_child_request: bool = False
    reason: str = ""


@dataclass(frozen=True)
class Refusal:
    """Why a candidate may not be allocated: the field at fault and a message for people."""

    field: str
    message: str


def interviewer_refusal(candidate: Candidate, own_social_worker: OwnSocialWorker) -> Refusal | None:
    """None when `candidate` may be allocated the interview, else why not."""
    if candidate.placement_provider or candidate.role == "placement_provider":
        return Refusal(
            "practitioner",
            "The child's carers and placement provider are involved in the child's direct care: "
            "allocate someone independent of it.",
        )
    if candidate.role == "iro":
        if not candidate.childs_iro:
            return Refusal("practitioner", "An IRO may hold the interview only for a child they are the IRO of.")
        if not candidate.at_child_request:
            return Refusal(
                "at_child_request",
                "The child's IRO holds the interview only when the child asks for them: say that the child asked.",
            )
        return None
    if candidate.role not in PROFESSIONAL_ROLES:
        return Refusal(
            "practitioner",
            "Allocate to a professional not involved in the child's direct care: a return interview "
            "practitioner, a social worker, the MCT, a manager, or the child's IRO at the child's request.",
        )
    if candidate.own_social_worker:
        if own_social_worker == "refuse":
            return Refusal(
                "practitioner",
                "The protocol does not allow the child's own allocated social worker to hold the interview: "
                "allocate someone independent.",
            )
        if not candidate.reason.strip():
            return Refusal(
                "reason",
                "This is the child's own allocated social worker: record why they, rather than someone "
                "independent, will hold the interview.",
            )
    return None
