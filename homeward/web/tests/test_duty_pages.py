"""What is due, in plain English, on the pages (issue 10): the episode's duties as sentences
with the rule behind a "Why this is due" toggle, their owners and their end (missed, not
done); the placing authority's duties for information; the M/A history and its page; each
person's own worklist; the co-ordinator's and MCT's 'Overdue and unowned work'; the
performance page's duties."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from homeward.audit.models import AuditEntry
from homeward.casework.episodes import episode_close, episode_record_found, episode_report
from homeward.episodes.models import Episode, WhereaboutsChange
from homeward.obligations.models import StoredObligation
from homeward.protocol.explain import when

from .conftest import london_parts

pytestmark = pytest.mark.django_db

NORTH = "Children in Care North"


def _missing(coordinator: Any, child: Any, hours: float = 3) -> Episode:
    return episode_report(actor=coordinator, child=child, reported_at=timezone.now() - timedelta(hours=hours),
                          reported_by="parent_carer", classification="missing").episode


def _text(page: str) -> str:
    """The page's words, without tags or repeated spaces."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


# The episode page ---------------------------------------------------------------------------


def test_each_duty_reads_as_a_sentence_with_its_rule_behind_a_toggle_and_its_owner(
    web: Client, coordinator: Any, make_user: Any, make_child: Any,
) -> None:
    make_user("social_worker", team=NORTH)
    child = make_child(given_name="Jade", team=NORTH)
    episode = _missing(coordinator, child)
    body = web.get(f"/episodes/{episode.pk}").content.decode()
    police = episode.obligations.get(code="police_informed")
    sentence = f"Make sure the police know Jade is missing within 1 hour of the report: by {when(police.due_at)}."
    assert sentence in _text(body)
    assert '<span class="govuk-details__summary-text">Why this is due' in body
    assert police.basis["policy_value"] in body  # the rule trace, as before, inside the toggle
    assert "Children in Care North queue" in body  # no allocated worker: the team's queue
    assert 'class="govuk-tag govuk-tag--red">Overdue' in body
    assert f'href="/episodes/{episode.pk}/actions/police_informed"' in body


def test_only_rows_listed_by_now_are_shown(web: Client, coordinator: Any, make_child: Any) -> None:
    episode = _missing(coordinator, make_child(given_name="Mia"), hours=30)
    ahead = StoredObligation.objects.filter(episode=episode, listed_from__gt=timezone.now())
    assert ahead.exists()  # stored 8 days ahead: tomorrow's carer update and more
    body = _text(web.get(f"/episodes/{episode.pk}").content.decode())
    for row in ahead:
        assert f"Obtain update {row.instance} on Mia" not in body
    assert "Obtain update 1 on Mia from the carer" in body or "Obtain today's update on Mia" in body


def test_missed_and_not_done_duties_say_so_with_the_managers_reason(
    web: Client, coordinator: Any, make_child: Any,
) -> None:
    episode = _missing(coordinator, make_child(given_name="Lily"), hours=60)
    now = timezone.now()
    episode_record_found(actor=coordinator, episode=episode, found_at=now - timedelta(hours=2))
    episode_close(actor=coordinator, episode=Episode.objects.get(pk=episode.pk), closed_at=now - timedelta(hours=1),
                  reason="Moved to Kent, who have taken the case on")
    body = web.get(f"/episodes/{episode.pk}").content.decode()
    assert 'govuk-tag--orange">Missed' in body  # the first daily carer update lapsed while she was missing
    assert 'govuk-tag--purple">Not done' in body
    assert "Moved to Kent, who have taken the case on" in body


