"""The pages through Django's test client: sign-in, access, audit, the report flow, errors."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from homeward.audit.models import AuditEntry
from homeward.casework.episodes import episode_report
from homeward.children.models import Child, PhilomenaProfile, ResponsibleAdult
from homeward.episodes.models import Episode, EpisodeStatus, RiskGrading

from .conftest import london_parts

pytestmark = pytest.mark.django_db


def _episode(coordinator: Any, child: Any, **overrides: Any) -> Episode:
    values: dict[str, Any] = {
        "reported_at": timezone.now() - timedelta(hours=2), "reported_by": "police",
        "last_seen_at": timezone.now() - timedelta(hours=3), "classification": "missing",
        "risk_level": "medium", "police_force": "northamptonshire", "police_reference": f"NP-{child.pk}",
    }
    values.update(overrides)
    return episode_report(actor=coordinator, child=child, **values).episode


@pytest.mark.parametrize("path", ["/", "/missing-now", "/search", "/report", "/children/1", "/episodes/1"])
def test_every_page_needs_sign_in(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in?next=")


def test_sign_in_with_a_demonstration_style_account_reaches_the_home_page(client: Client, make_user: Any) -> None:
    make_user("coordinator", username="priya")
    response = client.post("/sign-in", {"username": "priya", "password": "a-long-test-password"}, follow=True)
    assert response.status_code == 200
    assert b"Your work" in response.content
    assert "homeward_person" in response.cookies or "homeward_person" in client.cookies


def test_a_wrong_password_shows_the_error_summary(client: Client, make_user: Any) -> None:
    make_user("coordinator", username="priya")
    response = client.post("/sign-in", {"username": "priya", "password": "nope"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Sign in" in body
    assert 'class="govuk-error-summary"' in body
    assert 'href="#id_username">Enter a correct username and password' in body


def test_sign_out_is_a_post_and_ends_the_session(web: Client) -> None:
    assert web.get("/").status_code == 200
    response = web.post("/sign-out")
    assert response.status_code == 302
    assert web.get("/").status_code == 302


def test_search_finds_by_name_date_of_birth_case_id_and_police_reference_and_is_audited(
    web: Client, coordinator: Any, make_child: Any,
) -> None:
    child = make_child(given_name="Ella", family_name="Morgan", date_of_birth=date(2011, 5, 17), external_id="MOS42")
    make_child(given_name="Sam", family_name="Other", date_of_birth=date(2012, 1, 1))
    _episode(coordinator, child, police_reference="NN-2026-77")
    for query in ("ella morgan", "17/05/2011", "2011-05-17", "mos42", "NN-2026-77"):
        body = web.get("/search", {"q": query}).content.decode()
        assert "1 child found" in body, query
        assert f'href="/children/{child.pk}"' in body
    searches = AuditEntry.objects.filter(action="search", user=coordinator)
    assert searches.count() == 5
    assert searches.first().detail["query"] == "ella morgan"


def test_search_only_finds_children_the_person_may_see(client_for: Any, make_user: Any, make_child: Any) -> None:
    make_child(given_name="Hidden", family_name="Child")
    social_worker = make_user("social_worker", team="Other Team")
    body = client_for(social_worker).get("/search", {"q": "hidden"}).content.decode()
    assert "0 children found" in body


def test_an_empty_search_gets_an_error_message(web: Client) -> None:
    body = web.get("/search", {"q": ""}).content.decode()
    assert 'href="#id_q">Enter a name, date of birth' in body
    assert 'aria-describedby="id_q-hint id_q-error"' in body


def test_report_a_new_looked_after_child_placed_in_a_neighbouring_authority(web: Client) -> None:
    response = web.post("/report/new-child", {
        "given_name": "Jade", "family_name": "Nowak", "date_of_birth_day": "3", "date_of_birth_month": "4",
        "date_of_birth_year": "2012", "sex": "female", "external_id": "MOS9001", "legal_status": "looked_after",
        "responsible_authority": "941", "placement_authority": "855", "placement_provider": "Hill House",
    })
    child = Child.objects.get(external_id="MOS9001")
    assert response.status_code == 302
    assert response["Location"] == f"/report/children/{child.pk}"
    assert child.placements.get().authority.code == "855"

    reported = timezone.now() - timedelta(minutes=30)
    response = web.post(f"/report/children/{child.pk}", {
        **london_parts("reported_at", reported), **london_parts("last_seen_at", reported - timedelta(hours=1)),
        "reported_by": "placement_provider", "classification": "missing", "missing_from": "care",
        "location_last_seen": "Hill House", "risk_level": "medium", "police_force": "leicestershire",
        "police_reference": "LP-1",
    })
    episode = Episode.objects.get(child=child)
    assert response.status_code == 302
    assert response["Location"] == f"/episodes/{episode.pk}"
    assert episode.status == EpisodeStatus.OPEN
    assert abs((episode.reported_at - reported).total_seconds()) < 60


def test_a_new_child_form_keeps_what_was_typed_and_names_each_error(web: Client, make_child: Any) -> None:
    make_child(external_id="MOS1")
    response = web.post("/report/new-child", {
        "given_name": "Jade", "family_name": "", "date_of_birth_day": "31", "date_of_birth_month": "2",
        "date_of_birth_year": "2012", "external_id": "MOS1", "legal_status": "looked_after",
        "responsible_authority": "941",
    })
    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="Jade"' in body
    assert 'href="#id_family_name">Enter the child&#x27;s family name' in body
    assert 'href="#id_date_of_birth_day">Date of birth must be a real date' in body
    assert 'href="#id_sex">Select the child&#x27;s sex' in body
    assert not Child.objects.filter(given_name="Jade").exists()


def test_a_service_error_is_shown_against_its_field(web: Client, make_child: Any) -> None:
    make_child(external_id="MOS1")
    response = web.post("/report/new-child", {
        "given_name": "Jade", "family_name": "Nowak", "date_of_birth_day": "3", "date_of_birth_month": "4",
        "date_of_birth_year": "2012", "sex": "female", "external_id": "MOS1", "legal_status": "looked_after",
        "responsible_authority": "941",
    })
    body = response.content.decode()
    assert 'href="#id_external_id">A child with case-system id' in body
    assert 'id="id_external_id-error"' in body


def test_reporting_a_child_who_is_already_missing_says_so(web: Client, coordinator: Any, make_child: Any) -> None:
    child = make_child()
    _episode(coordinator, child)
    response = web.post(f"/report/children/{child.pk}", {
        **london_parts("reported_at", timezone.now()), "reported_by": "police", "classification": "missing",
    })
    assert response.status_code == 200
    assert "already has an open episode" in response.content.decode()
    assert Episode.objects.filter(child=child).count() == 1


def test_a_child_missing_now_leads_to_their_open_episode_rather_than_a_new_report(
    web: Client, coordinator: Any, make_child: Any,
) -> None:
    """Found trying the demonstration: the search offered to report a child already missing,
    and only the submitted form said so."""
    missing, at_home = make_child(given_name="Grace", family_name="Patel"), make_child(given_name="Grace",
                                                                                       family_name="Okafor")
    episode = _episode(coordinator, missing)
    found = web.get("/report", {"q": "Grace"}).content.decode()
    assert f'href="/episodes/{episode.pk}">Go to the open episode' in found
    assert f'href="/report/children/{missing.pk}"' not in found
    assert f'href="/report/children/{at_home.pk}">Report Grace Okafor missing' in found
    form = web.get(f"/report/children/{missing.pk}").content.decode()
    assert "Grace Patel is missing now" in form and f'href="/episodes/{episode.pk}">go to the open episode' in form
    assert "is missing now" not in web.get(f"/report/children/{at_home.pk}").content.decode()


def test_regrade_reclassify_found_and_cancel_through_the_pages(web: Client, coordinator: Any, make_child: Any) -> None:
    child = make_child()
    episode = _episode(coordinator, child)
    now = timezone.now()
    response = web.post(f"/episodes/{episode.pk}/risk", {
        "risk_level": "high", **london_parts("graded_at", now), "graded_by": "Insp. Shah", "rationale": "CSE",
    })
    assert response.status_code == 302
    assert RiskGrading.objects.filter(episode=episode, risk_level="high").exists()
    response = web.post(f"/episodes/{episode.pk}/classification", {
        "classification": "absent", **london_parts("at", now), "rationale": "Seen at a friend's",
    })
    assert response.status_code == 302
    response = web.post(f"/episodes/{episode.pk}/found", {**london_parts("found_at", now), "found_by": "Police"})
    assert response.status_code == 302
    episode.refresh_from_db()
    assert (episode.status, episode.risk_level, episode.classification) == ("returned", "high", "absent")
    page = web.get(f"/episodes/{episode.pk}").content.decode()
    assert "Risk graded high by Insp. Shah: CSE" in page
    assert web.post(f"/episodes/{episode.pk}/cancel", {"reason": ""}).status_code == 200
    assert web.post(f"/episodes/{episode.pk}/cancel", {"reason": "In error"}).status_code == 302


def test_a_found_time_before_the_child_went_missing_is_refused_on_its_field(
    web: Client, coordinator: Any, make_child: Any,
) -> None:
    episode = _episode(coordinator, make_child())
    response = web.post(f"/episodes/{episode.pk}/found", london_parts("found_at", timezone.now() - timedelta(days=2)))
    assert 'href="#id_found_at_day">Found cannot be before the child went missing' in response.content.decode()


def test_a_role_that_may_not_regrade_gets_the_403_page(client_for: Any, make_user: Any, coordinator: Any,
                                                        make_child: Any) -> None:
    child = make_child()
    episode = _episode(coordinator, child)
    response = client_for(make_user("iro")).post(f"/episodes/{episode.pk}/risk", {})
    assert response.status_code == 404  # an IRO not allocated to the child does not see it
    child.iro = make_user("iro", username="the.iro")
    child.save()
    response = client_for(child.iro).post(f"/episodes/{episode.pk}/risk", {
        "risk_level": "high", **london_parts("graded_at", timezone.now()),
    })
    assert response.status_code == 403
    assert "You cannot do this" in response.content.decode()
    assert not RiskGrading.objects.filter(episode=episode, risk_level="high").exists()


def test_a_child_who_is_not_visible_gets_the_404_page(client_for: Any, make_user: Any, make_child: Any) -> None:
    child = make_child()
    response = client_for(make_user("social_worker", team="Elsewhere")).get(f"/children/{child.pk}")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_the_child_page_shows_status_history_people_profile_and_chronology_and_is_audited(
    web: Client, coordinator: Any, make_child: Any,
) -> None:
    child = make_child(placement={"authority": "855", "provider": "Hill House"})
    ResponsibleAdult.objects.create(child=child, name="Dawn Child", relationship="Mother")
    PhilomenaProfile.objects.create(child=child, description="Tall, red hair", risk_cse=True)
    _episode(coordinator, child)
    body = web.get(f"/children/{child.pk}").content.decode()
    for text in ("Looked after", "Hill House", "Dawn Child", "parental responsibility", "Tall, red hair",
                 "Child sexual exploitation", "Reported missing by police", "Child recorded"):
        assert text in body, text
    assert AuditEntry.objects.filter(action="view", object_type="child", child=child).exists()


def test_the_philomena_profile_prints_and_downloads_as_a_pdf_which_is_audited(
    web: Client, coordinator: Any, make_child: Any,
) -> None:
    child = make_child()
    PhilomenaProfile.objects.create(child=child, description="Tall, red hair", places_frequented="Bus station")
    assert "Bus station" in web.get(f"/children/{child.pk}/philomena").content.decode()
    response = web.get(f"/children/{child.pk}/philomena.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="export", object_type="philomena_profile", child=child).exists()


def test_the_board_lists_open_episodes_with_escalations(web: Client, coordinator: Any, make_child: Any) -> None:
    long_gone = make_child(given_name="Long", family_name="Gone", placement={"authority": "855", "provider": "Hill"})
    _episode(coordinator, long_gone, reported_at=timezone.now() - timedelta(hours=80),
             last_seen_at=timezone.now() - timedelta(hours=81), risk_level="high")
    body = web.get("/missing-now").content.decode()
    assert "Long Gone" in body
    assert "Over 72 hours" in body
    assert "High risk" in body
    assert "Hill, Leicestershire" in body or "Hill," in body


def test_the_board_filters_by_who_the_child_is_allocated_to(
    client_for: Any, coordinator: Any, make_user: Any, make_child: Any,
) -> None:
    """The board's owner filter: children allocated to me, to my team, or to no worker."""
    me = make_user("social_worker", team="North", username="sw.me")
    make_user("social_worker", team="North", username="sw.colleague")
    now = timezone.now()
    for name, worker, team in (("Mine", "sw.me", "North"), ("Teams", "sw.colleague", "North"),
                               ("Nobodys", None, None)):
        _episode(coordinator, make_child(given_name=name, family_name="Child", allocated_worker=worker, team=team),
                 reported_at=now - timedelta(hours=2), last_seen_at=now - timedelta(hours=3))
    worker, manager = client_for(me), client_for(coordinator)

    def shown(web: Client, owner: str) -> set[str]:
        body = web.get("/missing-now", {"owner": owner} if owner else {}).content.decode()
        return {name for name in ("Mine", "Teams", "Nobodys") if f"{name} Child" in body}

    # The social worker sees their team's children; the co-ordinator the whole authority's.
    assert shown(worker, "") == {"Mine", "Teams"} and shown(worker, "me") == {"Mine"}
    assert shown(worker, "my_team") == {"Mine", "Teams"} and shown(worker, "none") == set()
    assert shown(manager, "") == {"Mine", "Teams", "Nobodys"} and shown(manager, "none") == {"Nobodys"}
    assert shown(manager, "my_team") == set()  # the co-ordinator has no team
    body = worker.get("/missing-now", {"owner": "me"}).content.decode()
    assert "1 open episode matching these filters" in body
    wrong = worker.get("/missing-now", {"owner": "everyone"}).content.decode()
    assert "Select who the child is allocated to from the list" in wrong


