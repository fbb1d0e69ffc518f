"""Writing episodes: report, regrade, reclassify, whereabouts, record found, cancel, close.

Each service validates everything first and raises DomainValidationError naming the field,
so nothing is half-stored; then writes the episode and its history, and ends with
`casework_commit`, which writes the chronology and the audit entry and refreshes what the
change reaches, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from homeward.accounts.models import User
from homeward.accounts.permissions import Capability, require, require_action
from homeward.accounts.roles import Role
from homeward.audit.services import audit_record
from homeward.children.models import Child
from homeward.common.bulk import Rows, insert_together
from homeward.common.errors import DomainValidationError, FieldError
from homeward.common.timeutil import age_on, local_date
from homeward.episodes.actions import ACTION_LABELS
from homeward.episodes.models import (
    Classification,
    ClassificationChange,
    Episode,
    EpisodeAction,
    EpisodeStatus,
    MissingFrom,
    ReportedBy,
    RiskGrading,
    RiskLevel,
    WhereaboutsChange,
)
from homeward.episodes.overlap import episode_overlapping, overlapping_among
from homeward.episodes.risk_analysis import RISK_ANALYSIS_LISTS, risk_analysis_text
from homeward.episodes.selectors import episode_list_for_user
from homeward.obligations.facts import FactsBuilder, NewEpisodeRows
from homeward.obligations.services import episode_obligations_evaluate
from homeward.protocol import facts as pf
from homeward.protocol.obligation import Obligation
from homeward.reference.selectors import (
    coded_labels,
    is_valid_code,
    police_force_resolve,
    police_force_unknown_message,
)

from .commit import Audit, Chronicle, Reach, casework_commit
from .escalations import exploitation_in_risk_analysis, graded_high, reclassified_missing
from .report_reads import report_reads
from .routing import episode_rhi_responsibility_set

# A report may carry a time a few minutes ahead of the server's clock.
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class ReportResult:
    episode: Episode
    created: bool
    # The first rows of the new episode's histories (classification, risk grading, whereabouts),
    # as `episode_rows_known` takes them: an answer built from them reads nothing back.
    history: dict[str, list[Any]] = field(default_factory=dict)


def _not_future(errors: list[FieldError], field: str, value: datetime | None, now: datetime) -> None:
    if value is not None and value > now + CLOCK_SKEW:
        errors.append(FieldError(field, "This time is in the future."))


def _choice(errors: list[FieldError], field: str, value: str, choices: Any, label: str) -> None:
    if value not in choices.values:
        errors.append(FieldError(field, f"{label} must be one of {', '.join(choices.values)}."))


def _while_missing(errors: list[FieldError], episode: Episode, at: datetime, what: str) -> None:
    """A change to how the episode is classified holds from `at`, which must fall between the
    report and the return (and not in the future)."""
    _not_future(errors, "at", at, timezone.now())
    if at < episode.reported_at:
        errors.append(FieldError("at", f"{what} cannot come before the report."))
    if episode.found_at and at > episode.found_at:
        errors.append(FieldError("at", "The child was already found at this time."))


def _update_audit(episode: Episode, detail: dict[str, Any]) -> Audit:
    return Audit(action="update", object_type="episode", object_id=str(episode.pk), detail=detail)


def _overlap_error(errors: list[FieldError], field: str, child: Child, start: datetime, end: datetime | None,
                   exclude: int | None = None, among: Sequence[Episode] | None = None) -> None:
    """DOMAIN.md section 2: two episodes of one child never overlap in time (a new one may
    start on the day the last one ended). `among`: the child's episodes, when read already."""
    other = (episode_overlapping(child_id=child.pk, start=start, end=end, exclude=exclude) if among is None
             else overlapping_among(among, start=start, end=end, exclude=exclude))
    if other is not None:
        until = f"to {local_date(other.found_at):%d/%m/%Y}" if other.found_at else "and is still open"
        errors.append(FieldError(field, f"This overlaps episode {other.pk} of the same child, which began "
                                        f"{local_date(other.missing_since):%d/%m/%Y} {until}."))


