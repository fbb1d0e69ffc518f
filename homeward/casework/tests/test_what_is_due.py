"""What is due is always right (issue 10): one test for each way it broke, through the services
and the worklists as people use them."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from homeward.casework.children import child_update
from homeward.casework.episodes import (
    episode_cancel,
    episode_change_whereabouts,
    episode_close,
    episode_record_action,
    episode_record_found,
    episode_report,
)
from homeward.casework.interviews import (
    InterviewRecord,
    rhi_allocate,
    rhi_amend,
    rhi_authorise,
    rhi_record_interview,
    rhi_record_offer,
    rhi_share,
)
from homeward.casework.meetings import strategy_meeting_record
from homeward.common.errors import DomainValidationError
from homeward.episodes.models import Episode
from homeward.interviews.models import ReturnInterview, RhiAllocation, RhiOffer, RhiVersion
from homeward.obligations.models import StoredObligation
from homeward.obligations.selectors import obligation_rows_for_user, stored_status, worklist_sections
from homeward.obligations.services import episode_obligations_evaluate

pytestmark = pytest.mark.django_db


def ago(hours: float) -> datetime:
    return (timezone.now() - timedelta(hours=hours)).replace(microsecond=0)


def statuses(episode: Episode, at: datetime | None = None) -> dict[str, str]:
    """The engine's answer for the episode as it now stands in the database."""
    fresh = Episode.objects.get(pk=episode.pk)
    return {f"{o.code}#{o.instance}": o.status for o in episode_obligations_evaluate(fresh, at or timezone.now())}


def worklist_keys(user: Any, **filters: Any) -> set[tuple[int, str, int]]:
    rows = obligation_rows_for_user(user, mine=True, **filters)
    now = filters.get("as_of") or timezone.now()
    return {(r.episode_id, r.code, r.instance) for r in rows if stored_status(r, now) in ("pending", "overdue")}


@pytest.fixture
def worker(make_user: Any) -> Any:
    return make_user("social_worker", team="Children in Care North", username="sw1")


@pytest.fixture
def looked_after(make_child: Any, worker: Any) -> Any:
    return make_child(placement={"authority": "941", "provider": "Oakfield House"}, allocated_worker="sw1",
                      team="Children in Care North")


def report(coordinator: Any, child: Any, hours_ago: float, **extra: Any) -> Episode:
    values = {"reported_by": "placement_provider", "classification": "missing", **extra}
    return episode_report(actor=coordinator, child=child, reported_at=ago(hours_ago), **values).episode


# A missed daily carer update could never be cleared, and blocked closing.

def test_a_missed_carer_update_is_missed_and_recording_one_now_clears_the_current_day(
        coordinator: Any, worker: Any, looked_after: Any) -> None:
    episode = report(coordinator, looked_after, 60)
    before = statuses(episode)
    assert before["carer_update#1"] == "missed" and before["carer_update#2"] == "missed"
    assert before["carer_update#3"] == "pending"
    mine = worklist_keys(worker)
    assert (episode.pk, "carer_update", 3) in mine and (episode.pk, "carer_update", 1) not in mine
    episode_record_action(actor=worker, episode=episode, action="carer_update", at=ago(0.1))
    assert statuses(episode)["carer_update#3"] == "done"
    assert not {key for key in worklist_keys(worker) if key[1] == "carer_update"}
    # A late record inside a past day (the second: 36 to 12 hours ago) still marks that day done.
    episode_record_action(actor=worker, episode=episode, action="carer_update", at=ago(30))
    assert statuses(episode)["carer_update#2"] == "done"
    assert statuses(episode)["carer_update#1"] == "missed"


# Obligations of returned and closed episodes stayed overdue for ever.

