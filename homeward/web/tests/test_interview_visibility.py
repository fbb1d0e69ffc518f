"""Who reads a return interview's content (DOMAIN.md sections 5 and 7), on the pages and in the API.

Everyone who may see the episode may know that the interview was allocated, offered, accepted
or declined, authorised and shared, and when. What the child said, how the offer was made and
the interview conducted, and whether it raised a safeguarding concern are social care's record:
never a placement provider's, and the police's only once it has been shared with them.
"""

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
from homeward.interviews.models import ReturnInterview
from homeward.interviews.selectors import rhi_content_visible_to

pytestmark = pytest.mark.django_db

WISHES = "I want to stay at Hill House."
OFFER_METHOD = "Phone call to Hill House"
RHI_STATE_KEYS = {"stage", "practitioner", "allocated_at", "offered_at", "outcome", "conducted_at",
                  "authorised_at", "shared_at", "version", "amendment_pending"}


@pytest.fixture
def people(make_user: Any, coordinator: Any) -> dict[str, Any]:
    return {
        "coordinator": coordinator,
        "social_worker": make_user("social_worker", team="Children in Care North", username="sw.one"),
        "iro": make_user("iro", username="iro.one"),
        "rhi_practitioner": make_user("rhi_practitioner", username="rhi.one"),
        "police_liaison": make_user("police_liaison", username="pc.one"),
        "placement_provider": make_user("placement_provider", organisation="Hill House Ltd", username="carer.one"),
    }


@pytest.fixture
def episode(people: dict[str, Any], make_child: Any) -> Episode:
    """A looked-after child placed with the provider, interviewed, with a safeguarding concern
    shared at once with the social worker only."""
    coordinator = people["coordinator"]
    provider = people["placement_provider"]
    child = make_child(
        placement={"authority": "941", "provider": "Hill House",
                   "provider_organisation_id": provider.organisation_id},
        allocated_worker="sw.one", team="Children in Care North", iro="iro.one",
    )
    now = timezone.now()
    reported = episode_report(
        actor=coordinator, child=child, reported_at=now - timedelta(hours=30), reported_by="placement_provider",
        last_seen_at=now - timedelta(hours=31), classification="missing", risk_level="medium",
    ).episode
    found = episode_record_found(actor=coordinator, episode=reported, found_at=now - timedelta(hours=6))
    practitioner = people["rhi_practitioner"]
    rhi_allocate(actor=coordinator, episode=found, practitioner=practitioner, allocated_at=now - timedelta(hours=5))
    rhi_record_offer(actor=practitioner, episode=found, offered_at=now - timedelta(hours=4), method=OFFER_METHOD)
    rhi_record_interview(actor=practitioner, episode=found, record=InterviewRecord(
        outcome="accepted", conducted_at=now - timedelta(hours=2), method="face_to_face", seen_alone=True,
        wishes_and_feelings=WISHES, push_factors=["boundaries"],
    ))
    rhi_share(actor=coordinator, episode=found, shared_at=now - timedelta(hours=1), recipients=["social_worker"],
              safeguarding_concern=True)
    return found


def _authorise_and_share_with_police(coordinator: Any, episode: Episode) -> None:
    now = timezone.now()
    rhi_authorise(actor=coordinator, episode=episode, authorised_at=now - timedelta(minutes=30))
    rhi_share(actor=coordinator, episode=episode, shared_at=now - timedelta(minutes=20),
              recipients=["police", "social_worker", "iro"])


def _pages(client: Client, episode: Episode) -> tuple[str, str, str, int]:
    episode_page = client.get(f"/episodes/{episode.pk}")
    child_page = client.get(f"/children/{episode.child_id}")
    philomena = client.get(f"/children/{episode.child_id}/philomena")
    assert (episode_page.status_code, child_page.status_code, philomena.status_code) == (200, 200, 200)
    interview = client.get(f"/episodes/{episode.pk}/interview")
    return (episode_page.content.decode(), child_page.content.decode(), philomena.content.decode(),
            interview.status_code)