def episode_find_by_police_reference(police_force: str, police_reference: str, *,
                                     among: QuerySet[Episode] | None = None) -> Episode | None:
    """The episode that holds this force's reference, among `among` (default: every episode)."""
    if not police_force or not police_reference:
        return None
    episodes = Episode.objects.all() if among is None else among
    return episodes.filter(police_force__code=police_force, police_reference=police_reference.strip()).first()


def _reference_known(police_force: str, police_reference: str) -> bool:
    return episode_find_by_police_reference(police_force, police_reference) is not None


def _seen_again(actor: User, existing: Episode) -> ReportResult:
    """The same police notification twice is the first episode (DOMAIN.md section 2); the
    caller may see it, and reading it is audited like any read of the child's record."""
    audit_record(actor=actor, action="view", object_type="episode", object_id=str(existing.pk),
                 child_id=existing.child_id, detail={"reason": "the same police notification reported again"})
    return ReportResult(existing, created=False)


def episode_report(
    *,
    actor: User,
    child: Child | int,
    reported_at: datetime,
    reported_by: str,
    last_seen_at: datetime | None = None,
    location_last_seen: str = "",
    circumstances: str = "",
    missing_from: str = "",
    classification: str = Classification.MISSING,
    whereabouts_known: bool = False,
    risk_level: str = "",
    risk_graded_by: str = "",
    police_force: str = "",
    police_reference: str = "",
    reporter_name: str = "",
    imported_from: str = "",
    found_at: datetime | None = None,
    found_location: str = "",
    among: QuerySet[Child] | None = None,
) -> ReportResult:
    """Record a child reported missing or absent (DOMAIN.md section 2).

    The same police notification (force and reference) twice returns the first episode; the
    force may be given by its code or its name (`police_force_resolve`). A historical episode
    (`imported_from`) comes with its `found_at` and is written as already returned, so that it
    may sit in the past of a child who is missing now. `among`: the children the caller may
    see, when the caller has not checked (a child not among them is refused as unknown).
    """
    require(actor, Capability.EPISODE_REPORT)
    police_reference = police_reference.strip()
    # The child as it stands now (a caller's copy may be older), with what its facts, the routing
    # and the people told read of it: read once for all of them, with its episodes and the force.
    read = report_reads(child if isinstance(child, int) else child.pk, police_force, police_reference, among)
    child, force, episodes, conflict = read.child, read.force, read.episodes, read.held
    force_code = force.code if force else ""
    if conflict:
        # Only among the episodes the caller may see: a reference is never a key to another
        # child's record (issue 14). One held on an unseen episode is kept on this report for
        # the MCT to confirm with the force, and the caller is told nothing of the other.
        existing = episode_find_by_police_reference(force_code, police_reference, among=episode_list_for_user(actor))
        if existing is not None:
            return _seen_again(actor, existing)

    now = timezone.now()
    errors: list[FieldError] = []
    _choice(errors, "reported_by", reported_by, ReportedBy, "Reported by")
    _choice(errors, "classification", classification, Classification, "Classification")
    if risk_level:
        _choice(errors, "risk_level", risk_level, RiskLevel, "Risk level")
    if missing_from:
        _choice(errors, "missing_from", missing_from, MissingFrom, "Missing from")
    _not_future(errors, "reported_at", reported_at, now)
    _not_future(errors, "last_seen_at", last_seen_at, now)
    if last_seen_at is not None and last_seen_at > reported_at:
        errors.append(FieldError("last_seen_at", "Last seen must be at or before the time it was reported."))
    if police_force.strip() and force is None:
        errors.append(FieldError("police_force", police_force_unknown_message(police_force)))
    if police_reference and not police_force.strip():
        errors.append(FieldError("police_force", "Give the police force that issued the reference."))
    missing_since = last_seen_at or reported_at
    if age_on(child.date_of_birth, local_date(missing_since)) >= 18:
        errors.append(FieldError("child", "The child was 18 or older when last seen; Homeward is for children."))
    if child.date_of_birth > local_date(missing_since):
        errors.append(FieldError("last_seen_at", "The child was not yet born at this time."))
    if found_at is not None and not imported_from:
        raise ValueError("found_at is given at report time only for a historical (imported) episode")
    if found_at is not None:
        if found_at < missing_since:
            errors.append(FieldError("found_at", "Found cannot be before the child went missing."))
        _not_future(errors, "found_at", found_at, now)
    open_episode = next((e for e in episodes if e.status == EpisodeStatus.OPEN), None)
    if open_episode is not None and found_at is None:
        errors.append(FieldError("child", f"The child already has an open episode ({open_episode.pk}): record "
                                          "them found or update that episode instead."))
    elif not any(e.field in ("last_seen_at", "found_at") for e in errors):
        _overlap_error(errors, "last_seen_at" if last_seen_at else "reported_at", child, missing_since, found_at,
                       among=episodes)
    if errors:
        raise DomainValidationError(errors)
    # The child's facts, read once: who conducts the interview is set before the insert, and the
    # commit refreshes obligations and tells people from the same facts.
    builder = FactsBuilder(child, {e.pk: e.missing_since for e in episodes}, known=read.facts)

    try:
        with transaction.atomic():
            episode = Episode(
                child=child, reported_at=reported_at, reported_by=reported_by, reporter_name=reporter_name,
                police_force=force, police_reference="" if conflict else police_reference,
                police_reference_conflict=police_reference if conflict else "", last_seen_at=last_seen_at,
                location_last_seen=location_last_seen, circumstances=circumstances,
                missing_from=missing_from, whereabouts_known=whereabouts_known,
                missing_since=missing_since, classification=classification, risk_level=risk_level,
                created_by=actor, imported_from=imported_from,
                status=EpisodeStatus.OPEN if found_at is None else EpisodeStatus.RETURNED,
                found_at=found_at, found_location=found_location if found_at else "",
                found_recorded_at=now if found_at else None,
            )
            episode_rhi_responsibility_set(episode, child=builder.child_facts, known=[child.responsible_authority])
            episode.places_set()  # inserted without `save`
            insert_together(Rows([episode]))
            builder.episode_started(episode)
            history = _report_history(episode, actor=actor, graded_by=risk_graded_by or reporter_name)
            lines = [Chronicle(missing_since, "episode_reported",
                               f"Reported {classification} by {ReportedBy(reported_by).label.lower()}"
                               + (f"; last seen at {location_last_seen}" if location_last_seen else "") + ".")]
            if found_at is not None:
                lines.append(Chronicle(found_at, "found",
                                       "Found" + (f" at {found_location}" if found_location else "") + "."))
            # The facts of what was just written, so that the engine's facts are not read back.
            written = NewEpisodeRows(
                classifications=(pf.Classification(classification=classification, at=reported_at),),  # type: ignore[arg-type]
                risk_gradings=(pf.RiskGrading(level=risk_level, graded_at=reported_at),)  # type: ignore[arg-type]
                if risk_level else (),
            )
            # A new episode can make the child's later episodes repeats (a report made late).
            casework_commit(actor=actor, child=child, episode=episode, chronicle=lines,
                            audit=Audit("create", "episode", str(episode.pk), {"after": episode_snapshot(episode)}),
                            reach=Reach.LATER, event="reported", new_episode=written, facts_builder=builder,
                            known=read.known,
                            escalations=graded_high(before="", after=risk_level, at=reported_at,
                                                    occurrence="report"))
    except IntegrityError:
        # A concurrent request recorded the same police notification, or an open episode.
        existing = episode_find_by_police_reference(force_code, police_reference,
                                                    among=episode_list_for_user(actor))
        if existing is not None:
            return _seen_again(actor, existing)
        raise DomainValidationError.single("child", "The child already has an open episode.") from None
    return ReportResult(episode, created=True, history=history)


