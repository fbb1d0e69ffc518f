"""Recording strategy meetings and the actions they agree (seed 002: a missing strategy
meeting by the third day, earlier if high risk; monthly while the child is still missing)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat, Lower
from django.utils import timezone

from homeward.accounts.models import User
from homeward.accounts.permissions import Capability, may_complete_meeting_action, require
from homeward.common.errors import DomainValidationError, FieldError, PermissionDenied
from homeward.common.text import counted
from homeward.common.timeutil import LONDON
from homeward.episodes.models import Episode, EpisodeStatus
from homeward.meetings.models import MeetingAction, MeetingKind, StrategyMeeting

from .commit import Audit, Chronicle, Reach, casework_commit


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
        MeetingAction(meeting=meeting, owner=a.owner.strip(), owner_user=meeting_action_owner_person(a.owner),
                      description=a.description.strip(), due=a.due)
        for a in actions or []
    )
    casework_commit(
        actor=actor, child=episode.child_id, episode=episode, event="meeting",
        chronicle=Chronicle(held_at, f"meeting_{kind}", f"{MeetingKind(kind).label} held with "
                                                        f"{counted(len(cleaned), 'attendee')}; "
                                                        f"{counted(len(actions or []), 'action')} agreed."),
        audit=Audit("create", "strategy_meeting", str(meeting.pk), {"episode": episode.pk, "kind": kind,
                                                                     "held_at": held_at}),
    )
    return meeting


def meeting_action_owner_person(owner: str) -> User | None:
    """The person an action's owner names, when it names one who signs in: by username, or by
    a full name no one else has. Anything else ("Police", "Registered manager") stays text."""
    text = owner.strip().lower()
    if not text:
        return None
    active = User.objects.filter(is_active=True)
    by_username = active.filter(username__iexact=text).first()
    if by_username is not None:
        return by_username
    named = list(active.annotate(full=Lower(Concat("first_name", Value(" "), "last_name"))).filter(full=text)[:2])
    return named[0] if len(named) == 1 else None


def meeting_action_snapshot(action: MeetingAction) -> dict[str, object]:
    """What marking done changes, as plain values for the audit's before and after."""
    return {
        "done_at": action.done_at.isoformat() if action.done_at else None,
        "done_by": action.done_by.username if action.done_by else None,
        "note": action.done_note,
    }


def agreed_action_mark_done(action: Any, *, actor: User, done_at: datetime, note: str) -> None:
    """Mark an agreed action done (a meeting's or an action plan's: the same four columns), when
    and by whom, with its note; the caller checked it and records the casework."""
    action.done_at = done_at
    action.done_recorded_at = timezone.now()
    action.done_by = actor
    action.done_note = note.strip()
    action.save(update_fields=["done_at", "done_recorded_at", "done_by", "done_note"])


@transaction.atomic
def meeting_action_complete(*, actor: User, action: MeetingAction, done_at: datetime | None,
                            note: str = "") -> MeetingAction:
    """Record that an action agreed at a strategy meeting was done: when (the fact's time), by
    whom (the person recording it) and an optional note. Done once: a second time is an error."""
    # Lock the action's row alone: PostgreSQL cannot lock the nullable side of an outer join (done_by).
    action = (MeetingAction.objects.select_for_update(of=("self",))
              .select_related("meeting__episode", "done_by").get(pk=action.pk))
    if not may_complete_meeting_action(actor, action.owner_user_id):
        raise PermissionDenied(f"The role {actor.role!r} may not mark this action done.")
    meeting = action.meeting
    errors: list[FieldError] = []
    if action.done_at is not None:
        errors.append(FieldError(
            "action", f"This action was already marked done ({action.done_at.astimezone(LONDON):%d/%m/%Y %H:%M})."))
    if done_at is None:
        errors.append(FieldError("done_at", "Enter when the action was done."))
    elif done_at > timezone.now() + timedelta(minutes=5):
        errors.append(FieldError("done_at", "The time the action was done cannot be in the future."))
    elif done_at < meeting.held_at:
        errors.append(FieldError(
            "done_at", f"The action was agreed at the meeting of {meeting.held_at.astimezone(LONDON):%d/%m/%Y %H:%M}: "
                       "it cannot have been done before it."))
    if errors:
        raise DomainValidationError(errors)
    assert done_at is not None  # checked above
    before = meeting_action_snapshot(action)
    agreed_action_mark_done(action, actor=actor, done_at=done_at, note=note)
    episode = meeting.episode
    # An agreed action is the meeting's own business: the protocol reads none (Reach.NONE).
    casework_commit(
        actor=actor, child=episode.child_id, episode=episode, event="meeting_action_done", reach=Reach.NONE,
        chronicle=Chronicle(done_at, "meeting_action_done",
                            f"Action agreed at the {MeetingKind(meeting.kind).label.lower()} done: "
                            f"{action.description}" + (f" ({action.done_note})" if action.done_note else "")),
        audit=Audit("update", "meeting_action", str(action.pk),
                    {"episode": episode.pk, "meeting": meeting.pk, "before": before,
                     "after": meeting_action_snapshot(action)}),
    )
    return action
