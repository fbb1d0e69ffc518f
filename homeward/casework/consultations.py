"""Consultations and referrals as decisions (DOMAIN.md section 5a; seeds 002 and 004).

Section 47 strategy discussion, Pre-MACE panel, Child and Family Assessment, Early Help
Assessment, Duty and Assessment Team consultation: each considered for an episode, with the
decision (made or not made), the reason and who decided; a decision made is tracked to its
outcome. What prompts each (exploitation indicators, high risk, unallocated with vulnerability,
repeat missing) is the pure `homeward.protocol.consultations`; `episode_consultation_prompts`
reads the episode's situation for it. Nothing here is a duty the protocol times: Reach.NONE.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from homeward.accounts.models import User
from homeward.accounts.permissions import Capability, may_record_consultation_outcome, require
from homeward.children.models import Child
from homeward.common.errors import DomainValidationError, FieldError, PermissionDenied
from homeward.common.text import check_free_text, check_name
from homeward.common.timeutil import LONDON
from homeward.consultations.models import Consultation, ConsultationKind, Decision
from homeward.episodes.models import Episode, EpisodeAction, EpisodeStatus, RiskGrading
from homeward.interviews.models import ReturnInterview
from homeward.obligations.protocol_source import active_protocol
from homeward.plans.models import VulnerabilityJudgement
from homeward.protocol.consultations import Prompt, Situation, consultation_prompts
from homeward.protocol.repeat import is_repeat_missing

from .commit import Audit, Chronicle, Reach, casework_commit

CLOCK_SKEW = timedelta(minutes=5)
# Immediate risks of a risk analysis (the `risks` list) that are exploitation.
EXPLOITATION_RISKS = frozenset({"exploitation", "trafficking"})


def episode_exploitation_recorded(episode: Episode) -> bool:
    """Whether a risk analysis named exploitation or trafficking among the immediate risks, or
    the return interview recorded exploitation indicators."""
    details = EpisodeAction.objects.filter(episode=episode, action="risk_analysis").values_list("detail", flat=True)
    if exploitation_in(details, None):
        return True
    indicators = ReturnInterview.objects.filter(episode=episode).values_list("exploitation_indicators",
                                                                             flat=True).first()
    return bool(indicators)


def exploitation_in(risk_analysis_details: Iterable[dict[str, Any] | None], indicators: list[str] | None) -> bool:
    """`episode_exploitation_recorded` from rows already read: the details of the episode's risk
    analyses and the return interview's exploitation indicators (None without an interview)."""
    for detail in risk_analysis_details:
        if EXPLOITATION_RISKS.intersection((detail or {}).get("immediate_risks") or []):
            return True
    return bool(indicators)


def episode_consultation_situation(episode: Episode) -> Situation:
    """What the prompts read about the episode, as the database holds it now: the three facts
    the engine's facts would give (`child.allocated`, `episode.judged_vulnerable_at`,
    `episode.other_episode_starts`), read alone rather than building every fact of the child
    (a dozen queries on each episode page)."""
    others = (Episode.objects.filter(child_id=episode.child_id).exclude(pk=episode.pk)
              .exclude(status=EpisodeStatus.CANCELLED).values_list("missing_since", flat=True))
    allocated = Child.objects.filter(pk=episode.child_id, allocated_worker__isnull=False).exists()
    return consultation_situation(
        episode, exploitation=episode_exploitation_recorded(episode),
        graded_high=RiskGrading.objects.filter(episode=episode, risk_level="high").exists(), allocated=allocated,
        # A practitioner's recorded judgement that the child is vulnerable (plans, issue 15).
        vulnerable=VulnerabilityJudgement.objects.filter(episode=episode).exists(), other_starts=others,
    )


def consultation_situation(episode: Episode, *, exploitation: bool, graded_high: bool, allocated: bool,
                           vulnerable: bool, other_starts: Iterable[datetime]) -> Situation:
    """The situation from facts already read (the episode page reads them for its panels):
    `graded_high`, a grading of the episode was high; `other_starts`, when the child's other
    episodes not cancelled began."""
    version = active_protocol().version_for(episode.reported_at)
    return Situation(
        exploitation_indicators=exploitation,
        high_risk=episode.risk_level == "high" or graded_high,
        allocated=allocated,
        vulnerable=vulnerable,
        repeat_missing=is_repeat_missing(tuple(sorted(other_starts)), episode.missing_since,
                                         version.repeat_missing_count, version.repeat_missing_window_days),
    )


def episode_consultation_prompts(episode: Episode) -> tuple[Prompt, ...]:
    """The consultations the episode's situation prompts, each answered once a decision of its
    kind is recorded (none for a cancelled episode: it was reported in error)."""
    if episode.status == EpisodeStatus.CANCELLED:
        return ()
    decided = set(Consultation.objects.filter(episode=episode).values_list("kind", flat=True))
    return consultation_prompts(episode_consultation_situation(episode), decided)


def _label(kind: str) -> str:
    return str(ConsultationKind(kind).label)