def test_closing_with_duties_outstanding_needs_a_managers_reason_and_leaves_them_not_done(
        coordinator: Any, worker: Any, looked_after: Any, make_user: Any) -> None:
    episode = report(coordinator, looked_after, 60)
    episode_record_found(actor=coordinator, episode=episode, found_at=ago(30))
    after_return = statuses(episode)
    # The daily updates end with the return: none is owed, none overdue, after it.
    assert not [k for k, v in after_return.items() if k.startswith("carer_update") and v == "overdue"]
    episode.refresh_from_db()
    with pytest.raises(DomainValidationError) as refused:
        episode_close(actor=worker, episode=episode, closed_at=ago(1))
    assert refused.value.errors[0].field == "closed_at"
    with pytest.raises(DomainValidationError) as no_reason:
        episode_close(actor=coordinator, episode=episode, closed_at=ago(1))
    assert no_reason.value.errors[0].field == "reason"
    assert Episode.objects.get(pk=episode.pk).status == "returned"
    episode_close(actor=coordinator, episode=episode, closed_at=ago(1), reason="Child settled; reviewed with TM.")
    closed = episode_obligations_evaluate(Episode.objects.get(pk=episode.pk), timezone.now())
    not_done = [o for o in closed if o.status == "not_done"]
    assert not_done and all(o.ended_reason == "Child settled; reviewed with TM." for o in not_done)
    assert not [o for o in closed if o.status in ("pending", "overdue")]
    assert not {key for key in worklist_keys(coordinator) if key[0] == episode.pk}
    assert not {key for key in worklist_keys(worker) if key[0] == episode.pk}


# A duty was marked done by a record made before it arose.

def test_a_record_made_before_the_duty_arose_does_not_complete_it(coordinator: Any, looked_after: Any) -> None:
    episode = report(coordinator, looked_after, 24 * 90)
    # A safe-and-well check recorded 79 days before the child was found, the IRO told before it.
    episode_record_action(actor=coordinator, episode=episode, action="safe_and_well_check", at=ago(24 * 80))
    episode_record_action(actor=coordinator, episode=episode, action="iro_informed", at=ago(24 * 80))
    episode_record_found(actor=coordinator, episode=episode, found_at=ago(20))
    found = statuses(episode)
    assert found["safe_and_well_check#1"] == "pending" and found["iro_informed#1"] == "pending"
    # The plan "updated" before the interview was authorised does not count either.
    episode_record_action(actor=coordinator, episode=episode, action="plan_updated", at=ago(19))
    rhi_allocate(actor=coordinator, episode=episode, practitioner=coordinator, allocated_at=ago(18))
    rhi_record_offer(actor=coordinator, episode=episode, offered_at=ago(17), method="Visit")
    rhi_record_interview(actor=coordinator, episode=episode,
                         record=InterviewRecord(outcome="declined", conducted_at=ago(16)))
    rhi_authorise(actor=coordinator, episode=episode, authorised_at=ago(15))
    assert statuses(episode)["plan_updated#1"] == "pending"
    episode_record_action(actor=coordinator, episode=episode, action="plan_updated", at=ago(14))
    assert statuses(episode)["plan_updated#1"] == "done"


# Worklists went stale: cancelling or importing one episode changed another's repeat review.

def test_cancelling_one_episode_refreshes_the_repeat_review_of_the_childs_others(
        coordinator: Any, looked_after: Any) -> None:
    first = report(coordinator, looked_after, 24 * 20)
    episode_record_found(actor=coordinator, episode=first, found_at=ago(24 * 19))
    second = report(coordinator, looked_after, 24 * 10)
    episode_record_found(actor=coordinator, episode=second, found_at=ago(24 * 9))
    third = report(coordinator, looked_after, 5)
    assert StoredObligation.objects.filter(episode=third, code="repeat_review").exists()
    episode_cancel(actor=coordinator, episode=Episode.objects.get(pk=first.pk), reason="Reported in error")
    assert "repeat_review#1" not in statuses(third)
    assert not StoredObligation.objects.filter(episode=third, code="repeat_review").exists()


def test_importing_history_makes_the_open_episode_a_repeat_at_once(coordinator: Any, looked_after: Any) -> None:
    episode = report(coordinator, looked_after, 5)
    assert not StoredObligation.objects.filter(episode=episode, code="repeat_review").exists()
    for days in (40, 20):
        episode_report(actor=coordinator, child=looked_after, reported_at=ago(24 * days), reported_by="other",
                       imported_from="old system", found_at=ago(24 * days - 5))
    assert StoredObligation.objects.filter(episode=episode, code="repeat_review").exists()


