"""Marking an action agreed at a strategy meeting as done: validation naming the field, the
owner named by username or full name, who may do it, and the audit with before and after."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from homeward.audit.models import AuditEntry
from homeward.casework.episodes import episode_report
from homeward.casework.meetings import AgreedAction, meeting_action_complete, strategy_meeting_record
from homeward.common.errors import DomainValidationError, PermissionDenied
from homeward.meetings.models import MeetingAction
from homeward.meetings.selectors import meeting_action_get_for_user, meeting_action_open_for_owner

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(coordinator: Any, make_child: Any, make_user: Any) -> Any:
    make_user("police_liaison", username="pc.rowe")
    child = make_child()
    episode = episode_report(actor=coordinator, child=child, reported_at=timezone.now() - timedelta(hours=30),
                             reported_by="police", classification="missing").episode
    return strategy_meeting_record(
        actor=coordinator, episode=episode, held_at=timezone.now() - timedelta(hours=6), kind="missing_strategy",
        attendees=["Priya Shah", "PC Rowe"],
        actions=[AgreedAction(owner="pc.rowe", description="Visit the address in Far Cotton"),
                 AgreedAction(owner="Registered manager", description="Search the room")],
    )


def _action(meeting: Any, owner: str) -> MeetingAction:
    return meeting.actions.get(owner=owner)


def test_marking_an_action_done_keeps_when_who_and_the_note_and_audits_before_and_after(
    meeting: Any, coordinator: Any,
) -> None:
    action = _action(meeting, "Registered manager")
    done_at = (timezone.now() - timedelta(hours=1)).replace(microsecond=0)
    meeting_action_complete(actor=coordinator, action=action, done_at=done_at, note="  Nothing found  ")
    action.refresh_from_db()
    assert action.done_at == done_at
    assert action.done_by == coordinator
    assert action.done_note == "Nothing found"
    assert action.done_recorded_at is not None and action.done_recorded_at >= done_at
    entry = AuditEntry.objects.get(object_type="meeting_action", object_id=str(action.pk))
    assert entry.action == "update" and entry.child_id == meeting.episode.child_id
    assert entry.detail["before"] == {"done_at": None, "done_by": None, "note": ""}
    assert entry.detail["after"] == {"done_at": done_at.isoformat(), "done_by": "coord", "note": "Nothing found"}
    assert meeting.episode.chronology.filter(kind="meeting_action_done", at=done_at).exists()


@pytest.mark.parametrize(("hours_ago", "message"), [
    (-2, "cannot be in the future"),
    (10, "cannot have been done before it"),
])
def test_a_done_time_in_the_future_or_before_the_meeting_names_the_field_and_stores_nothing(
    meeting: Any, coordinator: Any, hours_ago: float, message: str,
) -> None:
    action = _action(meeting, "Registered manager")
    audit_before = AuditEntry.objects.count()
    with pytest.raises(DomainValidationError) as caught:
        meeting_action_complete(actor=coordinator, action=action,
                                done_at=timezone.now() - timedelta(hours=hours_ago))
    assert [e.field for e in caught.value.errors] == ["done_at"]
    assert message in caught.value.errors[0].message
    action.refresh_from_db()
    assert action.done_at is None and action.done_by is None
    assert AuditEntry.objects.count() == audit_before
    assert not meeting.episode.chronology.filter(kind="meeting_action_done").exists()


def test_a_missing_done_time_names_the_field(meeting: Any, coordinator: Any) -> None:
    with pytest.raises(DomainValidationError) as caught:
        meeting_action_complete(actor=coordinator, action=_action(meeting, "Registered manager"), done_at=None)
    assert [e.field for e in caught.value.errors] == ["done_at"]


def test_an_action_is_marked_done_once(meeting: Any, coordinator: Any) -> None:
    action = _action(meeting, "Registered manager")
    first = timezone.now() - timedelta(hours=2)
    meeting_action_complete(actor=coordinator, action=action, done_at=first)
    with pytest.raises(DomainValidationError) as caught:
        meeting_action_complete(actor=coordinator, action=action, done_at=timezone.now(), note="again")
    assert [e.field for e in caught.value.errors] == ["action"]
    action.refresh_from_db()
    assert action.done_at == first and action.done_note == ""


def test_the_owner_is_linked_to_a_person_by_username_or_a_unique_full_name(
    coordinator: Any, make_child: Any, make_user: Any,
) -> None:
    from homeward.accounts.services import user_create

    user_create(username="nadia", role="social_worker", password=None, validate=False,
                first_name="Nadia", last_name="Osei")
    user_create(username="sam1", role="social_worker", password=None, validate=False, first_name="Sam", last_name="Lee")
    user_create(username="sam2", role="social_worker", password=None, validate=False, first_name="Sam", last_name="Lee")
    child = make_child()
    episode = episode_report(actor=coordinator, child=child, reported_at=timezone.now() - timedelta(hours=3),
                             reported_by="police").episode
    meeting = strategy_meeting_record(
        actor=coordinator, episode=episode, held_at=timezone.now() - timedelta(hours=1), kind="missing_strategy",
        attendees=["Priya"],
        actions=[AgreedAction(owner="NADIA", description="a"), AgreedAction(owner="nadia osei", description="b"),
                 AgreedAction(owner="Sam Lee", description="c"), AgreedAction(owner="Police", description="d")],
    )
    owners = {a.description: a.owner_user.username if a.owner_user else None for a in meeting.actions.all()}
    assert owners == {"a": "nadia", "b": "nadia", "c": None, "d": None}


def test_the_named_owner_may_mark_their_own_action_done_but_not_another(meeting: Any) -> None:
    from homeward.accounts.models import User

    police = User.objects.get(username="pc.rowe")
    mine = _action(meeting, "pc.rowe")
    assert mine.owner_user == police
    assert list(meeting_action_open_for_owner(police)) == [mine]
    meeting_action_complete(actor=police, action=mine, done_at=timezone.now() - timedelta(minutes=30))
    assert list(meeting_action_open_for_owner(police)) == []
    with pytest.raises(PermissionDenied):
        meeting_action_complete(actor=police, action=_action(meeting, "Registered manager"), done_at=timezone.now())


def test_an_auditor_may_not_mark_an_action_done_nor_find_it(meeting: Any, make_user: Any) -> None:
    auditor = make_user("auditor")
    action = _action(meeting, "Registered manager")
    with pytest.raises(PermissionDenied):
        meeting_action_complete(actor=auditor, action=action, done_at=timezone.now())
    from homeward.common.errors import NotFound

    with pytest.raises(NotFound):
        meeting_action_get_for_user(auditor, episode_id=meeting.episode_id, meeting_id=meeting.pk,
                                    action_id=action.pk)


def test_an_action_is_found_only_under_its_own_meeting_and_episode(meeting: Any, coordinator: Any) -> None:
    from homeward.common.errors import NotFound

    action = _action(meeting, "Registered manager")
    assert meeting_action_get_for_user(coordinator, episode_id=meeting.episode_id, meeting_id=meeting.pk,
                                       action_id=action.pk) == action
    with pytest.raises(NotFound):
        meeting_action_get_for_user(coordinator, episode_id=meeting.episode_id + 1, meeting_id=meeting.pk,
                                    action_id=action.pk)