@transaction.atomic
def consultation_record(*, actor: User, episode: Episode, kind: str, decision: str, decided_at: datetime | None,
                        reason: str, decided_by: str = "") -> Consultation:
    """A consultation or referral considered: the decision, the reason, who decided and when.
    `decided_by` defaults to the person recording it. Every decision is kept."""
    require(actor, Capability.CONSULTATION_RECORD)
    episode = Episode.objects.select_for_update().get(pk=episode.pk)
    errors: list[FieldError] = []
    if episode.status == EpisodeStatus.CANCELLED:
        errors.append(FieldError("episode", "This episode was cancelled."))
    if kind not in ConsultationKind.values:
        errors.append(FieldError("kind", f"Use one of {', '.join(ConsultationKind.values)}."))
    if decision not in Decision.values:
        errors.append(FieldError("decision", f"Use one of {', '.join(Decision.values)}."))
    if decided_at is None:
        errors.append(FieldError("decided_at", "Enter when the decision was made."))
    elif decided_at > timezone.now() + CLOCK_SKEW:
        errors.append(FieldError("decided_at", "Record a decision once it has been made."))
    elif decided_at < episode.missing_since - timedelta(days=1):
        errors.append(FieldError("decided_at", "The decision is dated before the child went missing."))
    if not reason.strip():
        errors.append(FieldError("reason", "Give the reason for the decision."))
    check_free_text("reason", reason, errors, "The reason")
    who = decided_by.strip() or actor.display_name
    if len(who) > 200:
        errors.append(FieldError("decided_by", "Name who decided in 200 characters or fewer."))
    check_name("decided_by", who, errors, "Who decided")
    if errors:
        raise DomainValidationError(errors)
    assert decided_at is not None
    prompted = next((p.triggers for p in episode_consultation_prompts(episode) if p.kind == kind), ())
    consultation = Consultation.objects.create(
        episode=episode, kind=kind, decision=decision, decided_at=decided_at, decided_by=who, reason=reason.strip(),
        prompted_by=list(prompted), recorded_by=actor,
    )
    verb = "made" if decision == Decision.MADE else "not made"
    casework_commit(
        actor=actor, child=episode.child_id, episode=episode, event="consultation", reach=Reach.NONE,
        chronicle=Chronicle(decided_at, f"consultation_{decision}",
                            f"{_label(kind)} considered: {verb} (decided by {who}). {consultation.reason}"),
        audit=Audit("create", "consultation", str(consultation.pk),
                    {"episode": episode.pk, "kind": kind, "decision": decision, "decided_at": decided_at,
                     "decided_by": who, "prompted_by": list(prompted)}),
    )
    return consultation


@transaction.atomic
def consultation_record_outcome(*, actor: User, consultation: Consultation, outcome: str,
                                outcome_at: datetime | None) -> Consultation:
    """The outcome of a consultation or referral that was made (the discussion held and what it
    decided, the assessment's result, the panel's plan). Recorded once: by social care, or for
    the Pre-MACE panel by the exploitation (CSE/CCE) team that sits on it (ADR 0016)."""
    require(actor, Capability.CONSULTATION_OUTCOME)
    consultation = (Consultation.objects.select_for_update(of=("self",)).select_related("episode")
                    .get(pk=consultation.pk))
    if not may_record_consultation_outcome(actor, consultation.kind):
        raise PermissionDenied(f"The role {actor.role!r} may not record the outcome of a "
                               f"{_label(consultation.kind)}.")
    errors: list[FieldError] = []
    if consultation.decision != Decision.MADE:
        errors.append(FieldError("consultation", "Only a referral or consultation that was made has an outcome."))
    if consultation.outcome_at is not None:
        errors.append(FieldError("consultation", "Its outcome was already recorded "
                                                 f"({consultation.outcome_at.astimezone(LONDON):%d/%m/%Y %H:%M})."))
    if outcome_at is None:
        errors.append(FieldError("outcome_at", "Enter when the outcome was known."))
    elif outcome_at > timezone.now() + CLOCK_SKEW:
        errors.append(FieldError("outcome_at", "The outcome cannot be in the future."))
    elif outcome_at < consultation.decided_at:
        errors.append(FieldError("outcome_at", "The outcome cannot come before the decision."))
    if not outcome.strip():
        errors.append(FieldError("outcome", "Describe the outcome."))
    check_free_text("outcome", outcome, errors, "The outcome")
    if errors:
        raise DomainValidationError(errors)
    assert outcome_at is not None
    consultation.outcome = outcome.strip()
    consultation.outcome_at = outcome_at
    consultation.outcome_recorded_at = timezone.now()
    consultation.outcome_recorded_by = actor
    consultation.save(update_fields=["outcome", "outcome_at", "outcome_recorded_at", "outcome_recorded_by",
                                     "updated_at"])
    episode = consultation.episode
    casework_commit(
        actor=actor, child=episode.child_id, episode=episode, event="consultation_outcome", reach=Reach.NONE,
        chronicle=Chronicle(outcome_at, "consultation_outcome",
                            f"{_label(consultation.kind)}: outcome. {consultation.outcome}"),
        audit=Audit("update", "consultation", str(consultation.pk),
                    {"episode": episode.pk, "kind": consultation.kind, "outcome_at": outcome_at}),
    )
    return consultation
