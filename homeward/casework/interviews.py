"""The return home interview, step by step (DOMAIN.md section 5; seeds 000 and 002).

Allocation by the co-ordinator to a practitioner not involved in the child's direct care
(each allocation kept; re-allocating keeps the first allocation's clock); offers, each kept
with the child's answer; the interview with the child's own words and coded factors; the
co-ordinator's authorisation, after which the record is locked and an amendment is a new
version needing authorisation again; sharing with police, social worker and IRO. A
safeguarding concern is shared at once, before authorisation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from homeward.accounts.models import User
from homeward.accounts.permissions import Capability, may_record_interview, require
from homeward.common.errors import DomainValidationError, FieldError, PermissionDenied
from homeward.common.text import listed
from homeward.episodes.models import Episode, EpisodeStatus
from homeward.interviews.models import (
    Method,
    OfferAnswer,
    Outcome,
    ReturnInterview,
    RhiAllocation,
    RhiOffer,
    RhiSharing,
    RhiVersion,
)
from homeward.interviews.selectors import CONCERN_SHARED_LABEL, INTERVIEW_SHARED_LABEL
from homeward.notifications.escalations import Escalation
from homeward.reference.selectors import is_valid_code

from .charges import charge_for_authorised_interview
from .commit import Audit, Chronicle, casework_commit
from .escalations import exploitation_in_interview, interview_sharing
from .interviewers import interviewer_errors

CLOCK_SKEW = timedelta(minutes=5)
SHARE_RECIPIENTS = ("police", "social_worker", "iro")
# Each recipient as the chronology names them.
RECIPIENT_NAMES = {"iro": "the IRO", "police": "the police", "social_worker": "the social worker"}


@dataclass(frozen=True)
class InterviewRecord:
    outcome: str
    conducted_at: datetime | None
    method: str = ""
    seen_alone: bool | None = None
    accompanied_by: str = ""
    conducted_by: str = ""
    push_factors: list[str] = field(default_factory=list)
    pull_factors: list[str] = field(default_factory=list)
    exploitation_indicators: list[str] = field(default_factory=list)
    referrals: list[str] = field(default_factory=list)
    reasons: str = ""
    whereabouts: str = ""
    harm: str = ""
    health_concerns: str = ""
    wishes_and_feelings: str = ""
    actions: str = ""
    carer_observations: str = ""


def _lock(episode: Episode) -> tuple[Episode, ReturnInterview]:
    episode = Episode.objects.select_for_update().select_related("child").get(pk=episode.pk)
    rhi, _ = ReturnInterview.objects.get_or_create(episode=episode)
    return episode, rhi


def _returned(episode: Episode, errors: list[FieldError]) -> None:
    if episode.status not in (EpisodeStatus.RETURNED, EpisodeStatus.CLOSED) or episode.found_at is None:
        errors.append(FieldError("episode", "The return interview follows the return: record the child found first."))


def _when(errors: list[FieldError], name: str, value: datetime | None, not_before: datetime | None,
          before_label: str) -> None:
    if value is None:
        return
    if value > timezone.now() + CLOCK_SKEW:
        errors.append(FieldError(name, "This time is in the future."))
    if not_before is not None and value < not_before:
        errors.append(FieldError(name, f"This is before {before_label}."))


def _finish(episode: Episode, actor: User, at: datetime, kind: str, summary: str, rhi: ReturnInterview,
            detail: dict[str, object], escalations: Sequence[Escalation] = ()) -> None:
    casework_commit(
        actor=actor, child=episode.child_id, episode=episode, event=kind, chronicle=Chronicle(at, kind, summary),
        audit=Audit("update", "return_interview", str(rhi.pk), {"episode": episode.pk, "step": kind, **detail}),
        escalations=escalations,
    )


@transaction.atomic
def rhi_allocate(*, actor: User, episode: Episode, practitioner: User | None, allocated_at: datetime,
                 exceptional: bool = False, reason: str = "", at_child_request: bool = False) -> ReturnInterview:
    """The co-ordinator allocates the interview to a practitioner (seed 000): a professional
    not involved in the child's direct care (`interviewer_errors`, DOMAIN.md section 5a). The
    child's own allocated social worker needs `reason` where the protocol allows them at all;
    the child's IRO needs `at_child_request`.

    Every allocation is kept. The first one starts the allocation clock; re-allocating keeps
    it (the deadline does not move, a missed one stays missed) and records who had it before.
    `exceptional`: another authority's child placed here, interviewed by the home authority
    because of an immediate safeguarding need, chargeable to the placing authority (seed 001).
    """
    require(actor, Capability.RHI_ALLOCATE)
    episode, rhi = _lock(episode)
    errors: list[FieldError] = []
    _returned(episode, errors)
    if practitioner is None:
        errors.append(FieldError("practitioner", "No active person has this username."))
    else:
        errors.extend(interviewer_errors(episode, practitioner, at_child_request=at_child_request, reason=reason))
    _when(errors, "allocated_at", allocated_at, episode.found_at, "the child was found")
    if rhi.allocated_at is not None and allocated_at < rhi.allocated_at:
        errors.append(FieldError("allocated_at", "A re-allocation cannot come before the first allocation."))
    if practitioner is not None and rhi.practitioner_id == practitioner.pk:
        errors.append(FieldError("practitioner", "The interview is already allocated to this person."))
    if errors:
        raise DomainValidationError(errors)
    assert practitioner is not None
    previous = rhi.practitioner
    RhiAllocation.objects.create(interview=rhi, practitioner=practitioner, previous_practitioner=previous,
                                 allocated_at=allocated_at, reason=reason.strip(), recorded_by=actor)
    rhi.practitioner = practitioner
    if rhi.allocated_at is None:
        rhi.allocated_at = allocated_at
        rhi.allocated_by = actor
    rhi.save()
    if exceptional != episode.rhi_exceptional:
        Episode.objects.filter(pk=episode.pk).update(rhi_exceptional=exceptional)
        episode.rhi_exceptional = exceptional
    verb = f"re-allocated from {previous.display_name} to" if previous is not None else "allocated to"
    _finish(episode, actor, allocated_at, "rhi_allocated",
            f"Return interview {verb} {practitioner.display_name}"
            + (" (exceptional, chargeable to the placing authority)." if exceptional else ".")
            + (" At the child's request." if at_child_request else "")
            + (f" {reason.strip()}" if reason.strip() else ""),
            rhi, {"practitioner": practitioner.username, "exceptional": exceptional,
                  "at_child_request": at_child_request,
                  "previous_practitioner": previous.username if previous else None})
    return rhi


def _require_practitioner_or_lead(actor: User, rhi: ReturnInterview) -> None:
    if may_record_interview(actor, rhi.practitioner_id):
        return
    require(actor, Capability.RHI_RECORD)
    raise PermissionDenied("Only the practitioner this interview is allocated to may record it.")


@transaction.atomic
def rhi_record_offer(*, actor: User, episode: Episode, offered_at: datetime, method: str, answer: str = "",
                     note: str = "") -> ReturnInterview:
    """The interview was offered to the child (within 72 hours: seeds 000 and 002). Each offer
    is kept with the child's answer, if known ("we will not give up": an offer declined today
    may be made again)."""
    episode, rhi = _lock(episode)
    _require_practitioner_or_lead(actor, rhi)
    errors: list[FieldError] = []
    _returned(episode, errors)
    if not method.strip():
        errors.append(FieldError("method", "Say how the interview was offered (visit, phone, letter...)."))
    _when(errors, "offered_at", offered_at, episode.found_at, "the child was found")
    if answer and answer not in OfferAnswer.values:
        errors.append(FieldError("answer", f"Use one of {', '.join(OfferAnswer.values)}."))
    if errors:
        raise DomainValidationError(errors)
    offer = RhiOffer.objects.create(interview=rhi, offered_at=offered_at, method=method.strip(), answer=answer,
                                    note=note.strip(), recorded_by=actor)
    if rhi.offered_at is None or offered_at < rhi.offered_at:
        # The interview's own fields keep the first offer, which the 72 hours are measured by.
        rhi.offered_at = offered_at
        rhi.offer_method = method.strip()
        rhi.save()
    count = rhi.offers.count()
    said = f"; {OfferAnswer(answer).label.lower()}" if answer else ""
    _finish(episode, actor, offered_at, "rhi_offered",
            f"Return interview offered ({method.strip()}{said})" + (f", offer {count}." if count > 1 else "."), rhi,
            {"offered_at": offered_at, "method": method, "answer": answer, "offer": offer.pk})
    return rhi


def _record_errors(episode: Episode, rhi: ReturnInterview, record: InterviewRecord) -> list[FieldError]:
    errors: list[FieldError] = []
    _returned(episode, errors)
    if rhi.offered_at is None:
        errors.append(FieldError("offered_at", "Record the offer of the interview first."))
    if record.outcome not in Outcome.values:
        errors.append(FieldError("outcome", f"Use one of {', '.join(Outcome.values)}."))
    if record.conducted_at is None:
        errors.append(FieldError("conducted_at", "Say when the interview took place or was declined."))
    _when(errors, "conducted_at", record.conducted_at, episode.found_at, "the child was found")
    if record.outcome == Outcome.ACCEPTED:
        if record.method not in Method.values:
            errors.append(FieldError("method", f"Use one of {', '.join(Method.values)}."))
        if record.seen_alone is None:
            errors.append(FieldError("seen_alone", "Say whether the child was seen alone."))
        if record.method == Method.PHONE and not record.carer_observations.strip():
            errors.append(FieldError("carer_observations", "A phone interview needs the observations of whoever "
                                                            "saw the child return."))
    for name, list_name in (("push_factors", "push_factors"), ("pull_factors", "pull_factors"),
                            ("exploitation_indicators", "exploitation_indicators"), ("referrals", "referrals")):
        for code in getattr(record, name):
            if not is_valid_code(list_name, code):
                errors.append(FieldError(name, f"{code!r} is not a code of the {list_name} list."))
    return errors


def _content(record: InterviewRecord) -> dict[str, object]:
    """The record's fields as a version keeps them (instants as ISO 8601)."""
    return {name: value.isoformat() if isinstance(value, datetime) else value for name, value in asdict(record).items()}