def test_the_placing_authoritys_duties_are_for_information_without_record_links(
    web: Client, coordinator: Any, make_child: Any,
) -> None:
    child = make_child(given_name="Ava", responsible_authority="855",
                       placement={"authority": "941", "started_on": timezone.now().date() - timedelta(days=100)})
    episode = _missing(coordinator, child)
    info = StoredObligation.objects.filter(episode=episode, for_information=True)
    assert info.filter(code="risk_analysis").exists()
    body = web.get(f"/episodes/{episode.pk}").content.decode()
    assert "For information: the placing authority's duties" in body
    section = body[body.index('id="placing-authority-duties"'):]
    section = section[:section.index("</table>")]
    assert "For information, the placing authority's duty: complete the risk analysis for Ava" in _text(section)
    assert "/actions/" not in section  # never a record link
    ours = body[body.index('id="obligations"'):body.index('id="placing-authority-duties"')]
    assert "the risk analysis for Ava" not in ours


def test_the_whereabouts_history_and_its_change_page(web: Client, client_for: Any, coordinator: Any,
                                                     make_user: Any, make_child: Any) -> None:
    episode = _missing(coordinator, make_child())
    body = web.get(f"/episodes/{episode.pk}").content.decode()
    assert "Missing: whereabouts not known (M)</strong>" in body
    assert f'href="/episodes/{episode.pk}/whereabouts">Change missing or away</a>' in body
    form = web.get(f"/episodes/{episode.pk}/whereabouts").content.decode()
    assert "Change missing or away" in form and 'name="whereabouts_known"' in form and 'value="away"' in form

    # Errors name the field, and nothing is stored.
    empty = web.post(f"/episodes/{episode.pk}/whereabouts", {"rationale": "At a friend's"}).content.decode()
    assert '<a href="#id_whereabouts_known">Select missing or away</a>' in empty
    assert 'href="#id_at_day">Enter when it changed' in empty and "At a friend&#x27;s</textarea>" in empty
    before = web.post(f"/episodes/{episode.pk}/whereabouts", {
        "whereabouts_known": "away", **london_parts("at", episode.reported_at - timedelta(hours=1)),
    }).content.decode()
    assert 'href="#id_at_day">A change cannot come before the report.' in before
    assert WhereaboutsChange.objects.filter(episode=episode).count() == 1  # as reported

    response = web.post(f"/episodes/{episode.pk}/whereabouts", {
        "whereabouts_known": "away", **london_parts("at", timezone.now() - timedelta(minutes=30)),
        "rationale": "Police found her at a friend's address",
    })
    assert response.status_code == 302 and response["Location"] == f"/episodes/{episode.pk}"
    episode.refresh_from_db()
    assert episode.whereabouts_known is True
    body = web.get(f"/episodes/{episode.pk}").content.decode()
    assert "Away: whereabouts known (A)</strong>" in body and "Police found her at a friend&#x27;s address" in body
    # Someone who may not see the child: 404, whatever their role.
    assert client_for(make_user("iro")).get(f"/episodes/{episode.pk}/whereabouts").status_code == 404
    assert client_for(make_user("rhi_practitioner")).post(f"/episodes/{episode.pk}/whereabouts", {}).status_code == 404


def test_a_role_that_may_not_change_the_whereabouts_gets_the_403_page(
    client_for: Any, coordinator: Any, make_user: Any, make_child: Any,
) -> None:
    iro = make_user("iro", username="iro.one")
    child = make_child(iro="iro.one")
    episode = _missing(coordinator, child)
    client = client_for(iro)
    assert client.get(f"/episodes/{episode.pk}").status_code == 200
    assert "Change missing or away" not in client.get(f"/episodes/{episode.pk}").content.decode()
    assert client.get(f"/episodes/{episode.pk}/whereabouts").status_code == 403
    assert client.post(f"/episodes/{episode.pk}/whereabouts", {
        "whereabouts_known": "away", **london_parts("at", timezone.now())}).status_code == 403
    assert WhereaboutsChange.objects.filter(episode=episode).count() == 1


# The home worklist ---------------------------------------------------------------------------


