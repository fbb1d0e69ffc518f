"""Strategy meeting actions on the pages: shown on the episode page with a 'Mark as done' form
(no JavaScript), on the owner's worklist, and marked done with errors kept on the form."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from homeward.audit.models import AuditEntry
from homeward.casework.episodes import episode_report
from homeward.casework.meetings import AgreedAction, strategy_meeting_record
from homeward.meetings.models import MeetingAction

from .conftest import london_parts

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(coordinator: Any, make_child: Any, make_user: Any) -> Any:
    from homeward.accounts.services import user_create

    user_create(username="pc.rowe", role="police_liaison", password=None, validate=False,
                first_name="Sam", last_name="Rowe")
    episode = episode_report(actor=coordinator, child=make_child(given_name="Ella", family_name="Morgan"),
                             reported_at=timezone.now() - timedelta(hours=30), reported_by="police",
                             classification="missing").episode
    return strategy_meeting_record(
        actor=coordinator, episode=episode, held_at=timezone.now() - timedelta(hours=6), kind="missing_strategy",
        attendees=["Priya Shah, missing co-ordinator", "PC Sam Rowe"], decisions="Police to visit known addresses.",
        actions=[AgreedAction(owner="Sam Rowe", description="Visit the address in Far Cotton",
                              due=timezone.localdate() - timedelta(days=1)),
                 AgreedAction(owner="Registered manager", description="Search the room")],
    )


def _path(action: MeetingAction) -> str:
    return f"/episodes/{action.meeting.episode_id}/meetings/{action.meeting_id}/actions/{action.pk}/done"


def test_the_episode_page_shows_attendees_decisions_and_each_action_with_a_form(web: Client, meeting: Any) -> None:
    body = web.get(f"/episodes/{meeting.episode_id}").content.decode()
    assert "<li>PC Sam Rowe</li>" in body and "Police to visit known addresses." in body
    assert "Visit the address in Far Cotton" in body and "Search the room" in body
    assert '<strong class="govuk-tag govuk-tag--red">Overdue</strong>' in body
    for action in meeting.actions.all():
        assert f'action="{_path(action)}"' in body
        assert f'id="a{action.pk}_done_at_day"' in body


def test_marking_done_from_the_episode_page_goes_back_there_and_shows_who(web: Client, meeting: Any) -> None:
    action = meeting.actions.get(owner="Registered manager")
    done_at = (timezone.now() - timedelta(hours=1)).replace(second=0, microsecond=0)
    response = web.post(_path(action), {**london_parts("done_at", done_at), "note": "Nothing found",
                                        "next": f"/episodes/{meeting.episode_id}#meetings"})
    assert response.status_code == 302
    assert response["Location"] == f"/episodes/{meeting.episode_id}#meetings"
    action.refresh_from_db()
    assert action.done_at == done_at and action.done_note == "Nothing found"
    assert AuditEntry.objects.filter(object_type="meeting_action", action="update", channel="web").exists()
    body = web.get(f"/episodes/{meeting.episode_id}").content.decode()
    assert "recorded by coord: Nothing found" in body
    assert f'action="{_path(action)}"' not in body


def test_a_bad_time_shows_the_error_summary_and_keeps_what_was_typed(web: Client, meeting: Any) -> None:
    action = meeting.actions.get(owner="Registered manager")
    future = timezone.now() + timedelta(days=2)
    response = web.post(_path(action), {**london_parts("done_at", future), "note": "Typed note"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'class="govuk-error-summary"' in body
    assert 'href="#id_done_at_day">The time the action was done cannot be in the future' in body
    assert ">Typed note</textarea>" in body
    assert f'value="{future.astimezone(timezone.get_current_timezone()).year}"' in body
    action.refresh_from_db()
    assert action.done_at is None

    missing = web.post(_path(action), {"note": "x"}).content.decode()
    assert 'href="#id_done_at_day">Enter when the action was done' in missing


def test_an_action_already_done_shows_an_unlinked_error(web: Client, meeting: Any, coordinator: Any) -> None:
    from homeward.casework.meetings import meeting_action_complete

    action = meeting.actions.get(owner="Registered manager")
    meeting_action_complete(actor=coordinator, action=action, done_at=timezone.now() - timedelta(hours=1))
    body = web.post(_path(action), london_parts("done_at", timezone.now())).content.decode()
    assert "This action was already marked done" in body


def test_the_named_owner_sees_the_action_on_their_worklist_and_marks_it_done(
    client_for: Any, meeting: Any,
) -> None:
    from homeward.accounts.models import User

    police = client_for(User.objects.get(username="pc.rowe"))
    action = meeting.actions.get(owner="Sam Rowe")
    other = meeting.actions.get(owner="Registered manager")
    home = police.get("/").content.decode()
    assert "Your actions from strategy meetings (1)" in home
    assert "Visit the address in Far Cotton" in home and "Search the room" not in home
    assert f'action="{_path(action)}"' in home
    # Police may mark their own action done, but not another's.
    assert police.post(_path(other), london_parts("done_at", timezone.now())).status_code == 403
    response = police.post(_path(action), {**london_parts("done_at", timezone.now() - timedelta(minutes=5)),
                                           "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert "Your actions from strategy meetings" not in police.get("/").content.decode()


def test_the_page_form_is_403_for_the_auditor_role_and_404_outside_scope(
    client_for: Any, make_user: Any, meeting: Any,
) -> None:
    action = meeting.actions.get(owner="Registered manager")
    outsider = client_for(make_user("social_worker", team="Another Team"))
    assert outsider.get(_path(action)).status_code == 404
    assert outsider.post(_path(action), london_parts("done_at", timezone.now())).status_code == 404
    assert client_for(make_user("auditor")).get(_path(action)).status_code == 404
    iro = client_for(make_user("iro"))
    assert iro.get(_path(action)).status_code == 404
    # A mismatched meeting and action is not found either.
    wrong = f"/episodes/{meeting.episode_id}/meetings/{meeting.pk + 1}/actions/{action.pk}/done"
    assert client_for(make_user("coordinator")).get(wrong).status_code == 404


def test_the_page_form_is_403_for_a_role_that_sees_the_child_but_may_not_mark_it_done(
    client_for: Any, make_user: Any, meeting: Any,
) -> None:
    action = meeting.actions.get(owner="Registered manager")
    police = client_for(make_user("police_liaison"))
    assert police.get(_path(action)).status_code == 403
    assert police.post(_path(action), london_parts("done_at", timezone.now())).status_code == 403
    action.refresh_from_db()
    assert action.done_at is None