def interview_record_from(content: dict[str, object]) -> InterviewRecord:
    """A version's content back as the record it was made from."""
    values = dict(content)
    if isinstance(values.get("conducted_at"), str):
        values["conducted_at"] = datetime.fromisoformat(str(values["conducted_at"]))
    return InterviewRecord(**values)  # type: ignore[arg-type]


def _pending_amendment(rhi: ReturnInterview) -> RhiVersion | None:
    return rhi.versions.filter(number__gt=1, authorised_at__isnull=True).order_by("-number").first()


@transaction.atomic
def rhi_record_interview(*, actor: User, episode: Episode, record: InterviewRecord) -> ReturnInterview:
    """What the child said and what will be done (DOMAIN.md section 5). It may be corrected
    until the co-ordinator authorises it; after that it is locked (`rhi_amend`)."""
    episode, rhi = _lock(episode)
    _require_practitioner_or_lead(actor, rhi)
    errors = _record_errors(episode, rhi, record)
    if rhi.authorised_at is not None:
        errors.append(FieldError("episode", "The interview is authorised and locked: record an amendment, which "
                                            "is authorised again."))
    if errors:
        raise DomainValidationError(errors)
    for name, value in record.__dict__.items():
        setattr(rhi, name, value)
    rhi.interview_recorded_at = timezone.now()
    rhi.save()
    RhiVersion.objects.update_or_create(interview=rhi, number=1,
                                        defaults={"content": _content(record), "recorded_by": actor})
    assert record.conducted_at is not None
    _finish(episode, actor, record.conducted_at, "rhi_interview",
            f"Return interview {Outcome(record.outcome).label.lower()}.", rhi,
            {"outcome": record.outcome, "conducted_at": record.conducted_at},
            exploitation_in_interview(at=record.conducted_at, indicators=record.exploitation_indicators))
    return rhi