def _report_history(episode: Episode, *, actor: User, graded_by: str) -> dict[str, list[Any]]:
    """The first line of each of the new episode's histories, as reported: one statement on
    PostgreSQL for the three tables."""
    at = episode.reported_at
    history: dict[str, list[Any]] = {
        "classifications": [ClassificationChange(
            episode=episode, classification=episode.classification, at=at, rationale="As reported.",
            recorded_by=actor)],
        "risk_gradings": [RiskGrading(
            episode=episode, risk_level=episode.risk_level, graded_at=at, graded_by=graded_by,
            rationale="As reported.", recorded_by=actor)] if episode.risk_level else [],
        "whereabouts_changes": [WhereaboutsChange(
            episode=episode, whereabouts_known=episode.whereabouts_known, at=at, rationale="As reported.",
            recorded_by=actor)],
    }
    insert_together(*(Rows(rows) for rows in history.values()))
    return history


def episode_snapshot(episode: Episode) -> dict[str, Any]:
    return {
        "status": episode.status,
        "classification": episode.classification,
        "risk_level": episode.risk_level,
        "reported_at": episode.reported_at.isoformat(),
        "reported_by": episode.reported_by,
        "missing_since": episode.missing_since.isoformat(),
        "last_seen_at": episode.last_seen_at.isoformat() if episode.last_seen_at else None,
        "police_force": episode.police_force.code if episode.police_force else None,
        "police_reference": episode.police_reference,
        "police_reference_conflict": episode.police_reference_conflict,
        "whereabouts_known": episode.whereabouts_known,
        "found_at": episode.found_at.isoformat() if episode.found_at else None,
        "closed_at": episode.closed_at.isoformat() if episode.closed_at else None,
        "cancelled_at": episode.cancelled_at.isoformat() if episode.cancelled_at else None,
    }