def test_the_worklist_is_the_persons_own_with_sentences_owners_and_the_rule(
    client_for: Any, coordinator: Any, make_user: Any, make_child: Any,
) -> None:
    north = make_user("social_worker", team=NORTH, username="sw.north")
    south = make_user("social_worker", team="Children in Care South")
    teamed = _missing(coordinator, make_child(given_name="Jade", team=NORTH))
    unteamed = _missing(coordinator, make_child(given_name="Zara"))

    own = client_for(north).get("/").content.decode()
    text = _text(own)
    assert "Make sure the police know Jade is missing within 1 hour of the report" in text
    assert "Owner: Children in Care North queue" in text
    assert "Why this is due" in own and f'action="/episodes/{teamed.pk}/actions/police_informed"' in own
    assert "Zara" not in text  # no team: the front door's, not theirs
    assert "Jade" not in _text(client_for(south).get("/").content.decode())  # another team's queue

    front_door = _text(client_for(coordinator).get("/").content.decode())
    assert "Make sure the police know Zara is missing" in front_door and "Owner: Front door (MASH) queue" in front_door
    assert "Make sure the police know Jade" not in front_door  # the team's, with its own queue
    assert f'href="/episodes/{unteamed.pk}"' in client_for(coordinator).get("/").content.decode()


def test_the_unowned_work_link_is_for_the_coordinator_and_the_mct(client_for: Any, coordinator: Any,
                                                                  make_user: Any) -> None:
    assert 'href="/work">Overdue and unowned work</a>' in client_for(coordinator).get("/").content.decode()
    assert 'href="/work"' in client_for(make_user("mct_admin")).get("/").content.decode()
    for role in ("social_worker", "team_manager", "police_liaison"):
        assert 'href="/work"' not in client_for(make_user(role)).get("/").content.decode()


# Overdue and unowned work ---------------------------------------------------------------------


@pytest.fixture
def authority(coordinator: Any, make_user: Any, make_child: Any) -> dict[str, Any]:
    """A child of the north team (its duties in the team's queue, some overdue), one with no
    team (the front door's), and one whose worker was allocated (their own)."""
    make_user("social_worker", team=NORTH, username="sw.north")
    worker = make_user("social_worker", team="Children in Care South", username="sw.south")
    return {
        "teamed": _missing(coordinator, make_child(given_name="Jade", family_name="North", team=NORTH)),
        "front_door": _missing(coordinator, make_child(given_name="Zara", family_name="Nobody"), hours=0.2),
        "allocated": _missing(coordinator, make_child(given_name="Omar", family_name="South",
                                                      team="Children in Care South", allocated_worker="sw.south"),
                              hours=5),
        "worker": worker,
    }


def test_unowned_work_lists_overdue_and_front_door_duties_and_audits_each_child(
    web: Client, coordinator: Any, authority: dict[str, Any],
) -> None:
    last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    body = web.get("/work").content.decode()
    text = _text(body)
    assert "Overdue and unowned work" in text
    # Overdue anywhere: the north team's police duty, Omar's (his worker's own).
    assert "Make sure the police know Jade is missing" in text and "Make sure the police know Omar" in text
    # The front door queue: Zara's duties, not yet overdue.
    assert "Complete the risk analysis for Zara" in text and "Front door (MASH) queue" in text
    assert f'href="/episodes/{authority["front_door"].pk}#obligations"' in body
    assert 'id="id_team"' in body and 'id="id_role"' in body and 'id="id_code"' in body
    entries = AuditEntry.objects.filter(id__gt=last, user=coordinator, object_type="unowned_work")
    episodes = {authority[k].pk for k in ("teamed", "front_door", "allocated")}
    assert {e.child_id for e in entries} == {authority[k].child_id for k in ("teamed", "front_door", "allocated")}
    assert all(set(e.detail["records"]) <= episodes for e in entries)
    assert entries.count() == 3  # one per child shown


