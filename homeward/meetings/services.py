"""Recording strategy meetings and the actions they agree (seed 002: a missing strategy
meeting by the third day, earlier if high risk; monthly while the child is still missing)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from homeward.accounts.models import User
from homeward.accounts.permissions import Capability, require
from homeward.audit.services import audit_record
from homeward.children.models import ChronologyEntry
from homeward.common.errors import DomainValidationError, FieldError
from homeward.episodes.hooks import episode_facts_changed
from homeward.episodes.models import Episode, EpisodeStatus

from .models import MeetingAction, MeetingKind, StrategyMeeting


@dataclass(frozen=True)
class AgreedAction:
    owner: str
    description: str
    due: date | None = None


@transaction.atomic
def strategy_meeting_record(
    *, actor: User, episode: Episode, held_at: datetime, kind: str, attendees: list[str], decisions: str = "",
    actions: list[AgreedAction] | None = None,
) -> StrategyMeeting:
    """Record a meeting held about an episode, with who came, what was decided and who does what."""
    require(actor, Capability.MEETING_RECORD)
    episode = Episode.objects.select_for_update().get(pk=episode.pk)
    errors: list[FieldError] = []
    if episode.status == EpisodeStatus.CANCELLED:
        errors.append(FieldError("episode", "This episode was cancelled."))
    if kind not in MeetingKind.values:
        errors.append(FieldError("kind", f"Use one of {', '.join(MeetingKind.values)}."))
    if held_at > timezone.now() + timedelta(minutes=5):
        errors.append(FieldError("held_at", "Record a meeting once it has been held."))
    if held_at < episode.missing_since - timedelta(days=1):
        errors.append(FieldError("held_at", "The meeting is dated before the child went missing."))
    cleaned = [name.strip() for name in attendees if name.strip()]
    if not cleaned:
        errors.append(FieldError("attendees", "Name at least one person who attended."))
    for index, item in enumerate(actions or []):
        if not item.owner.strip():
            errors.append(FieldError(f"actions[{index}].owner", "Say who owns this action."))
        if not item.description.strip():
            errors.append(FieldError(f"actions[{index}].description", "Describe the action."))
    if errors:
        raise DomainValidationError(errors)
    meeting = StrategyMeeting.objects.create(
        episode=episode, held_at=held_at, kind=kind, attendees=cleaned, decisions=decisions, recorded_by=actor
    )
    MeetingAction.objects.bulk_create(
        MeetingAction(meeting=meeting, owner=a.owner.strip(), description=a.description.strip(), due=a.due)
        for a in actions or []
    )
    ChronologyEntry.objects.create(
        child_id=episode.child_id, episode=episode, at=held_at, recorded_by=actor, kind=f"meeting_{kind}",
        summary=f"{MeetingKind(kind).label} held with {len(cleaned)} attendees; {len(actions or [])} actions agreed.",
    )
    audit_record(actor=actor, action="create", object_type="strategy_meeting", object_id=str(meeting.pk),
                 child_id=episode.child_id, detail={"episode": episode.pk, "kind": kind, "held_at": held_at})
    episode_facts_changed(episode, event="meeting", actor=actor)
    return meeting
