"""The return home interview, strategy meeting and close pages through Django's test client."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from homeward.audit.models import AuditEntry
from homeward.casework.episodes import episode_record_found, episode_report
from homeward.casework.interviews import InterviewRecord, rhi_allocate, rhi_record_interview, rhi_record_offer
from homeward.episodes.models import Episode
from homeward.interviews.models import ReturnInterview
from homeward.interviews.selectors import rhi_content_visible_to
from homeward.meetings.models import StrategyMeeting
from homeward.obligations.models import StoredObligation
from homeward.web.formatting import datetime_text

from .conftest import london_parts

pytestmark = pytest.mark.django_db


def _returned(coordinator: Any, child: Any) -> Episode:
    now = timezone.now()
    episode = episode_report(
        actor=coordinator, child=child, reported_at=now - timedelta(hours=30), reported_by="police",
        last_seen_at=now - timedelta(hours=31), classification="missing", risk_level="medium",
        police_force="northamptonshire", police_reference=f"NP-{child.pk}",
    ).episode
    return episode_record_found(actor=coordinator, episode=episode, found_at=now - timedelta(hours=6))


def _interviewed(coordinator: Any, practitioner: Any, episode: Episode) -> None:
    now = timezone.now()
    rhi_allocate(actor=coordinator, episode=episode, practitioner=practitioner, allocated_at=now - timedelta(hours=5))
    rhi_record_offer(actor=practitioner, episode=episode, offered_at=now - timedelta(hours=4), method="Phone call")
    rhi_record_interview(actor=practitioner, episode=episode, record=InterviewRecord(
        outcome="accepted", conducted_at=now - timedelta(hours=2), method="face_to_face", seen_alone=True,
        wishes_and_feelings="I want to stay at Hill House.",
    ))


def test_the_interview_goes_through_every_step_on_the_pages(
    client_for: Any, web: Client, coordinator: Any, make_user: Any, make_child: Any,
) -> None:
    episode = _returned(coordinator, make_child())
    practitioner = make_user("rhi_practitioner", username="rhi.one")
    now = timezone.now()
    page = web.get(f"/episodes/{episode.pk}").content.decode()
    assert "Allocate the interview" in page
    form = web.get(f"/episodes/{episode.pk}/interview/allocate").content.decode()
    assert "rhi.one" in form and "chargeable" not in form  # the home authority's own interview
    response = web.post(f"/episodes/{episode.pk}/interview/allocate", {
        "practitioner": "rhi.one", **london_parts("allocated_at", now - timedelta(hours=5)),
    })
    assert response.status_code == 302

    mine = client_for(practitioner)
    listing = mine.get("/interviews/mine").content.decode()
    assert "My interviews" in listing and episode.child.full_name in listing
    offer_due = StoredObligation.objects.get(episode=episode, code="rhi_offered").due_at
    assert datetime_text(offer_due) in listing and "Allocated, not yet offered" in listing
    assert 'href="/interviews/mine"' in listing  # in the practitioner's navigation
    assert mine.post(f"/episodes/{episode.pk}/interview/offer", {
        **london_parts("offered_at", now - timedelta(hours=4)), "method": "Home visit", "answer": "accepted",
    }).status_code == 302
    response = mine.post(f"/episodes/{episode.pk}/interview/record", {
        "outcome": "accepted", **london_parts("conducted_at", now - timedelta(hours=2)), "method": "face_to_face",
        "seen_alone": "yes", "push_factors": ["placement_instability", "boundaries"],
        "pull_factors": ["peers_or_partners"],
        "wishes_and_feelings": "I want to stay at Hill House.",
    })
    assert response.status_code == 302
    rhi = ReturnInterview.objects.get(episode=episode)
    assert (rhi.outcome, rhi.seen_alone, rhi.wishes_and_feelings) == ("accepted", True, "I want to stay at Hill House.")
    assert rhi.push_factors == ["placement_instability", "boundaries"] and rhi.pull_factors == ["peers_or_partners"]

    assert web.post(f"/episodes/{episode.pk}/interview/authorise", {
        **london_parts("authorised_at", now - timedelta(hours=1)), "recommendations": "Review the plan.",
    }).status_code == 302
    assert web.post(f"/episodes/{episode.pk}/interview/share", {
        **london_parts("shared_at", now), "recipients": ["police", "social_worker", "iro"],
    }).status_code == 302
    rhi.refresh_from_db()
    assert rhi.shared_with == ["iro", "police", "social_worker"]
    page = web.get(f"/episodes/{episode.pk}").content.decode()
    assert "Shared with Police, Social worker, Independent reviewing officer (IRO)" in page
    assert "I want to stay at Hill House." in web.get(f"/episodes/{episode.pk}/interview").content.decode()


def test_allocation_errors_name_the_field_and_keep_what_was_typed(web: Client, coordinator: Any,
                                                                   make_child: Any) -> None:
    episode = _returned(coordinator, make_child())
    response = web.post(f"/episodes/{episode.pk}/interview/allocate", {
        "practitioner": "", "allocated_at_day": "3", "allocated_at_month": "", "allocated_at_year": "2026",
        "allocated_at_time": "10:00",
    })
    body = response.content.decode()
    assert response.status_code == 200
    assert '<a href="#id_practitioner">Select a practitioner</a>' in body
    assert 'href="#id_allocated_at_month">When it was allocated must include a month' in body
    assert 'name="allocated_at_time" type="text" value="10:00"' in body


def test_allocating_to_a_carer_is_refused_on_the_field(web: Client, coordinator: Any, make_user: Any,
                                                        make_child: Any) -> None:
    episode = _returned(coordinator, make_child())
    make_user("placement_provider", username="carer")
    form = web.get(f"/episodes/{episode.pk}/interview/allocate").content.decode()
    assert 'value="carer"' not in form  # carers are not offered
    response = web.post(f"/episodes/{episode.pk}/interview/allocate", {
        "practitioner": "carer", **london_parts("allocated_at", timezone.now()),
    })
    assert 'href="#id_practitioner">Select a valid choice' in response.content.decode()


def test_the_exceptional_checkbox_shows_only_for_another_authoritys_interview(
    web: Client, coordinator: Any, make_child: Any,
) -> None:
    own = _returned(coordinator, make_child())
    other = _returned(coordinator, make_child(responsible_authority="855",
                                              placement={"authority": "941", "started_on": timezone.now().date()
                                                         - timedelta(days=100)}))
    assert other.rhi_authority is not None and other.rhi_authority.code != "941"
    assert "chargeable" not in web.get(f"/episodes/{own.pk}/interview/allocate").content.decode()
    assert "chargeable to the placing authority" in web.get(f"/episodes/{other.pk}/interview/allocate").content.decode()


def test_a_phone_interview_without_observations_is_refused_and_keeps_the_childs_words(
    client_for: Any, coordinator: Any, make_user: Any, make_child: Any,
) -> None:
    episode = _returned(coordinator, make_child())
    practitioner = make_user("rhi_practitioner", username="rhi.two")
    now = timezone.now()
    rhi_allocate(actor=coordinator, episode=episode, practitioner=practitioner, allocated_at=now - timedelta(hours=5))
    rhi_record_offer(actor=practitioner, episode=episode, offered_at=now - timedelta(hours=4), method="Phone")
    response = client_for(practitioner).post(f"/episodes/{episode.pk}/interview/record", {
        "outcome": "accepted", **london_parts("conducted_at", now - timedelta(hours=1)), "method": "phone",
        "seen_alone": "no", "accompanied_by": "Her aunt", "wishes_and_feelings": "Nobody listens to me.",
    })
    body = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_carer_observations">A phone interview needs the observations' in body
    assert "Nobody listens to me.</textarea>" in body
    assert 'value="Her aunt"' in body
    missing = client_for(practitioner).post(f"/episodes/{episode.pk}/interview/record", {})
    assert 'href="#id_outcome">Select whether the child accepted the interview' in missing.content.decode()


def test_only_the_allocated_practitioner_may_record_and_others_get_the_403_page(
    client_for: Any, coordinator: Any, make_user: Any, make_child: Any,
) -> None:
    episode = _returned(coordinator, make_child())
    allocated = make_user("rhi_practitioner", username="rhi.three")
    make_user("rhi_practitioner", username="rhi.four")
    rhi_allocate(actor=coordinator, episode=episode, practitioner=allocated,
                 allocated_at=timezone.now() - timedelta(hours=5))
    # The other practitioner cannot see the child at all; a police liaison may not allocate.
    assert client_for(make_user("rhi_practitioner")).get(f"/episodes/{episode.pk}/interview/offer").status_code == 404
    response = client_for(make_user("police_liaison")).post(f"/episodes/{episode.pk}/interview/allocate", {})
    assert response.status_code == 403


def test_police_read_the_interview_only_once_it_is_shared_with_them(
    client_for: Any, web: Client, coordinator: Any, make_user: Any, make_child: Any,
) -> None:
    episode = _returned(coordinator, make_child())
    practitioner = make_user("rhi_practitioner", username="rhi.five")
    _interviewed(coordinator, practitioner, episode)
    police = make_user("police_liaison", username="pc.one")
    rhi = ReturnInterview.objects.get(episode=episode)
    assert not rhi_content_visible_to(police, rhi)
    assert rhi_content_visible_to(coordinator, rhi)
    police_client = client_for(police)
    assert police_client.get(f"/episodes/{episode.pk}/interview").status_code == 403
    page = police_client.get(f"/episodes/{episode.pk}").content.decode()
    assert "Read the interview" not in page and "shown to the police once" in page
    share_form = web.get(f"/episodes/{episode.pk}/interview/share").content.decode()
    assert "only a safeguarding concern" in share_form
    assert 'name="safeguarding_concern" type="checkbox" value="yes" checked' in share_form
    # A safeguarding concern shared with the social worker only: still not the police's.
    assert web.post(f"/episodes/{episode.pk}/interview/share", {
        **london_parts("shared_at", timezone.now()), "recipients": ["social_worker"], "safeguarding_concern": "yes",
    }).status_code == 302
    assert police_client.get(f"/episodes/{episode.pk}/interview").status_code == 403
    # Shared with the police at once, before authorisation.
    assert web.post(f"/episodes/{episode.pk}/interview/share", {
        **london_parts("shared_at", timezone.now()), "recipients": ["police"], "safeguarding_concern": "yes",
    }).status_code == 302
    assert "I want to stay at Hill House." in police_client.get(f"/episodes/{episode.pk}/interview").content.decode()
    assert "Read the interview" in police_client.get(f"/episodes/{episode.pk}").content.decode()
    assert AuditEntry.objects.filter(user=police, action="view", object_type="return_interview").count() == 1


def test_sharing_errors_name_the_field(web: Client, coordinator: Any, make_user: Any, make_child: Any) -> None:
    episode = _returned(coordinator, make_child())
    _interviewed(coordinator, make_user("rhi_practitioner"), episode)
    response = web.post(f"/episodes/{episode.pk}/interview/share", {**london_parts("shared_at", timezone.now()),
                                                                     "note": "Urgent"})
    body = response.content.decode()
    assert 'href="#id_recipients">Select who the interview is shared with' in body
    assert "Urgent</textarea>" in body
    # Not yet authorised and not a safeguarding concern: the service says so, unlinked.
    response = web.post(f"/episodes/{episode.pk}/interview/share", {
        **london_parts("shared_at", timezone.now()), "recipients": ["police"],
    })
    assert "<li>Authorise the interview before sharing it" in response.content.decode()
    offer = web.post(f"/episodes/{episode.pk}/interview/offer", london_parts("offered_at", timezone.now()))
    assert 'href="#id_method">Enter how the interview was offered' in offer.content.decode()


def test_the_pipeline_lists_interviews_by_stage(web: Client, client_for: Any, coordinator: Any, make_user: Any,
                                               make_child: Any) -> None:
    waiting = _returned(coordinator, make_child(given_name="Ava"))
    done = _returned(coordinator, make_child(given_name="Bea"))
    _interviewed(coordinator, make_user("rhi_practitioner"), done)
    body = web.get("/interviews").content.decode()
    assert "To allocate (1)" in body and "Interview done, to authorise (1)" in body
    assert waiting.child.full_name in body and done.child.full_name in body
    assert 'href="/interviews"' in body  # in the navigation
    assert client_for(make_user("social_worker")).get("/interviews").status_code == 403


def test_a_strategy_meeting_with_actions_and_add_another_without_javascript(
    web: Client, coordinator: Any, make_child: Any,
) -> None:
    episode = _returned(coordinator, make_child())
    url = f"/episodes/{episode.pk}/meetings/new"
    form = web.get(url).content.decode()
    assert 'id="id_action_2_owner"' in form and 'id="id_action_3_owner"' not in form
    typed = {**london_parts("held_at", timezone.now() - timedelta(hours=20)), "kind": "missing_strategy",
             "attendees": "Priya Shah, co-ordinator\nPC Jones", "rows": "3",
             "action_0_owner": "Nadia Osei", "action_0_description": "Visit Hill House"}
    more = web.post(url, {**typed, "add_action": "1"}).content.decode()
    assert 'id="id_action_3_owner"' in more and 'name="rows" value="4"' in more
    assert 'value="Nadia Osei"' in more and "There is a problem" not in more
    broken = web.post(url, {**typed, "rows": "4", "action_3_description": "Tell the school",
                            "action_3_due_day": "27"}).content.decode()
    assert 'href="#id_action_3_owner">Enter who owns action 4' in broken
    assert 'href="#id_action_3_due_month">Action 4: due date must include a month and year' in broken
    assert "Tell the school</textarea>" in broken
    missing = web.post(url, {"rows": "3"}).content.decode()
    assert 'href="#id_attendees">Enter who attended, one person per line' in missing
    assert 'href="#id_kind">Select the kind of meeting' in missing
    response = web.post(url, {**typed, "action_1_owner": "PC Jones", "action_1_description": "Check contacts",
                              "action_1_due_day": "1", "action_1_due_month": "12", "action_1_due_year": "2026"})
    assert response.status_code == 302
    meeting = StrategyMeeting.objects.get(episode=episode)
    assert meeting.attendees == ["Priya Shah, co-ordinator", "PC Jones"]
    assert [(a.owner, a.description) for a in meeting.actions.order_by("id")] == [
        ("Nadia Osei", "Visit Hill House"), ("PC Jones", "Check contacts")]


def test_closing_is_refused_while_obligations_are_outstanding_and_names_them(
    client_for: Any, web: Client, coordinator: Any, make_user: Any, make_child: Any,
) -> None:
    episode = _returned(coordinator, make_child(given_name="Jade"))
    page = web.get(f"/episodes/{episode.pk}").content.decode()
    assert f'href="/episodes/{episode.pk}/close"' in page
    # The co-ordinator is a manager: the duties outstanding are listed, with the reason to give.
    form = web.get(f"/episodes/{episode.pk}/close").content.decode()
    assert "Still to do" in form and "Offer Jade a return home interview within 72 hours" in form
    assert 'for="id_reason">Reason for closing with these not done' in form
    response = web.post(f"/episodes/{episode.pk}/close", {**london_parts("closed_at", timezone.now()),
                                                          "note": "All done"})
    body = response.content.decode()
    assert response.status_code == 200
    assert '<a href="#id_reason">Enter why the episode closes with these duties not done</a>' in body
    assert "All done</textarea>" in body
    episode.refresh_from_db()
    assert episode.status == "returned"
    empty = web.post(f"/episodes/{episode.pk}/close", {}).content.decode()
    assert 'href="#id_closed_at_day">Enter when the episode closes' in empty

    # Out-of-hours staff may close an episode, but not with duties outstanding: only a manager may.
    worker = client_for(make_user("edt"))
    form = worker.get(f"/episodes/{episode.pk}/close").content.decode()
    assert "Only a manager" in form and 'id="id_reason"' not in form
    response = worker.post(f"/episodes/{episode.pk}/close", {**london_parts("closed_at", timezone.now()),
                                                             "reason": "Trying anyway"})
    assert 'href="#id_closed_at_day">The follow-up is not done: ' in response.content.decode()
    episode.refresh_from_db()
    assert episode.status == "returned"


def test_a_coordinator_closes_with_a_reason_and_the_duties_show_not_done(
    web: Client, coordinator: Any, make_child: Any,
) -> None:
    episode = _returned(coordinator, make_child(given_name="Jade"))
    outstanding = set(StoredObligation.objects.filter(episode=episode, done_at__isnull=True,
                                                      arises_at__lte=timezone.now(), for_information=False)
                      .values_list("code", flat=True))
    assert "rhi_offered" in outstanding
    response = web.post(f"/episodes/{episode.pk}/close", {
        **london_parts("closed_at", timezone.now() - timedelta(minutes=5)), "note": "Closing",
        "reason": "Jade moved to Kent, whose team has taken on the interview",
    })
    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.status == "closed" and episode.close_reason.startswith("Jade moved to Kent")
    page = web.get(f"/episodes/{episode.pk}").content.decode()
    assert "The duties still outstanding are recorded as not done." in page
    offer = page[page.index('id="obligation-rhi_offered-1"'):]
    offer = offer[:offer.index("</tr>")]
    assert 'govuk-tag--purple">Not done' in offer
    assert "Jade moved to Kent, whose team has taken on the interview" in offer
    assert "/actions/" not in offer
    ended = StoredObligation.objects.get(episode=episode, code="rhi_offered")
    assert ended.ended_reason == "Jade moved to Kent, whose team has taken on the interview"


def test_a_meeting_with_an_added_row_sent_after_the_session_ended_comes_back_whole(
    client: Client, coordinator: Any, make_child: Any,
) -> None:
    from urllib.parse import parse_qs, urlsplit

    episode = _returned(coordinator, make_child())
    client.post("/sign-in", {"username": "coord", "password": "a-long-test-password"})
    client.session.flush()
    client.cookies.pop("sessionid", None)
    response = client.post(f"/episodes/{episode.pk}/meetings/new", {
        "rows": "4", "kind": "missing_strategy", "attendees": "Priya Shah",
        "action_3_owner": "PC Jones", "action_3_description": "Check the station CCTV",
    })
    assert response["Location"].startswith("/sign-in?next=")
    next_url = parse_qs(urlsplit(response["Location"]).query)["next"][0]
    response = client.post("/sign-in", {"username": "coord", "password": "a-long-test-password", "next": next_url})
    body = client.get(response["Location"]).content.decode()
    assert "You were signed out before this form was sent" in body
    assert 'name="rows" value="4"' in body
    assert 'value="PC Jones"' in body and "Check the station CCTV</textarea>" in body


@pytest.mark.parametrize("path", [
    "/interviews", "/interviews/mine", "/episodes/1/interview", "/episodes/1/interview/allocate",
    "/episodes/1/interview/offer", "/episodes/1/interview/record", "/episodes/1/interview/authorise",
    "/episodes/1/interview/share", "/episodes/1/interview/amend", "/episodes/1/meetings/new", "/episodes/1/close",
    "/episodes/1/whereabouts", "/work",
])
def test_the_new_pages_need_sign_in(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302 and response["Location"].startswith("/sign-in?next=")


def test_my_interviews_pages_the_shared_ones_newest_first_and_audits_what_it_shows(
    client_for: Any, coordinator: Any, make_user: Any, make_child: Any, monkeypatch: Any,
) -> None:
    from homeward.casework.interviews import rhi_authorise, rhi_share
    from homeward.web.views import interviews

    monkeypatch.setattr(interviews, "SHARED_PAGE_SIZE", 2)
    practitioner = make_user("rhi_practitioner", username="aisha")
    now = timezone.now()
    shared = []
    for n in range(3):
        episode = _returned(coordinator, make_child(given_name=f"Shared{n}"))
        _interviewed(coordinator, practitioner, episode)
        rhi_authorise(actor=coordinator, episode=episode, authorised_at=now - timedelta(minutes=90))
        rhi_share(actor=coordinator, episode=episode, shared_at=now - timedelta(minutes=60 - n),
                  recipients=["social_worker"])
        shared.append(episode)
    under_way = _returned(coordinator, make_child(given_name="Underway"))
    rhi_allocate(actor=coordinator, episode=under_way, practitioner=practitioner,
                 allocated_at=now - timedelta(hours=5))
    mine = client_for(practitioner)

    before = AuditEntry.objects.filter(object_type="my_interviews").count()
    first = mine.get("/interviews/mine").content.decode()
    assert "Underway" in first
    assert first.index("Shared2") < first.index("Shared1")  # newest first
    assert "Shared0" not in first and "Page 1 of 2 (3 shared interviews)" in first
    assert 'href="?page=2" rel="next"' in first
    named = AuditEntry.objects.filter(object_type="my_interviews").order_by("id")[before:]
    assert {e.child_id for e in named} == {under_way.child_id, shared[2].child_id, shared[1].child_id}

    second = mine.get("/interviews/mine?page=2").content.decode()
    assert "Shared0" in second and "Shared1" not in second and "Underway" in second  # always listed