def _lock(episode: Episode) -> Episode:
    return Episode.objects.select_for_update().select_related("child").get(pk=episode.pk)


def _require_not_cancelled(episode: Episode) -> None:
    if episode.status == EpisodeStatus.CANCELLED:
        raise DomainValidationError.single("episode", "This episode was cancelled; nothing more can be recorded.")


@transaction.atomic
def episode_regrade_risk(
    *, actor: User, episode: Episode, risk_level: str, graded_at: datetime, graded_by: str = "",
    rationale: str = "",
) -> RiskGrading:
    """Record a new police risk grading; every grading is kept (DOMAIN.md section 2)."""
    require(actor, Capability.EPISODE_REGRADE)
    episode = _lock(episode)
    _require_not_cancelled(episode)
    errors: list[FieldError] = []
    _choice(errors, "risk_level", risk_level, RiskLevel, "Risk level")
    _not_future(errors, "graded_at", graded_at, timezone.now())
    if graded_at < episode.missing_since:
        errors.append(FieldError("graded_at", "A grading cannot come before the child went missing."))
    if errors:
        raise DomainValidationError(errors)
    grading = RiskGrading.objects.create(
        episode=episode, risk_level=risk_level, graded_at=graded_at, graded_by=graded_by,
        rationale=rationale, recorded_by=actor,
    )
    before = episode.risk_level
    latest = episode.risk_gradings.order_by("-graded_at", "-id").first()
    episode.risk_level = latest.risk_level if latest else risk_level
    episode.save(update_fields=["risk_level", "updated_at"])
    casework_commit(
        actor=actor, child=episode.child_id, episode=episode, event="regraded",
        escalations=graded_high(before=before, after=episode.risk_level, at=graded_at,
                                occurrence=f"grading:{grading.pk}"),
        chronicle=Chronicle(graded_at, "risk_graded",
                            f"Risk graded {RiskLevel(risk_level).label.lower()}"
                            + (f" by {graded_by}" if graded_by else "") + (f": {rationale}" if rationale else ".")),
        audit=_update_audit(episode, {"risk_grading": {"before": before, "after": episode.risk_level,
                                                       "graded_at": graded_at}}),
    )
    return grading