@transaction.atomic
def rhi_amend(*, actor: User, episode: Episode, record: InterviewRecord, amended_at: datetime,
              reason: str) -> RhiVersion:
    """Amend an authorised interview: a new version, kept beside the earlier ones, which the
    co-ordinator must authorise before anyone reads it in place of the authorised one (police
    read only authorised versions). A pending amendment is corrected in place."""
    episode, rhi = _lock(episode)
    _require_practitioner_or_lead(actor, rhi)
    errors = _record_errors(episode, rhi, record)
    if rhi.authorised_at is None:
        errors.append(FieldError("episode", "The interview is not authorised yet: correct the record itself."))
    if not reason.strip():
        errors.append(FieldError("reason", "Say why the authorised interview is being amended."))
    _when(errors, "amended_at", amended_at, rhi.authorised_at, "the authorisation")
    if errors:
        raise DomainValidationError(errors)
    version = _pending_amendment(rhi)
    if version is None:
        number = (rhi.versions.order_by("-number").values_list("number", flat=True).first() or 1) + 1
        version = RhiVersion(interview=rhi, number=number)
    version.content = _content(record)
    version.amended_at = amended_at
    version.amendment_reason = reason.strip()
    version.recorded_by = actor
    version.save()
    _finish(episode, actor, amended_at, "rhi_amended",
            f"Return interview amended (version {version.number}, to be authorised): {reason.strip()}", rhi,
            {"version": version.number, "reason": reason.strip()},
            exploitation_in_interview(at=amended_at, indicators=record.exploitation_indicators))
    return version


