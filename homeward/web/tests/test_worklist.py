"""The home worklist: overdue, due today and due soon on the person's own worklist, each as a
sentence with the rule behind it, and the simple facts that complete them recorded inline."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from homeward.casework.episodes import episode_report
from homeward.episodes.models import EpisodeAction

from .conftest import london_parts

pytestmark = pytest.mark.django_db


@pytest.fixture
def social_worker(make_user: Any) -> Any:
    return make_user("social_worker", team="Children in Care North", username="sw")


@pytest.fixture
def episode(coordinator: Any, make_child: Any, social_worker: Any) -> Any:
    child = make_child(team="Children in Care North", placement={"authority": "941", "provider": "Hill House"})
    return episode_report(
        actor=coordinator, child=child, reported_at=timezone.now() - timedelta(hours=3),
        reported_by="parent_carer", classification="missing",
    ).episode


def test_the_worklist_says_what_is_due_and_why_for_the_persons_role(
    client_for: Any, social_worker: Any, episode: Any,
) -> None:
    body = client_for(social_worker).get("/").content.decode()
    assert "Overdue (1)" in body  # the police were to be informed within the hour
    assert "Make sure the police know Test is missing within 1 hour of the report: by" in body
    assert "Owner: Children in Care North queue" in body  # no allocated worker: the team's queue
    assert "Why this is due" in body and "police_informed = 1h" in body  # the rule, behind the toggle
    assert f'action="/episodes/{episode.pk}/actions/police_informed"' in body
    assert f'id="o{episode.obligations.get(code="police_informed").pk}_at_day"' in body


def test_an_obligation_is_recorded_inline_and_leaves_the_worklist(
    client_for: Any, social_worker: Any, episode: Any,
) -> None:
    client: Client = client_for(social_worker)
    response = client.post(f"/episodes/{episode.pk}/actions/manager_informed", {
        **london_parts("at", timezone.now() - timedelta(minutes=10)), "note": "Told Julie", "next": "/",
    })
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert EpisodeAction.objects.filter(episode=episode, action="manager_informed", note="Told Julie").exists()
    assert episode.obligations.get(code="manager_informed").done_at is not None
    assert "Recorded: Team manager informed." in client.get("/").content.decode()


def test_police_informed_needs_the_reference_and_says_so_on_its_own_page(
    client_for: Any, social_worker: Any, episode: Any,
) -> None:
    client: Client = client_for(social_worker)
    response = client.post(f"/episodes/{episode.pk}/actions/police_informed",
                           {**london_parts("at", timezone.now()), "next": "/"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_police_reference">Give the police reference.' in body
    assert 'name="next" value="/"' in body
    response = client.post(f"/episodes/{episode.pk}/actions/police_informed", {
        **london_parts("at", timezone.now()), "police_reference": "NP-77", "next": "/",
    })
    assert "Give the police force" in response.content.decode()  # the episode has no force yet
    response = client.post(f"/episodes/{episode.pk}/actions/police_informed", {
        **london_parts("at", timezone.now()), "police_force": "northamptonshire", "police_reference": "NP-77",
        "next": "https://elsewhere.example/",
    })
    assert response.status_code == 302
    assert response["Location"] == f"/episodes/{episode.pk}"  # never sent to another site
    episode.refresh_from_db()
    assert (episode.police_force.code, episode.police_reference) == ("northamptonshire", "NP-77")


def test_an_unknown_action_is_not_found_and_a_partner_may_record_only_its_own(
    client_for: Any, make_user: Any, episode: Any,
) -> None:
    police = make_user("police_liaison")
    client: Client = client_for(police)
    assert client.get(f"/episodes/{episode.pk}/actions/nonsense").status_code == 404
    response = client.post(f"/episodes/{episode.pk}/actions/manager_informed", london_parts("at", timezone.now()))
    assert response.status_code == 403
    page = client.get(f"/episodes/{episode.pk}").content.decode()
    assert f"/episodes/{episode.pk}/actions/manager_informed" not in page


def test_the_home_page_lists_your_caseload_missing_or_says_how_many_are_missing(
    client_for: Any, social_worker: Any, coordinator: Any, make_user: Any, episode: Any,
) -> None:
    own = client_for(social_worker).get("/").content.decode()
    assert "Your children missing now" in own
    assert f'href="/episodes/{episode.pk}">{episode.child.full_name}</a>, missing for' in own
    # No caseload of their own (the co-ordinator's team has no children; police have none).
    for person in (coordinator, make_user("police_liaison")):
        page = client_for(person).get("/").content.decode()
        assert "Your children missing now" not in page
        assert "1 child is missing now, of those you may see." in page
    other = client_for(make_user("social_worker", team="Children in Care South")).get("/").content.decode()
    assert "No child is missing now, of those you may see." in other  # the other team's child is not theirs