@transaction.atomic
def episode_reclassify(
    *, actor: User, episode: Episode, classification: str, at: datetime, rationale: str = "",
) -> ClassificationChange:
    """Change between missing and absent, keeping each change with time and author."""
    require(actor, Capability.EPISODE_RECLASSIFY)
    episode = _lock(episode)
    _require_not_cancelled(episode)
    errors: list[FieldError] = []
    _choice(errors, "classification", classification, Classification, "Classification")
    _while_missing(errors, episode, at, "A reclassification")
    if errors:
        raise DomainValidationError(errors)
    change = ClassificationChange.objects.create(
        episode=episode, classification=classification, at=at, rationale=rationale, recorded_by=actor
    )
    before = episode.classification
    latest = episode.classifications.order_by("-at", "-id").first()
    episode.classification = latest.classification if latest else classification
    episode.save(update_fields=["classification", "updated_at"])
    casework_commit(
        actor=actor, child=episode.child_id, episode=episode, event="reclassified",
        escalations=reclassified_missing(before=before, after=episode.classification, at=at, change=change),
        chronicle=Chronicle(at, "reclassified",
                            f"Classified {classification}" + (f": {rationale}" if rationale else ".")),
        audit=_update_audit(episode, {"classification": {"before": before, "after": episode.classification,
                                                         "at": at}}),
    )
    return change


@transaction.atomic
def episode_record_found(
    *, actor: User, episode: Episode, found_at: datetime, found_location: str = "", found_by: str = "",
    whereabouts: str = "", with_whom: str = "", condition: str = "",
) -> Episode:
    """The child is back: the episode becomes `returned` and the follow-up begins."""
    require(actor, Capability.EPISODE_RECORD_FOUND)
    episode = _lock(episode)
    errors: list[FieldError] = []
    if episode.status != EpisodeStatus.OPEN:
        errors.append(FieldError("episode", f"The episode is {episode.status}, not open."))
    if found_at < episode.missing_since:
        errors.append(FieldError("found_at", "Found cannot be before the child went missing."))
    if found_at > timezone.now() + CLOCK_SKEW:
        errors.append(FieldError("found_at", "Found cannot be in the future."))
    if not errors:
        _overlap_error(errors, "found_at", episode.child, episode.missing_since, found_at, exclude=episode.pk)
    if errors:
        raise DomainValidationError(errors)
    before = episode_snapshot(episode)
    episode.found_at = found_at
    episode.found_location = found_location
    episode.found_by = found_by
    episode.whereabouts = whereabouts
    episode.with_whom = with_whom
    episode.condition = condition
    episode.found_recorded_at = timezone.now()
    episode.status = EpisodeStatus.RETURNED
    episode.save()
    casework_commit(
        actor=actor, child=episode.child_id, episode=episode, event="returned",
        chronicle=Chronicle(found_at, "found", "Found" + (f" at {found_location}" if found_location else "")
                            + (f" by {found_by}" if found_by else "") + "."),
        audit=_update_audit(episode, {"before": before, "after": episode_snapshot(episode)}),
    )
    return episode


@transaction.atomic
def episode_cancel(*, actor: User, episode: Episode, reason: str) -> Episode:
    """Reported in error: the episode is cancelled with a reason, never deleted."""
    require(actor, Capability.EPISODE_CANCEL)
    episode = _lock(episode)
    if not reason.strip():
        raise DomainValidationError.single("reason", "Say why the episode is being cancelled.")
    if episode.status == EpisodeStatus.CANCELLED:
        raise DomainValidationError.single("episode", "The episode is already cancelled.")
    before = episode_snapshot(episode)
    episode.status = EpisodeStatus.CANCELLED
    episode.cancelled_at = timezone.now()
    episode.cancel_reason = reason.strip()
    episode.save()
    # Cancelled, it no longer counts towards the repeats of the child's later episodes.
    casework_commit(
        actor=actor, child=episode.child_id, episode=episode, event="cancelled", reach=Reach.LATER,
        chronicle=Chronicle(episode.cancelled_at, "cancelled", f"Episode cancelled: {reason.strip()}"),
        audit=_update_audit(episode, {"before": before, "after": episode_snapshot(episode), "reason": reason}),
    )
    return episode


def _check_risk_analysis_codes(errors: list[FieldError], action: str, coded: dict[str, list[str]]) -> None:
    """Only a risk analysis is coded, and only with current codes of its lists."""
    for name, codes in coded.items():
        if codes and action != "risk_analysis":
            errors.append(FieldError(name, "Only a risk analysis records these."))
            continue
        list_name = RISK_ANALYSIS_LISTS[name]
        for code in codes:
            if not is_valid_code(list_name, code):
                errors.append(FieldError(name, f"{code!r} is not a code of the {list_name} list."))
        if len(set(codes)) != len(codes):
            errors.append(FieldError(name, "Give each code once."))


