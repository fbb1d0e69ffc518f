"""The risk analysis page asks for seed 004's immediate risks and the push and pull factors
known so far as checkboxes, keeps them, and shows them on the episode's timeline; police
liaison read that a risk analysis was done, not what social care recorded in it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from homeward.casework.episodes import episode_report
from homeward.episodes.models import EpisodeAction

from .conftest import london_parts

pytestmark = pytest.mark.django_db


@pytest.fixture
def episode(coordinator: Any, make_child: Any) -> Any:
    return episode_report(actor=coordinator, child=make_child(), reported_at=timezone.now() - timedelta(hours=3),
                          reported_by="placement_provider", classification="missing").episode


def test_the_form_offers_the_coded_lists_and_keeps_the_choices(web: Any, episode: Any) -> None:
    url = f"/episodes/{episode.pk}/actions/risk_analysis"
    form = web.get(url).content.decode()
    for heading in ("Immediate risks", "Push factors", "Pull factors"):
        assert f"{heading}\n" in form or f"{heading}<" in form
    assert 'name="immediate_risks" type="checkbox" value="missed_education"' in form
    assert form.index('name="immediate_risks"') < form.index('name="note"')  # codes before the note
    response = web.post(url, {**london_parts("at", timezone.now() - timedelta(minutes=20)),
                              "immediate_risks": ["victim_of_crime", "missed_education"],
                              "push_factors": ["bullying"], "note": "Messages from an older boy."})
    assert response.status_code == 302, response.content.decode()
    record = EpisodeAction.objects.get(episode=episode, action="risk_analysis")
    assert record.detail == {"immediate_risks": ["victim_of_crime", "missed_education"],
                             "push_factors": ["bullying"]}
    page = web.get(f"/episodes/{episode.pk}").content.decode()
    assert "Immediate risks: Victim of crime, Missed education." in page  # the timeline
    assert "Push factors: Bullying (including online)." in page
    # The latest analysis has a section of its own, by label, near the top of the episode.
    section = page[page.index('id="risk-analysis"'):page.index("What must happen, and by when")]
    assert "<li>Victim of crime</li><li>Missed education</li>" in section
    assert "<li>Bullying (including online)</li>" in section
    assert "Pull factors</dt><dd class=\"govuk-summary-list__value\">None named" in section
    assert "Messages from an older boy." in section


def test_without_an_analysis_the_episode_says_so_and_links_to_record_it(web: Any, episode: Any) -> None:
    page = web.get(f"/episodes/{episode.pk}").content.decode()
    assert "Children's services have not recorded a risk analysis for this episode." in page
    assert f'href="/episodes/{episode.pk}/actions/risk_analysis">Record the risk analysis' in page


def test_a_choice_outside_the_list_is_refused_and_what_was_ticked_is_kept(web: Any, episode: Any) -> None:
    response = web.post(f"/episodes/{episode.pk}/actions/risk_analysis", {
        **london_parts("at", timezone.now() - timedelta(minutes=20)),
        "immediate_risks": ["trafficking", "made_up"], "pull_factors": ["freedom_and_independence"],
    })
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body and 'href="#id_immediate_risks' in body
    assert 'value="freedom_and_independence" checked' in body
    assert not EpisodeAction.objects.filter(episode=episode).exists()


def test_police_read_that_it_was_done_not_what_it_found(
    web: Any, client_for: Any, make_user: Any, episode: Any,
) -> None:
    web.post(f"/episodes/{episode.pk}/actions/risk_analysis", {
        **london_parts("at", timezone.now() - timedelta(minutes=20)), "immediate_risks": ["exploitation"],
    })
    police = client_for(make_user("police_liaison"))
    page = police.get(f"/episodes/{episode.pk}").content.decode()
    assert "Children&#x27;s services risk analysis recorded." in page or \
        "Children's services risk analysis recorded." in page
    assert "Sexual or criminal exploitation" not in page
    assert 'id="risk-analysis"' not in page