def test_unowned_work_filters_by_team_role_and_duty(web: Client, authority: dict[str, Any]) -> None:
    from homeward.accounts.models import Team

    north = Team.objects.get(name=NORTH)
    text = _text(web.get(f"/work?team={north.pk}").content.decode())
    assert "Jade" in text and "Zara" not in text and "Omar" not in text
    text = _text(web.get("/work?code=police_informed").content.decode())
    assert "Make sure the police know" in text and "risk analysis for" not in text
    text = _text(web.get("/work?role=team_manager").content.decode())
    assert "The strategy meeting must be held within 72 hours of Zara going missing" in text
    assert "Make sure the police know" not in text and "Jade" not in text  # the team's, not yet overdue
    # A value not in the list is an error on its field, linked from the summary; nothing listed.
    wrong = web.get("/work?team=99999&role=wizard&code=police_informed").content.decode()
    assert '<a href="#id_team">Select a team from the list</a>' in wrong
    assert '<a href="#id_role">Select a role from the list</a>' in wrong
    assert "govuk-select--error" in wrong and "Make sure the police know" not in wrong
    assert "<title>Error: Overdue and unowned work" in wrong


def test_unowned_work_is_paginated(web: Client, coordinator: Any, make_child: Any, monkeypatch: Any) -> None:
    from homeward.web.views import work

    monkeypatch.setattr(work, "PAGE_SIZE", 3)
    for n in range(2):
        _missing(coordinator, make_child(given_name=f"Child{n}"))
    first = web.get("/work").content.decode()
    assert 'class="govuk-pagination"' in first and 'href="?page=2" rel="next"' in first
    second = web.get("/work?code=&page=2").content.decode()
    assert 'rel="prev"' in second and 'href="?code=&amp;page=1"' in second


def test_unowned_work_is_for_the_coordinator_and_the_mct_only(client_for: Any, make_user: Any) -> None:
    assert client_for(make_user("mct_admin")).get("/work").status_code == 200
    for role in ("social_worker", "team_manager", "senior_manager", "police_liaison", "auditor", "admin"):
        assert client_for(make_user(role)).get("/work").status_code == 403, role


# Performance ----------------------------------------------------------------------------------


def test_the_performance_page_has_a_duties_table(web: Client, coordinator: Any, make_child: Any) -> None:
    episode = _missing(coordinator, make_child(), hours=60)
    now = timezone.now()
    episode_record_found(actor=coordinator, episode=episode, found_at=now - timedelta(hours=2))
    episode_close(actor=coordinator, episode=Episode.objects.get(pk=episode.pk), closed_at=now - timedelta(hours=1),
                  reason="Closed for the test")
    body = web.get("/reports/performance").content.decode()
    table = body[body.index('id="table-duties"'):]
    table = table[:table.index("</table>")]
    assert '<th scope="col" class="govuk-table__header govuk-table__header--numeric">Not done</th>' in table
    row = table[table.index('id="duty-police_informed"'):]
    row = row[:row.index("</tr>")]
    assert "Make sure the police have been told" in row
    cells = re.findall(r'govuk-table__cell--numeric">(\d+)</td>', row)
    assert cells == ["1", "0", "0", "0", "1", "0"]  # owed, in time, late, missed, not done, outstanding
    carer = table[table.index('id="duty-carer_update"'):]
    assert re.findall(r'govuk-table__cell--numeric">(\d+)</td>', carer[:carer.index("</tr>")])[3] != "0"


def test_an_episode_beyond_its_stored_rows_is_shown_as_the_engine_has_it_without_writing(
    web: Client, coordinator: Any, make_child: Any,
) -> None:
    from homeward.obligations.models import EpisodeObligationState

    episode = _missing(coordinator, make_child(given_name="Nia"), hours=30)
    # As if the worker had fallen behind: the stored rows end before now.
    StoredObligation.objects.filter(episode=episode, code="carer_update").delete()
    EpisodeObligationState.objects.filter(episode=episode).update(exact_until=timezone.now() - timedelta(hours=1))
    body = _text(web.get(f"/episodes/{episode.pk}").content.decode())
    assert "Obtain update 1 on Nia from the carer" in body and "Obtain today's update on Nia" in body
    assert not StoredObligation.objects.filter(episode=episode, code="carer_update").exists()