@transaction.atomic
def episode_record_action(
    *, actor: User, episode: Episode, action: str, at: datetime, note: str = "", police_reference: str = "",
    police_force: str = "", detail: dict[str, Any] | None = None, immediate_risks: Sequence[str] = (),
    push_factors: Sequence[str] = (), pull_factors: Sequence[str] = (),
) -> EpisodeAction:
    """Record a fact that completes an obligation (police informed, a carer update...).

    It counts from `at`, when it happened; when it was typed in is kept too. A risk analysis
    may carry coded immediate risks, push and pull factors (`risk_analysis.RISK_ANALYSIS_LISTS`).
    """
    require_action(actor, action)
    episode = _lock(episode)
    _require_not_cancelled(episode)
    errors: list[FieldError] = []
    if action not in ACTION_LABELS:
        errors.append(FieldError("action", f"Use one of {', '.join(ACTION_LABELS)}."))
    _not_future(errors, "at", at, timezone.now())
    if at < episode.missing_since - timedelta(days=1):
        errors.append(FieldError("at", "This is more than a day before the child went missing."))
    force = None
    if action == "police_informed":
        if not police_reference.strip() and not episode.police_reference:
            errors.append(FieldError("police_reference", "Give the police reference."))
        if police_reference.strip() and not episode.police_reference:
            force = police_force_resolve(police_force) if police_force.strip() else episode.police_force
            if force is None:
                errors.append(FieldError("police_force", police_force_unknown_message(police_force)
                                         if police_force.strip() else
                                         "Give the police force that issued the reference."))
            elif episode_find_by_police_reference(force.code, police_reference,
                                                  among=episode_list_for_user(actor)) is not None:
                errors.append(FieldError("police_reference", "Another episode already has this police reference."))
    coded = {"immediate_risks": list(immediate_risks), "push_factors": list(push_factors),
             "pull_factors": list(pull_factors)}
    _check_risk_analysis_codes(errors, action, coded)
    if errors:
        raise DomainValidationError(errors)
    if force is not None:
        # A reference already on an episode the caller may not see is held for the MCT to confirm.
        held = _reference_known(force.code, police_reference)
        episode.police_force = force
        episode.police_reference = "" if held else police_reference.strip()
        episode.police_reference_conflict = police_reference.strip() if held else ""
        episode.save(update_fields=["police_force", "police_reference", "police_reference_conflict", "updated_at"])
    coded = {name: codes for name, codes in coded.items() if codes}
    record = EpisodeAction.objects.create(
        episode=episode, action=action, at=at, note=note, recorded_by=actor,
        detail={**(detail or {}), **({"police_reference": police_reference.strip()} if police_reference else {}),
                **coded},
    )
    coded_text = risk_analysis_text(coded, {list_name: coded_labels(list_name)
                                            for list_name in RISK_ANALYSIS_LISTS.values()}) if coded else ""
    summary = ACTION_LABELS[action] + (f": {note}" if note else ".") + (f" {coded_text}" if coded_text else "")
    casework_commit(
        actor=actor, child=episode.child_id, episode=episode, event="action",
        escalations=exploitation_in_risk_analysis(at=at, codes=coded) if action == "risk_analysis" else (),
        chronicle=Chronicle(at, f"action_{action}", summary),
        audit=Audit("create", "episode_action", str(record.pk), {"episode": episode.pk, "action": action, "at": at,
                                                                  **coded}),
    )
    return record


# Who may close an episode with duties outstanding, giving the reason (DOMAIN.md section 5a).
CLOSING_MANAGERS = frozenset({Role.TEAM_MANAGER, Role.SERVICE_LEADER, Role.SENIOR_MANAGER, Role.COORDINATOR})