def test_the_worklist_at_a_future_instant_agrees_with_the_episodes_own_obligations(
        coordinator: Any, worker: Any, looked_after: Any) -> None:
    episode = report(coordinator, looked_after, 3)
    for days in (2, 10, 30):
        as_of = timezone.now() + timedelta(days=days)
        engine = {(episode.pk, o.code, o.instance) for o in episode_obligations_evaluate(episode, as_of)
                  if o.status in ("pending", "overdue") and o.responsible_role == "social_worker"}
        listed = {key for key in worklist_keys(worker, as_of=as_of) if key[0] == episode.pk}
        assert listed == engine, days


def test_reading_a_worklist_writes_nothing(coordinator: Any, looked_after: Any,
                                           django_assert_max_num_queries: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    report(coordinator, looked_after, 3)
    with CaptureQueriesContext(connection) as queries:
        worklist_sections(coordinator)
        list(obligation_rows_for_user(coordinator, as_of=timezone.now() + timedelta(days=40)))
    writes = [q["sql"] for q in queries.captured_queries
              if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []


# The monthly strategy meeting review arose once.

def test_the_monthly_review_repeats_every_30_days_while_the_child_is_missing(
        coordinator: Any, looked_after: Any) -> None:
    episode = report(coordinator, looked_after, 24 * 75)
    strategy_meeting_record(actor=coordinator, episode=episode, held_at=ago(24 * 73), kind="missing_strategy",
                            attendees=["Co-ordinator"])
    reviews = {k: v for k, v in statuses(episode).items() if k.startswith("strategy_meeting_review")}
    assert reviews == {"strategy_meeting_review#1": "missed", "strategy_meeting_review#2": "overdue"}
    strategy_meeting_record(actor=coordinator, episode=episode, held_at=ago(1), kind="missing_strategy",
                            attendees=["Co-ordinator"])
    assert statuses(episode)["strategy_meeting_review#2"] == "done"


# Re-allocating moved the deadline; an unallocated return owed nothing.

def test_an_unallocated_return_is_the_coordinators_duty_on_their_worklist(coordinator: Any,
                                                                          looked_after: Any) -> None:
    episode = report(coordinator, looked_after, 50)
    episode_record_found(actor=coordinator, episode=episode, found_at=ago(30))
    assert statuses(episode)["rhi_allocated#1"] == "overdue"
    assert (episode.pk, "rhi_allocated", 1) in worklist_keys(coordinator)


def test_reallocating_keeps_the_first_allocations_clock_and_who_had_it(
        coordinator: Any, looked_after: Any, make_user: Any, settings: Any, tmp_path: Any) -> None:
    protocol = tmp_path / "protocol.toml"
    protocol.write_text('effective_from = 2017-01-16\n[rhi]\nclock = "allocation"\n', encoding="utf-8")
    settings.HOMEWARD_PROTOCOL = str(protocol)
    first, second = make_user("rhi_practitioner", username="aisha"), make_user("rhi_practitioner", username="ben")
    episode = report(coordinator, looked_after, 100)
    episode_record_found(actor=coordinator, episode=episode, found_at=ago(99))
    rhi_allocate(actor=coordinator, episode=episode, practitioner=first, allocated_at=ago(98))
    due = {o.code: o.due_at for o in episode_obligations_evaluate(Episode.objects.get(pk=episode.pk),
                                                                   timezone.now())}["rhi_offered"]
    assert statuses(episode)["rhi_offered#1"] == "overdue"
    rhi_allocate(actor=coordinator, episode=episode, practitioner=second, allocated_at=ago(2), reason="Leave")
    again = {o.code: o for o in episode_obligations_evaluate(Episode.objects.get(pk=episode.pk),
                                                             timezone.now())}["rhi_offered"]
    assert again.due_at == due and again.status == "overdue"
    history = list(RhiAllocation.objects.filter(interview__episode=episode).order_by("allocated_at"))
    assert (history[0].practitioner.username, history[0].previous_practitioner) == ("aisha", None)
    assert history[1].previous_practitioner == first and history[1].reason == "Leave"
    assert ReturnInterview.objects.get(episode=episode).practitioner == second


# An authorised and shared interview could be rewritten.

def test_an_authorised_interview_is_locked_and_amended_as_a_new_version(coordinator: Any, looked_after: Any) -> None:
    episode = report(coordinator, looked_after, 50)
    episode_record_found(actor=coordinator, episode=episode, found_at=ago(40))
    rhi_allocate(actor=coordinator, episode=episode, practitioner=coordinator, allocated_at=ago(39))
    rhi_record_offer(actor=coordinator, episode=episode, offered_at=ago(38), method="Visit", answer="declined")
    rhi_record_offer(actor=coordinator, episode=episode, offered_at=ago(30), method="Text", answer="accepted")
    assert [o.answer for o in RhiOffer.objects.filter(interview__episode=episode).order_by("offered_at")] == [
        "declined", "accepted"]
    record = InterviewRecord(outcome="accepted", conducted_at=ago(29), method="face_to_face", seen_alone=True,
                             reasons="Argument at home.")
    rhi_record_interview(actor=coordinator, episode=episode, record=record)
    rhi_authorise(actor=coordinator, episode=episode, authorised_at=ago(28))
    rhi_share(actor=coordinator, episode=episode, shared_at=ago(27), recipients=["police", "social_worker", "iro"])
    with pytest.raises(DomainValidationError) as locked:
        rhi_record_interview(actor=coordinator, episode=episode,
                             record=InterviewRecord(outcome="accepted", conducted_at=ago(29), method="face_to_face",
                                                    seen_alone=True, reasons="Rewritten."))
    assert locked.value.errors[0].field == "episode"
    amended = InterviewRecord(outcome="accepted", conducted_at=ago(29), method="face_to_face", seen_alone=True,
                              reasons="Argument at home; also a new friend in town.")
    rhi_amend(actor=coordinator, episode=episode, record=amended, amended_at=ago(5), reason="Child said more.")
    # Until the amendment is authorised, everyone reads the authorised version.
    assert ReturnInterview.objects.get(episode=episode).reasons == "Argument at home."
    assert statuses(episode)["rhi_authorised#2"] == "pending"
    rhi_authorise(actor=coordinator, episode=episode, authorised_at=ago(4))
    assert ReturnInterview.objects.get(episode=episode).reasons == "Argument at home; also a new friend in town."
    versions = list(RhiVersion.objects.filter(interview__episode=episode).order_by("number"))
    assert [(v.number, v.content["reasons"], v.authorised_at is not None) for v in versions] == [
        (1, "Argument at home.", True), (2, "Argument at home; also a new friend in town.", True)]
    assert versions[1].amendment_reason == "Child said more."


# Two episodes of one child could overlap.

def test_an_episode_that_would_overlap_another_is_refused_naming_it(coordinator: Any, looked_after: Any) -> None:
    first = report(coordinator, looked_after, 100)
    episode_record_found(actor=coordinator, episode=first, found_at=ago(50))
    with pytest.raises(DomainValidationError) as overlapping:
        report(coordinator, looked_after, 40, last_seen_at=ago(60))
    assert overlapping.value.errors[0].field == "last_seen_at"
    assert f"episode {first.pk}" in overlapping.value.errors[0].message
    with pytest.raises(DomainValidationError) as imported:
        episode_report(actor=coordinator, child=looked_after, reported_at=ago(70), reported_by="other",
                       imported_from="old system", found_at=ago(65))
    assert f"episode {first.pk}" in imported.value.errors[0].message
    assert Episode.objects.filter(child=looked_after).count() == 1
    # A new one may begin the moment the last one ended.
    ended = Episode.objects.get(pk=first.pk).found_at
    again = report(coordinator, looked_after, 40, last_seen_at=ended)
    assert again.missing_since == ended


# A child with no allocated social worker had duties that belonged to nobody.

def test_an_unallocated_childs_duties_go_to_the_team_queue_else_the_front_door(
        coordinator: Any, make_child: Any, make_user: Any) -> None:
    teammate = make_user("social_worker", team="Children in Care North", username="sw2")
    manager = make_user("team_manager", team="Children in Care North", username="tm1")
    mct = make_user("mct_admin", username="mct1")
    in_team = make_child(team="Children in Care North", placement={"authority": "941"})
    nobody = make_child(placement={"authority": "941"})
    team_episode = report(coordinator, in_team, 5)
    front_episode = report(coordinator, nobody, 5)
    assert (team_episode.pk, "manager_informed", 1) in worklist_keys(teammate)
    assert (team_episode.pk, "strategy_meeting", 1) in worklist_keys(manager)
    assert not {key for key in worklist_keys(coordinator) if key[0] == team_episode.pk
                and key[1] == "manager_informed"}
    for person in (coordinator, mct):
        assert (front_episode.pk, "manager_informed", 1) in worklist_keys(person)
    # Allocating the child moves the duties to the worker at once.
    child_update(actor=coordinator, child=nobody, allocated_worker="sw2", team="Children in Care North")
    assert (front_episode.pk, "manager_informed", 1) in worklist_keys(teammate)
    assert (front_episode.pk, "manager_informed", 1) not in worklist_keys(mct)


# The host authority's worklist was given the placing authority's duties.

def test_another_authoritys_child_placed_here_gives_us_only_our_own_duties(
        coordinator: Any, make_child: Any, make_user: Any) -> None:
    police = make_user("police_liaison", username="pol1")
    child = make_child(responsible_authority="333", placement={"authority": "941", "provider": "Oakfield"})
    episode = report(coordinator, child, 80, risk_level="high")
    obligations = {o.code: o for o in episode_obligations_evaluate(Episode.objects.get(pk=episode.pk),
                                                                   timezone.now())}
    for code in ("carer_update", "parental_responsibility_informed", "strategy_meeting", "senior_escalation"):
        assert obligations[code].for_information, code
    assert not obligations["high_risk_notifications"].for_information
    assert not obligations["ukmpu_notified"].for_information
    ours = {key[1] for person in (coordinator, police) for key in worklist_keys(person) if key[0] == episode.pk}
    assert ours == {"high_risk_notifications", "ukmpu_notified"}
    assert not list(obligation_rows_for_user(coordinator, code="strategy_meeting"))


# Missing (M) or away (A) changes during the episode; the return uses the value at its end.

def test_missing_or_away_changes_with_its_history(coordinator: Any, looked_after: Any) -> None:
    episode = report(coordinator, looked_after, 30)
    episode_change_whereabouts(actor=coordinator, episode=episode, whereabouts_known=True, at=ago(20),
                               rationale="Seen at her aunt's")
    episode.refresh_from_db()
    assert episode.whereabouts_known is True
    assert [w.whereabouts_known for w in episode.whereabouts_changes.order_by("at")] == [False, True]
    episode_record_found(actor=coordinator, episode=episode, found_at=ago(10))
    with pytest.raises(DomainValidationError) as after_return:
        episode_change_whereabouts(actor=coordinator, episode=episode, whereabouts_known=False, at=ago(5))
    assert after_return.value.errors[0].field == "at"


def test_the_police_notify_the_ukmpu_after_72_hours(coordinator: Any, looked_after: Any, make_user: Any) -> None:
    police = make_user("police_liaison", username="pol1")
    episode = report(coordinator, looked_after, 80)
    assert statuses(episode)["ukmpu_notified#1"] == "pending"
    assert (episode.pk, "ukmpu_notified", 1) in worklist_keys(police)
    episode_record_action(actor=police, episode=episode, action="ukmpu_notified", at=ago(1))
    assert statuses(episode)["ukmpu_notified#1"] == "done"


def test_each_duty_says_why_in_a_sentence(api: Any, coordinator: Any, make_child: Any, worker: Any) -> None:
    child = make_child(given_name="Jade", placement={"authority": "941"}, allocated_worker="sw1",
                       team="Children in Care North", date_of_birth=date(2011, 2, 3))
    episode = report(coordinator, child, 3)
    answer = api.get(f"/api/v1/episodes/{episode.pk}/obligations").json()["obligations"]
    sentence = {o["code"]: o["explanation"] for o in answer}["strategy_meeting"]
    assert sentence.startswith("The strategy meeting must be held within 72 hours of Jade going missing: by ")
    worklist = api.get("/api/v1/worklist").json()["results"]
    assert all(item["explanation"] for item in worklist)