def test_the_board_filters_sorts_and_pages_in_the_database(web: Client, coordinator: Any, make_child: Any) -> None:
    """Issue 11: thousands missing at once at national scale; the board is read a page at a time."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from homeward.web.views import board

    now = timezone.now()
    for n in range(3):
        _episode(coordinator, make_child(given_name=f"Low{n}", family_name="Child"),
                 reported_at=now - timedelta(hours=10 + n), last_seen_at=now - timedelta(hours=11 + n),
                 risk_level="low")
    _episode(coordinator, make_child(given_name="Risky", family_name="Child"), reported_at=now - timedelta(hours=2),
             last_seen_at=now - timedelta(hours=3), risk_level="high")
    body = web.get("/missing-now", {"risk": "high"}).content.decode()
    assert "Risky Child" in body and "Low0 Child" not in body
    assert "1 open episode matching these filters" in body
    by_risk = web.get("/missing-now", {"sort": "risk"}).content.decode()
    assert by_risk.index("Risky Child") < by_risk.index("Low2 Child")
    by_hours = web.get("/missing-now").content.decode()
    assert by_hours.index("Low2 Child") < by_hours.index("Risky Child")
    original = board.BOARD_PAGE_SIZE
    board.BOARD_PAGE_SIZE = 2
    try:
        first = web.get("/missing-now").content.decode()
        second = web.get("/missing-now", {"page": "2"}).content.decode()
        with CaptureQueriesContext(connection) as few:
            web.get("/missing-now")
        board.BOARD_PAGE_SIZE = 1
        with CaptureQueriesContext(connection) as fewer:
            web.get("/missing-now")
    finally:
        board.BOARD_PAGE_SIZE = original
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert ("Low2 Child" in first) and ("Low2 Child" not in second)
    assert len(fewer) == len(few)  # the page's queries do not grow with its rows
    assert web.get("/missing-now", {"risk": "purple"}).status_code == 200  # a bad filter says so, not a 500
    assert "Select a risk from the list" in web.get("/missing-now", {"risk": "purple"}).content.decode()


def test_a_form_sent_after_the_session_ended_is_kept_for_the_same_person(
    client: Client, make_user: Any, make_child: Any,
) -> None:
    make_user("coordinator", username="priya")
    child = make_child()
    client.post("/sign-in", {"username": "priya", "password": "a-long-test-password"})
    client.session.flush()
    client.cookies.pop("sessionid", None)
    response = client.post(f"/report/children/{child.pk}", {
        "reporter_name": "Night staff at Hill House", "reported_by": "placement_provider",
        "circumstances": "Left by the back door",
    })
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in?next=")
    next_url = parse_qs(urlsplit(response["Location"]).query)["next"][0]
    response = client.post("/sign-in", {"username": "priya", "password": "a-long-test-password", "next": next_url})
    assert response.status_code == 302
    assert "draft=" in response["Location"]
    body = client.get(response["Location"]).content.decode()
    assert "You were signed out before this form was sent" in body
    assert 'value="Night staff at Hill House"' in body
    assert "Left by the back door" in body
    # Once only.
    again = client.get(response["Location"]).content.decode()
    assert "Night staff at Hill House" not in again


def test_a_kept_draft_is_never_shown_to_someone_else(client: Client, make_user: Any, make_child: Any) -> None:
    make_user("coordinator", username="priya")
    make_user("coordinator", username="marcus")
    child = make_child()
    client.post("/sign-in", {"username": "priya", "password": "a-long-test-password"})
    client.cookies.pop("sessionid", None)
    response = client.post(f"/report/children/{child.pk}", {"reporter_name": "Secret detail"})
    next_url = parse_qs(urlsplit(response["Location"]).query)["next"][0]
    client.post("/sign-in", {"username": "marcus", "password": "a-long-test-password", "next": next_url})
    body = client.get(next_url).content.decode()
    assert "Secret detail" not in body
    assert "You were signed out" not in body