def episode_outstanding(episode: Episode, at: datetime) -> list[Obligation]:
    """The duties still to be done at `at` (pending or overdue): closing then leaves them not done."""
    return [o for o in episode_obligations_evaluate(episode, at) if o.status in ("pending", "overdue")
            and not o.for_information]


@transaction.atomic
def episode_close(*, actor: User, episode: Episode, closed_at: datetime, note: str = "",
                  reason: str = "") -> Episode:
    """Close a returned episode. With duties outstanding it needs a manager's `reason`
    (team manager, service leader, senior manager or co-ordinator); they become `not_done`
    with it, leave every worklist and count in performance (DOMAIN.md section 3)."""
    require(actor, Capability.EPISODE_CLOSE)
    episode = _lock(episode)
    errors: list[FieldError] = []
    if episode.status != EpisodeStatus.RETURNED:
        errors.append(FieldError("episode", f"Only a returned episode can be closed; this one is {episode.status}."))
    elif episode.found_at and closed_at < episode.found_at:
        errors.append(FieldError("closed_at", "An episode cannot close before the child was found."))
    _not_future(errors, "closed_at", closed_at, timezone.now())
    outstanding: list[Obligation] = []
    if not errors:
        outstanding = episode_outstanding(episode, closed_at)
        if outstanding:
            items = "; ".join(f"{o.title} (due {timezone.localtime(o.due_at):%d/%m/%Y %H:%M})" for o in outstanding)
            if actor.role not in CLOSING_MANAGERS:
                errors.append(FieldError("closed_at", f"The follow-up is not done: {items}. A manager may close it "
                                                      "with a reason."))
            elif not reason.strip():
                errors.append(FieldError("reason", f"The follow-up is not done: {items}. Say why the episode "
                                                   "closes with these not done."))
    if errors:
        raise DomainValidationError(errors)
    before = episode_snapshot(episode)
    episode.status = EpisodeStatus.CLOSED
    episode.closed_at = closed_at
    episode.close_note = note
    episode.close_reason = reason.strip() if outstanding else ""
    episode.closed_by = actor
    episode.save()
    summary = "Episode closed" + (f": {note}" if note else ".")
    if outstanding:
        summary += f" Closed with {len(outstanding)} duties not done: {episode.close_reason}"
    casework_commit(
        actor=actor, child=episode.child_id, episode=episode, event="closed",
        chronicle=Chronicle(closed_at, "closed", summary),
        audit=_update_audit(episode, {"before": before, "after": episode_snapshot(episode),
                                      **({"not_done": [o.code for o in outstanding],
                                          "reason": episode.close_reason} if outstanding else {})}),
    )
    return episode


@transaction.atomic
def episode_change_whereabouts(*, actor: User, episode: Episode, whereabouts_known: bool, at: datetime,
                               rationale: str = "") -> WhereaboutsChange:
    """SSDA903's M (whereabouts unknown) or A (away, whereabouts known) changes during the
    episode; every change is kept, like the classification (DOMAIN.md section 2)."""
    require(actor, Capability.EPISODE_RECLASSIFY)
    episode = _lock(episode)
    _require_not_cancelled(episode)
    errors: list[FieldError] = []
    _while_missing(errors, episode, at, "A change")
    if errors:
        raise DomainValidationError(errors)
    change = WhereaboutsChange.objects.create(episode=episode, whereabouts_known=whereabouts_known, at=at,
                                              rationale=rationale, recorded_by=actor)
    before = episode.whereabouts_known
    latest = episode.whereabouts_changes.order_by("-at", "-id").first()
    episode.whereabouts_known = latest.whereabouts_known if latest else whereabouts_known
    episode.save(update_fields=["whereabouts_known", "updated_at"])
    label = "away, whereabouts known (A)" if whereabouts_known else "missing, whereabouts unknown (M)"
    casework_commit(
        actor=actor, child=episode.child_id, episode=episode, event="whereabouts", reach=Reach.NONE,
        chronicle=Chronicle(at, "whereabouts_changed", f"Now {label}" + (f": {rationale}" if rationale else ".")),
        audit=_update_audit(episode, {"whereabouts_known": {"before": before, "after": episode.whereabouts_known,
                                                            "at": at}}),
    )
    return change