@pytest.mark.parametrize("role", ["coordinator", "social_worker", "iro", "rhi_practitioner"])
def test_social_care_read_the_interview_and_its_details(
    role: str, people: dict[str, Any], episode: Episode, client_for: Any, api_for: Any,
) -> None:
    user = people[role]
    assert rhi_content_visible_to(user, ReturnInterview.objects.get(episode=episode))
    episode_page, child_page, _, interview_status = _pages(client_for(user), episode)
    assert interview_status == 200
    assert WISHES in client_for(user).get(f"/episodes/{episode.pk}/interview").content.decode()
    assert "Read the interview" in episode_page
    assert f"({OFFER_METHOD})" in episode_page and ", face to face" in episode_page
    assert "Safeguarding concern shared with Social worker" in episode_page
    for page in (episode_page, child_page):
        assert f"Return interview offered ({OFFER_METHOD})." in page
        assert "Safeguarding concern from the return interview shared with the social worker." in page
    # The API never carries the content: only the protocol's record of the interview.
    rhi = api_for(user).get(f"/api/v1/episodes/{episode.pk}").json()["rhi"]
    assert set(rhi) == RHI_STATE_KEYS and rhi["outcome"] == "accepted"


def _assert_facts_only(episode_page: str, child_page: str, philomena: str) -> None:
    # The facts: offered, accepted and when, authorised, shared.
    assert "Accepted," in episode_page and "Return interview accepted." in episode_page
    assert "Return interview offered." in episode_page and "Return interview offered." in child_page
    assert "Read the interview" not in episode_page
    for page in (episode_page, child_page, philomena):
        assert WISHES not in page
        assert OFFER_METHOD not in page
        assert "Safeguarding concern" not in page
        assert "face to face" not in page.lower()
        assert "Boundaries" not in page
    assert "Information from the return interview shared with the social worker." in child_page
    assert "Information from the interview shared with Social worker" in episode_page


def test_a_placement_provider_never_reads_the_interview_even_once_shared(
    people: dict[str, Any], episode: Episode, client_for: Any, api_for: Any,
) -> None:
    provider = people["placement_provider"]
    client = client_for(provider)
    episode_page, child_page, philomena, interview_status = _pages(client, episode)
    assert interview_status == 403
    _assert_facts_only(episode_page, child_page, philomena)
    assert "shared with the police, the social worker and the IRO only" in episode_page

    _authorise_and_share_with_police(people["coordinator"], episode)
    assert not rhi_content_visible_to(provider, ReturnInterview.objects.get(episode=episode))
    episode_page, child_page, philomena, interview_status = _pages(client, episode)
    assert interview_status == 403
    _assert_facts_only(episode_page, child_page, philomena)
    assert "Return interview shared with the IRO, the police and the social worker." in child_page

    answer = api_for(provider).get(f"/api/v1/episodes/{episode.pk}")
    assert answer.status_code == 200
    assert set(answer.json()["rhi"]) == RHI_STATE_KEYS and answer.json()["rhi"]["outcome"] == "accepted"
    assert WISHES not in answer.content.decode() and OFFER_METHOD not in answer.content.decode()


def test_the_police_read_the_interview_only_once_it_is_shared_with_them(
    people: dict[str, Any], episode: Episode, client_for: Any, api_for: Any,
) -> None:
    police = people["police_liaison"]
    client = client_for(police)
    episode_page, child_page, philomena, interview_status = _pages(client, episode)
    assert interview_status == 403
    _assert_facts_only(episode_page, child_page, philomena)
    assert "shown to the police once it has been shared with them" in episode_page
    answer = api_for(police).get(f"/api/v1/episodes/{episode.pk}")
    assert set(answer.json()["rhi"]) == RHI_STATE_KEYS
    assert WISHES not in answer.content.decode() and OFFER_METHOD not in answer.content.decode()

    _authorise_and_share_with_police(people["coordinator"], episode)
    episode_page, child_page, _, interview_status = _pages(client, episode)
    assert interview_status == 200
    assert WISHES in client.get(f"/episodes/{episode.pk}/interview").content.decode()
    assert "Read the interview" in episode_page and f"({OFFER_METHOD})" in episode_page
    assert "Safeguarding concern from the return interview shared with the social worker." in child_page


def test_an_inactive_or_missing_person_reads_nothing(people: dict[str, Any], episode: Episode) -> None:
    rhi = ReturnInterview.objects.get(episode=episode)
    coordinator = people["coordinator"]
    coordinator.is_active = False
    assert not rhi_content_visible_to(coordinator, rhi)
    assert not rhi_content_visible_to(None, rhi)
    assert not rhi_content_visible_to(people["social_worker"], None)
