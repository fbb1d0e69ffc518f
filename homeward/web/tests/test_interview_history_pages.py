"""The return interview's history on the pages (ADR 0011): re-allocation with a reason (the
deadline stays), every offer with the child's answer, and an authorised interview amended as
a new version that is authorised again, while everyone reads the authorised one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from homeward.casework.episodes import episode_record_found, episode_report
from homeward.casework.interviews import (
    InterviewRecord,
    rhi_allocate,
    rhi_authorise,
    rhi_record_interview,
    rhi_record_offer,
    rhi_share,
)
from homeward.episodes.models import Episode
from homeward.interviews.models import ReturnInterview, RhiAllocation, RhiOffer, RhiVersion
from homeward.obligations.models import StoredObligation

from .conftest import london_parts

pytestmark = pytest.mark.django_db


def _returned(coordinator: Any, child: Any) -> Episode:
    now = timezone.now()
    episode = episode_report(actor=coordinator, child=child, reported_at=now - timedelta(hours=30),
                             reported_by="police", classification="missing", police_force="northamptonshire",
                             police_reference=f"NP-{child.pk}").episode
    return episode_record_found(actor=coordinator, episode=episode, found_at=now - timedelta(hours=10))


def _allocated(coordinator: Any, practitioner: Any, episode: Episode) -> None:
    rhi_allocate(actor=coordinator, episode=episode, practitioner=practitioner,
                 allocated_at=timezone.now() - timedelta(hours=9))


def _authorised(coordinator: Any, practitioner: Any, episode: Episode) -> None:
    now = timezone.now()
    _allocated(coordinator, practitioner, episode)
    rhi_record_offer(actor=practitioner, episode=episode, offered_at=now - timedelta(hours=8), method="Phone call",
                     answer="accepted")
    rhi_record_interview(actor=practitioner, episode=episode, record=InterviewRecord(
        outcome="accepted", conducted_at=now - timedelta(hours=6), method="face_to_face", seen_alone=True,
        wishes_and_feelings="I want to stay at Hill House.", push_factors=["boundaries"]))
    rhi_authorise(actor=coordinator, episode=episode, authorised_at=now - timedelta(hours=4))


# Re-allocation ----------------------------------------------------------------------------------


def test_reallocating_shows_who_has_it_needs_a_reason_and_keeps_the_deadline(
    web: Client, client_for: Any, coordinator: Any, make_user: Any, make_child: Any,
) -> None:
    episode = _returned(coordinator, make_child())
    first = make_user("rhi_practitioner", username="rhi.first")
    first.first_name, first.last_name = "Aisha", "Khan"
    first.save()
    second = make_user("rhi_practitioner", username="rhi.second")
    _allocated(coordinator, first, episode)
    rhi = ReturnInterview.objects.get(episode=episode)
    allocated_at = rhi.allocated_at
    offer_due = StoredObligation.objects.get(episode=episode, code="rhi_offered").due_at

    page = web.get(f"/episodes/{episode.pk}").content.decode()
    assert f'href="/episodes/{episode.pk}/interview/allocate"' in page and "Re-allocate the interview" in page
    form = web.get(f"/episodes/{episode.pk}/interview/allocate").content.decode()
    assert "Re-allocate the return interview" in form
    assert 'id="current-practitioner">Aisha Khan (Return interview practitioner)' in form
    assert "The deadline does not move" in form and 'id="id_reason"' in form

    url = f"/episodes/{episode.pk}/interview/allocate"
    missing = web.post(url, {"practitioner": "rhi.second", **london_parts("allocated_at", timezone.now())})
    assert '<a href="#id_reason">Enter why the interview is re-allocated</a>' in missing.content.decode()
    same = web.post(url, {"practitioner": "rhi.first", **london_parts("allocated_at", timezone.now()),
                          "reason": "Again"})
    assert 'href="#id_practitioner">The interview is already allocated to this person.' in same.content.decode()
    assert RhiAllocation.objects.filter(interview=rhi).count() == 1  # nothing stored

    response = web.post(url, {"practitioner": "rhi.second", **london_parts("allocated_at", timezone.now()),
                              "reason": "Aisha is off sick this week"})
    assert response.status_code == 302
    rhi.refresh_from_db()
    assert rhi.practitioner == second and rhi.allocated_at == allocated_at  # the first allocation's clock
    assert StoredObligation.objects.get(episode=episode, code="rhi_offered").due_at == offer_due
    page = web.get(f"/episodes/{episode.pk}").content.decode()
    assert "Return interview re-allocated. The deadline has not moved." in page
    assert "from Aisha Khan to rhi.second (Aisha is off sick this week)" in page
    # The new practitioner has it on their list.
    assert episode.child.full_name in client_for(second).get("/interviews/mine").content.decode()


def test_only_the_coordinator_and_the_mct_reallocate(client_for: Any, coordinator: Any, make_user: Any,
                                                     make_child: Any) -> None:
    episode = _returned(coordinator, make_child())
    practitioner = make_user("rhi_practitioner")
    _allocated(coordinator, practitioner, episode)
    for role in ("police_liaison", "team_manager"):
        client = client_for(make_user(role))
        assert client.get(f"/episodes/{episode.pk}/interview/allocate").status_code == 403
        assert client.post(f"/episodes/{episode.pk}/interview/allocate", {"reason": "x"}).status_code == 403
    assert client_for(make_user("mct_admin")).get(f"/episodes/{episode.pk}/interview/allocate").status_code == 200


# Offers and the child's answer ------------------------------------------------------------------


def test_each_offer_is_kept_with_the_childs_answer_and_listed(
    web: Client, client_for: Any, coordinator: Any, make_user: Any, make_child: Any,
) -> None:
    episode = _returned(coordinator, make_child())
    practitioner = make_user("rhi_practitioner")
    _allocated(coordinator, practitioner, episode)
    mine = client_for(practitioner)
    url = f"/episodes/{episode.pk}/interview/offer"
    form = mine.get(url).content.decode()
    for value in ("accepted", "declined", "no_contact", "not_known"):
        assert f'name="answer" type="radio" value="{value}"' in form
    assert "Not known yet" in form

    missing = mine.post(url, {**london_parts("offered_at", timezone.now() - timedelta(hours=3)),
                              "method": "Home visit", "note": "Asleep"}).content.decode()
    assert '<a href="#id_answer">Select the child&#x27;s answer, or not known yet</a>' in missing
    assert "Asleep</textarea>" in missing
    assert not RhiOffer.objects.exists()

    assert mine.post(url, {**london_parts("offered_at", timezone.now() - timedelta(hours=3)),
                           "method": "Home visit", "answer": "declined",
                           "note": "She said not today; try on Friday"}).status_code == 302
    assert mine.post(url, {**london_parts("offered_at", timezone.now() - timedelta(hours=1)),
                           "method": "Letter", "answer": "not_known"}).status_code == 302
    offers = list(RhiOffer.objects.order_by("offered_at"))
    assert [(o.method, o.answer) for o in offers] == [("Home visit", "declined"), ("Letter", "")]

    page = web.get(f"/episodes/{episode.pk}").content.decode()
    listed = page[page.index('id="rhi-offers"'):]
    listed = listed[:listed.index("</dd>")]
    assert "(Home visit): declined" in listed and "She said not today; try on Friday" in listed
    assert "(Letter): answer not known" in listed
    assert "Record another offer" in mine.get(f"/episodes/{episode.pk}").content.decode()
    # The police see that offers were made and when, not how or what the child said.
    police = client_for(make_user("police_liaison")).get(f"/episodes/{episode.pk}").content.decode()
    listed = police[police.index('id="rhi-offers"'):]
    listed = listed[:listed.index("</dd>")]
    assert listed.count("<li>") == 2 and "declined" not in listed and "Home visit" not in listed


# Amendments ---------------------------------------------------------------------------------------


def test_an_authorised_interview_is_amended_as_a_new_version_and_authorised_again(
    web: Client, client_for: Any, coordinator: Any, make_user: Any, make_child: Any,
) -> None:
    episode = _returned(coordinator, make_child())
    practitioner = make_user("rhi_practitioner", username="rhi.amends")
    _authorised(coordinator, practitioner, episode)
    rhi_share(actor=coordinator, episode=episode, shared_at=timezone.now() - timedelta(hours=3),
              recipients=["police", "social_worker"])
    mine = client_for(practitioner)
    police = client_for(make_user("police_liaison"))

    page = mine.get(f"/episodes/{episode.pk}").content.decode()
    assert "Amend the interview" in page and "Record the interview" not in page
    # The old path leads to the amendment, which opens with the interview as authorised.
    record = mine.get(f"/episodes/{episode.pk}/interview/record")
    assert record.status_code == 302 and record["Location"] == f"/episodes/{episode.pk}/interview/amend"
    form = mine.get(f"/episodes/{episode.pk}/interview/amend").content.decode()
    assert "Amend the return interview" in form
    assert "I want to stay at Hill House.</textarea>" in form
    assert 'name="outcome" type="radio" value="accepted" checked' in form
    assert 'name="push_factors" type="checkbox" value="boundaries" checked' in form

    url = f"/episodes/{episode.pk}/interview/amend"
    typed = {"outcome": "accepted", **london_parts("conducted_at", timezone.now() - timedelta(hours=6)),
             "method": "face_to_face", "seen_alone": "yes", "push_factors": ["boundaries"],
             "wishes_and_feelings": "I want to stay at Hill House, with my sister."}
    broken = mine.post(url, typed).content.decode()
    assert '<a href="#id_reason">Enter why the interview is amended</a>' in broken
    assert '<a href="#id_amended_at_day">Enter when the interview was amended</a>' in broken
    assert "with my sister.</textarea>" in broken
    assert RhiVersion.objects.filter(interview__episode=episode).count() == 1  # nothing stored

    response = mine.post(url, {**typed, **london_parts("amended_at", timezone.now() - timedelta(minutes=30)),
                               "reason": "She told me more on a second visit"})
    assert response.status_code == 302
    pending = RhiVersion.objects.get(interview__episode=episode, number=2)
    assert pending.authorised_at is None

    page = web.get(f"/episodes/{episode.pk}").content.decode()
    assert "Amendment awaits authorisation" in page and "Authorise the amendment" in page
    interview = web.get(f"/episodes/{episode.pk}/interview").content.decode()
    assert 'id="amendment-pending">Version 2' in interview and "She told me more on a second visit" in interview
    assert "I want to stay at Hill House.<" in interview and "with my sister" not in interview
    assert "Awaits authorisation" in interview
    # The police read the authorised version only, and not why it is being amended.
    read = police.get(f"/episodes/{episode.pk}/interview").content.decode()
    assert "I want to stay at Hill House.<" in read and "with my sister" not in read
    assert "An amendment awaits authorisation" in read and "second visit" not in read

    authorise = web.get(f"/episodes/{episode.pk}/interview/authorise").content.decode()
    assert "Authorise the amendment" in authorise and "She told me more on a second visit" in authorise
    changes = authorise[authorise.index('id="amendment-changes"'):]
    changes = changes[:changes.index("</table>")]
    assert "The child&#x27;s wishes and feelings" in changes and "with my sister." in changes
    assert "Push factors" not in changes  # unchanged
    assert police.post(f"/episodes/{episode.pk}/interview/authorise",
                       london_parts("authorised_at", timezone.now())).status_code == 403
    response = web.post(f"/episodes/{episode.pk}/interview/authorise",
                        london_parts("authorised_at", timezone.now() - timedelta(minutes=10)))
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.authorised_at is not None and pending.authorised_by == coordinator

    read = police.get(f"/episodes/{episode.pk}/interview").content.decode()
    assert "with my sister." in read and "This is version 2 of the interview, as authorised." in read
    interview = web.get(f"/episodes/{episode.pk}/interview").content.decode()
    versions = interview[interview.index('id="versions"'):]
    assert "She told me more on a second visit" in versions and "by coord" in versions
    assert "Awaits authorisation" not in versions


def test_amending_is_refused_naming_the_field_and_only_to_those_who_record_it(
    client_for: Any, web: Client, coordinator: Any, make_user: Any, make_child: Any,
) -> None:
    episode = _returned(coordinator, make_child())
    practitioner = make_user("rhi_practitioner")
    _allocated(coordinator, practitioner, episode)
    # Not authorised yet: the record itself is corrected instead.
    response = web.get(f"/episodes/{episode.pk}/interview/amend")
    assert response.status_code == 302 and response["Location"] == f"/episodes/{episode.pk}/interview/record"
    rhi_record_offer(actor=practitioner, episode=episode, offered_at=timezone.now() - timedelta(hours=8),
                     method="Visit")
    rhi_record_interview(actor=practitioner, episode=episode, record=InterviewRecord(
        outcome="declined", conducted_at=timezone.now() - timedelta(hours=6)))
    rhi_authorise(actor=coordinator, episode=episode, authorised_at=timezone.now() - timedelta(hours=4))
    # Before the authorisation: refused on its field, nothing stored.
    response = web.post(f"/episodes/{episode.pk}/interview/amend", {
        "outcome": "declined", **london_parts("conducted_at", timezone.now() - timedelta(hours=6)),
        **london_parts("amended_at", timezone.now() - timedelta(hours=5)), "reason": "Wrong date"})
    assert 'href="#id_amended_at_day">This is before the authorisation.' in response.content.decode()
    assert RhiVersion.objects.filter(interview__episode=episode).count() == 1
    for role in ("police_liaison", "iro", "team_manager"):
        client = client_for(make_user(role))
        assert client.get(f"/episodes/{episode.pk}/interview/amend").status_code in (403, 404), role
        assert client.post(f"/episodes/{episode.pk}/interview/amend", {}).status_code in (403, 404), role
    assert client_for(make_user("police_liaison")).get(
        f"/episodes/{episode.pk}/interview/amend").status_code == 403