@transaction.atomic
def rhi_authorise(*, actor: User, episode: Episode, authorised_at: datetime,
                  recommendations: str = "") -> ReturnInterview:
    """The co-ordinator authorises the recorded interview (seed 000), or its pending amendment,
    which then becomes the interview everyone with access reads."""
    require(actor, Capability.RHI_AUTHORISE)
    episode, rhi = _lock(episode)
    errors: list[FieldError] = []
    amendment = _pending_amendment(rhi) if rhi.authorised_at is not None else None
    if rhi.conducted_at is None:
        errors.append(FieldError("episode", "Record the interview before authorising it."))
    if rhi.authorised_at is not None and amendment is None:
        errors.append(FieldError("episode", "The interview is already authorised."))
    if amendment is not None:
        _when(errors, "authorised_at", authorised_at, amendment.amended_at, "the amendment")
    else:
        _when(errors, "authorised_at", authorised_at, rhi.conducted_at, "the interview")
    if errors:
        raise DomainValidationError(errors)
    if amendment is not None:
        for name, value in interview_record_from(amendment.content).__dict__.items():
            setattr(rhi, name, value)
        amendment.authorised_at = authorised_at
        amendment.authorised_by = actor
        amendment.recommendations = recommendations
        amendment.save()
        rhi.recommendations = recommendations or rhi.recommendations
        rhi.save()
        _finish(episode, actor, authorised_at, "rhi_authorised",
                f"Return interview amendment (version {amendment.number}) authorised.", rhi,
                {"authorised_at": authorised_at, "version": amendment.number})
        return rhi
    rhi.authorised_at = authorised_at
    rhi.authorised_by = actor
    rhi.recommendations = recommendations
    rhi.save()
    RhiVersion.objects.filter(interview=rhi, number=1).update(authorised_at=authorised_at, authorised_by=actor,
                                                              recommendations=recommendations)
    _finish(episode, actor, authorised_at, "rhi_authorised", "Return interview authorised.", rhi,
            {"authorised_at": authorised_at, "version": 1})
    charge_for_authorised_interview(actor=actor, episode=episode, rhi=rhi)
    return rhi


@transaction.atomic
def rhi_share(*, actor: User, episode: Episode, shared_at: datetime, recipients: list[str],
              safeguarding_concern: bool = False, note: str = "") -> RhiSharing:
    """Share the interview with police, social worker and IRO. A safeguarding concern is
    shared at once, before authorisation (DOMAIN.md section 5)."""
    require(actor, Capability.RHI_SHARE)
    episode, rhi = _lock(episode)
    errors: list[FieldError] = []
    unknown = [r for r in recipients if r not in SHARE_RECIPIENTS]
    if not recipients or unknown:
        errors.append(FieldError("recipients", f"Choose from {', '.join(SHARE_RECIPIENTS)}."))
    if not safeguarding_concern and rhi.authorised_at is None:
        errors.append(FieldError("episode", "Authorise the interview before sharing it; share a safeguarding "
                                            "concern at once instead."))
    if safeguarding_concern and rhi.conducted_at is None:
        errors.append(FieldError("episode", "Record the interview before sharing a concern from it."))
    _when(errors, "shared_at", shared_at, None if safeguarding_concern else rhi.authorised_at, "the authorisation")
    if errors:
        raise DomainValidationError(errors)
    sharing = RhiSharing.objects.create(interview=rhi, shared_at=shared_at, recipients=sorted(set(recipients)),
                                        safeguarding_concern=safeguarding_concern, note=note, recorded_by=actor)
    if not safeguarding_concern:
        rhi.shared_with = sorted(set(rhi.shared_with) | set(recipients))
        rhi.shared_at = rhi.shared_at or shared_at
        rhi.save(update_fields=["shared_with", "shared_at", "updated_at"])
    label = CONCERN_SHARED_LABEL if safeguarding_concern else INTERVIEW_SHARED_LABEL
    # The version a secure contact point receives: the latest authorised one.
    version = None if safeguarding_concern else (
        rhi.versions.filter(authorised_at__isnull=False).order_by("-number").first())
    _finish(episode, actor, shared_at, "rhi_shared",
            f"{label} with {listed([RECIPIENT_NAMES[r] for r in sorted(set(recipients))])}.", rhi,
            {"recipients": recipients, "safeguarding_concern": safeguarding_concern},
            interview_sharing(sharing=sharing, version=version))
    return sharing
