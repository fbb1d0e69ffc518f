"""Who is told of a report and of a return (DOMAIN.md section 4), each once, and what is
recorded when there is nowhere to send it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from homeward.notifications.models import Notification
from homeward.notifications.services import notifications_for_event, notifications_suppressed

from .conftest import TEAM, london

pytestmark = pytest.mark.django_db

# A Wednesday in office hours, a Friday night, and the early May bank holiday (a Monday).
WEDNESDAY_11 = london(2025, 3, 12, 11, 0)
FRIDAY_23 = london(2025, 3, 14, 23, 0)
BANK_HOLIDAY_11 = london(2025, 5, 5, 11, 0)


def told(episode: Any, event: str = "reported") -> dict[str, Notification]:
    notifications_for_event(episode=episode, event=event)
    return {n.recipient_role: n for n in Notification.objects.filter(episode=episode, event=event)}


@pytest.fixture
def allocated_child(make_child: Callable[..., Any], people: dict[str, Any]) -> Any:
    return make_child(placement={"authority": "941"}, allocated_worker="sam", team=TEAM, iro="ida")


def test_report_in_office_hours_tells_the_worker_the_team_manager_and_the_mct(
    contacts: dict[str, Any], allocated_child: Any, report: Callable[..., Any]
) -> None:
    episode = report(allocated_child, WEDNESDAY_11)
    notes = told(episode)
    assert set(notes) == {"allocated_social_worker", "team_manager", "mct"}
    assert notes["allocated_social_worker"].address == "sam@westnorthants.example"
    assert notes["allocated_social_worker"].recipient == "Sam Example"
    assert notes["allocated_social_worker"].reason == "Allocated social worker: the child was reported missing"
    assert notes["team_manager"].address == "tess@westnorthants.example"
    assert notes["team_manager"].reason.startswith(f"Team manager of {TEAM}: ")
    assert notes["mct"].address == "mct@westnorthants.example"
    assert all(n.status == "queued" and n.channel == "email" and n.attempts == 0 for n in notes.values())


@pytest.mark.parametrize("reported_at", [FRIDAY_23, BANK_HOLIDAY_11], ids=["friday-23:00", "bank-holiday"])
def test_report_out_of_hours_also_tells_edt(
    contacts: dict[str, Any], allocated_child: Any, report: Callable[..., Any], reported_at: Any
) -> None:
    notes = told(report(allocated_child, reported_at))
    assert set(notes) == {"allocated_social_worker", "team_manager", "edt", "mct"}
    assert notes["edt"].address == "edt@westnorthants.example"
    assert notes["edt"].reason == "Out-of-hours service (EDT): the child was reported missing out of office hours"


def test_out_of_hours_is_judged_at_the_time_of_the_event(
    contacts: dict[str, Any], allocated_child: Any, report: Callable[..., Any], find: Callable[..., Any]
) -> None:
    episode = find(report(allocated_child, FRIDAY_23), london(2025, 3, 17, 10, 0))
    assert "edt" in told(episode, "reported")
    assert "edt" not in told(episode, "returned")


def test_unallocated_case_without_a_team_goes_to_the_front_door_once(
    contacts: dict[str, Any], make_child: Callable[..., Any], report: Callable[..., Any]
) -> None:
    child = make_child(placement={"authority": "941"})
    notes = told(report(child, WEDNESDAY_11))
    # The front door stands in for the team manager too: one message, both reasons.
    assert set(notes) == {"front_door", "mct"}
    front_door = notes["front_door"]
    assert front_door.address == "mash@westnorthants.example"
    assert front_door.roles == ["front_door", "team_manager"]
    assert "the case is unallocated" in front_door.reason
    assert "the child has no team, so the front door's manager is told" in front_door.reason


def test_unallocated_case_in_a_team_tells_the_front_door_and_the_team_manager(
    contacts: dict[str, Any], people: dict[str, Any], make_child: Callable[..., Any], report: Callable[..., Any]
) -> None:
    child = make_child(placement={"authority": "941"}, team=TEAM)
    notes = told(report(child, WEDNESDAY_11))
    assert set(notes) == {"front_door", "team_manager", "mct"}
    assert notes["team_manager"].recipient_user == people["manager"]


def test_a_team_without_a_manager_is_told_through_its_shared_inbox(
    contacts: dict[str, Any], person: Callable[..., Any], make_child: Callable[..., Any],
    report: Callable[..., Any],
) -> None:
    from homeward.accounts.models import Team

    person("social_worker", "sol", team="Leaving Care")
    Team.objects.filter(name="Leaving Care").update(email="leaving.care@westnorthants.example")
    child = make_child(placement={"authority": "941"}, allocated_worker="sol", team="Leaving Care")
    notes = told(report(child, WEDNESDAY_11))
    assert notes["team_manager"].address == "leaving.care@westnorthants.example"
    assert notes["team_manager"].recipient == "Leaving Care (shared inbox)"


def test_child_placed_in_a_neighbouring_authority_tells_the_host_authority(
    contacts: dict[str, Any], people: dict[str, Any], make_child: Callable[..., Any], report: Callable[..., Any]
) -> None:
    child = make_child(placement={"authority": "855"}, allocated_worker="sam", team=TEAM)
    host = told(report(child, WEDNESDAY_11))["host_authority"]
    assert host.address == "missing@leics.example"
    assert host.recipient == "Leicestershire MCT"
    assert host.reason.startswith("Host authority 855 Leicestershire: ")
    assert host.reason.endswith("a looked-after child placed there")


def test_child_placed_far_away_with_no_contact_is_recorded_as_failed_naming_what_is_missing(
    contacts: dict[str, Any], people: dict[str, Any], make_child: Callable[..., Any], report: Callable[..., Any]
) -> None:
    child = make_child(placement={"authority": "203"}, allocated_worker="sam", team=TEAM)
    host = told(report(child, WEDNESDAY_11))["host_authority"]
    assert host.status == "failed" and host.address == "" and host.attempts == 0
    assert host.reason.startswith("Host authority 203 Greenwich: ")
    assert host.last_error == (
        "Not sent: no active contact point of kind 'authority' for Greenwich (203) is configured; "
        "add one in the admin under Notifications > Contact points."
    )


def test_another_authoritys_child_placed_here_tells_the_placing_authority(
    contacts: dict[str, Any], people: dict[str, Any], make_child: Callable[..., Any], report: Callable[..., Any]
) -> None:
    child = make_child(responsible_authority="855", placement={"authority": "941"}, allocated_worker="sam",
                       team=TEAM)
    notes = told(report(child, WEDNESDAY_11))
    assert "host_authority" not in notes
    assert notes["placing_authority"].address == "missing@leics.example"
    assert notes["placing_authority"].reason.startswith("Placing authority 855 Leicestershire: ")


def test_a_child_living_in_another_authority_tells_that_authority(
    contacts: dict[str, Any], people: dict[str, Any], make_child: Callable[..., Any], report: Callable[..., Any]
) -> None:
    child = make_child(responsible_authority="855", legal_status="child_in_need", allocated_worker="sam",
                       team=TEAM)
    notes = told(report(child, WEDNESDAY_11))
    assert notes["responsible_authority"].address == "missing@leics.example"


def test_return_also_tells_the_police_and_the_iro(
    contacts: dict[str, Any], allocated_child: Any, report: Callable[..., Any], find: Callable[..., Any]
) -> None:
    episode = find(report(allocated_child, WEDNESDAY_11), london(2025, 3, 12, 15, 0))
    notes = told(episode, "returned")
    assert set(notes) == {"allocated_social_worker", "team_manager", "mct", "iro", "police"}
    assert notes["iro"].address == "ida@westnorthants.example"
    assert notes["iro"].reason == "Independent reviewing officer: the child has returned"
    # No force on the episode: the home authority's force (Northamptonshire for 941).
    assert notes["police"].address == "mpu@northants.police.example"
    assert notes["police"].reason == "Police (Northamptonshire Police): the child has returned"
    assert all(n.event_at == london(2025, 3, 12, 15, 0) for n in notes.values())


def test_return_tells_the_force_that_holds_the_case(
    contacts: dict[str, Any], allocated_child: Any, report: Callable[..., Any], find: Callable[..., Any]
) -> None:
    episode = report(allocated_child, WEDNESDAY_11, reported_by="police", police_force="leicestershire",
                     police_reference="LP-77")
    police = told(find(episode, london(2025, 3, 12, 15, 0)), "returned")["police"]
    assert police.status == "failed"
    assert "kind 'police' for Leicestershire Police" in police.last_error


def test_the_same_event_twice_creates_nothing_new(
    contacts: dict[str, Any], allocated_child: Any, report: Callable[..., Any]
) -> None:
    episode = report(allocated_child, FRIDAY_23)
    notifications_for_event(episode=episode, event="reported")
    before = list(Notification.objects.filter(episode=episode).values_list("pk", "dedupe_key"))
    assert notifications_for_event(episode=episode, event="reported") == []
    assert list(Notification.objects.filter(episode=episode).values_list("pk", "dedupe_key")) == before
    assert len(before) == 4


def test_events_that_section_4_does_not_name_notify_nobody(
    contacts: dict[str, Any], allocated_child: Any, report: Callable[..., Any]
) -> None:
    episode = report(allocated_child, WEDNESDAY_11)
    assert notifications_for_event(episode=episode, event="regraded") == []


def test_historical_imports_and_demonstration_data_tell_nobody(
    contacts: dict[str, Any], allocated_child: Any, report: Callable[..., Any]
) -> None:
    with notifications_suppressed("import of historical episodes"):
        episode = report(allocated_child, WEDNESDAY_11)
        assert notifications_for_event(episode=episode, event="reported") == []
    assert not Notification.objects.filter(episode=episode).exists()
    assert len(notifications_for_event(episode=episode, event="reported")) == 3


def test_a_person_without_an_email_address_is_recorded_as_failed(
    contacts: dict[str, Any], person: Callable[..., Any], make_child: Callable[..., Any],
    report: Callable[..., Any],
) -> None:
    person("social_worker", "nomail", team=TEAM, email="")
    child = make_child(placement={"authority": "941"}, allocated_worker="nomail", team=TEAM)
    worker = told(report(child, WEDNESDAY_11))["allocated_social_worker"]
    assert worker.status == "failed"
    assert worker.recipient == "Nomail Example"
    assert worker.last_error == "Not sent: allocated social worker nomail has no email address on their account."


def test_no_contact_points_at_all_still_records_everyone(
    people: dict[str, Any], make_child: Callable[..., Any], report: Callable[..., Any]
) -> None:
    child = make_child(placement={"authority": "941"})
    notes = told(report(child, FRIDAY_23))
    assert set(notes) == {"front_door", "team_manager", "edt", "mct"}
    assert all(n.status == "failed" for n in notes.values())
    assert "no active contact point of kind 'edt' is configured" in notes["edt"].last_error


def test_archived_contact_points_are_not_used(
    contacts: dict[str, Any], allocated_child: Any, report: Callable[..., Any]
) -> None:
    from django.utils import timezone

    contacts["mct"].archived_at = timezone.now()
    contacts["mct"].save()
    assert told(report(allocated_child, WEDNESDAY_11))["mct"].status == "failed"
