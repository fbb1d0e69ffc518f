"""Every read and write of a child's records through the API and the pages leaves an audit
entry naming the child, the person and the channel (the endpoints and pages of the permission
matrices); searches, exports and imports leave one too."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from homeward.audit.models import AuditEntry
from homeward.audit.selectors import naming_child
from homeward.casework.episodes import episode_record_found, episode_report

from .test_page_permission_matrix import PAGES, Page, page_path
from .test_permission_matrix import ENDPOINTS, Endpoint, World, _person, call
from .test_permission_matrix import world as api_world

# The API matrix's world, as a fixture here too.
world = api_world

pytestmark = pytest.mark.django_db

# Reference data and the audit log itself are not a child's record; exports and imports span
# many children (test_exports_and_imports_are_audited). The reports that list children by id
# (weekly, performance, patterns) name this one once it is on them (_on_every_list).
# Exchange messages held for matching are about children not (yet) matched to a record: reading
# them is audited, naming each message (homeward/exchange/tests).
NOT_CHILD_DATA = {"codes", "audit log", "ssda903 missing", "annex a", "ssd missing", "import", "import job",
                  "exchange held",
                  "consultation counts"}
REPORTS = {"weekly report", "performance", "patterns"}


def _on_every_list(world: World) -> None:
    """The world's child on every list and report: the open episode found (at the bus station)
    and a third reported, last seen there, so the child is missing now, returned this week,
    repeat-missing (three episodes in the protocol's window) and at a place named twice; the
    earlier episode's interview, allocated to the practitioner, is under way."""
    now = timezone.now()
    episode_record_found(actor=world.coordinator, episode=world.episode, found_at=now - timedelta(hours=5),
                         found_location="Bus station")
    world.episode = episode_report(actor=world.coordinator, child=world.child, reported_at=now - timedelta(hours=2),
                                   reported_by="police", location_last_seen="Bus Station").episode


def _actor_for(endpoint: Endpoint) -> str:
    for role in ("coordinator", "admin", "police_liaison", "placement_provider", "auditor"):
        if role in endpoint.allowed and role not in endpoint.hidden_from:
            return role
    raise AssertionError(endpoint.name)


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.name not in NOT_CHILD_DATA],
                         ids=[e.name for e in ENDPOINTS if e.name not in NOT_CHILD_DATA])
def test_every_endpoint_audits_the_child(endpoint: Endpoint, world: World, api_for: Any) -> None:
    if endpoint.name in REPORTS:
        _on_every_list(world)
    endpoint.prepare(world)
    world.episode.refresh_from_db()
    person = _person(_actor_for(endpoint))
    client = api_for(person)
    last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = call(client, endpoint, world)
    assert 200 <= response.status_code < 300, response.content
    entries = AuditEntry.objects.filter(id__gt=last, user=person)
    assert entries.exists(), f"{endpoint.name} left no audit entry"
    assert all(e.channel == "api" for e in entries)
    if endpoint.name == "child create":
        assert entries.filter(action="create", object_type="child").exists()
    else:
        assert entries.filter(child=world.child).exists(), f"{endpoint.name} did not name the child"
    if endpoint.method != "get":
        assert entries.exclude(action="view").exists(), f"{endpoint.name} recorded no change"


EXPORTS = {"ssda903 missing": "export", "annex a": "export", "ssd missing": "export", "import": "create",
           "charges": "export"}


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_exports_and_imports_are_audited(name: str, world: World, api_for: Any) -> None:
    endpoint = next(e for e in ENDPOINTS if e.name == name)
    endpoint.prepare(world)
    person = _person("coordinator")
    last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = call(api_for(person), endpoint, world)
    assert 200 <= response.status_code < 300, response.content
    assert AuditEntry.objects.filter(id__gt=last, user=person, action=EXPORTS[name], channel="api").exists()
    if EXPORTS[name] == "export":
        # Each child the file carries is named, so the child's access log shows the export (issue 14).
        assert AuditEntry.objects.filter(naming_child(world.child.pk), id__gt=last, user=person,
                                         action="export").exists(), name


def test_reading_the_audit_log_is_itself_audited(api_for: Any, make_user: Any) -> None:
    auditor = make_user("auditor")
    assert api_for(auditor).get("/api/v1/audit").status_code == 200
    assert AuditEntry.objects.filter(user=auditor, object_type="audit_log").exists()


# The pages (channel "web") ------------------------------------------------------------------

# Pages that show or change a child's record, episode, interview or Philomena profile (the
# photo included: it is read on its own, so its reading is audited on its own).
CHILD_RECORD_PAGES = [p for p in PAGES if "{child}" in p.path or "{episode}" in p.path]
# Searches, exports and imports: not one child's page, but audited all the same.
SEARCH_AND_EXPORT = {"search": "search", "report: find the child": "search", "philomena pdf": "export",
                     "weekly report pdf": "export", "ssda903 missing csv": "export", "annex a xlsx": "export",
                     "ssd missing csv": "export", "import (send)": "create", "charges csv": "export"}


def _web_actor(page: Page) -> str:
    for role in ("coordinator", "admin", "social_worker", "placement_provider"):
        if role in page.allowed and role not in page.hidden_from:
            return role
    raise AssertionError(page.name)


def _web_entries(page: Page, world: World, settings: Any, tmp_path: Any, role: str = "") -> tuple[Any, Any, Any]:
    from django.test import Client

    settings.MEDIA_ROOT = tmp_path / "media"
    page.prepare(world)
    world.episode.refresh_from_db()
    person = _person(role or _web_actor(page))
    client = Client()
    client.force_login(person)
    last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    path = page_path(page, world)
    response = client.post(path, page.data(world)) if page.method == "post" else client.get(path)
    assert response.status_code == page.success, (page.name, response.status_code)
    return response, AuditEntry.objects.filter(id__gt=last, user=person), person


@pytest.mark.parametrize("page", CHILD_RECORD_PAGES, ids=[p.name for p in CHILD_RECORD_PAGES])
def test_every_page_of_a_childs_record_audits_the_child(page: Page, world: World, settings: Any,
                                                        tmp_path: Any) -> None:
    _, entries, _ = _web_entries(page, world, settings, tmp_path)
    assert entries.exists(), f"{page.name} left no audit entry"
    assert all(e.channel == "web" for e in entries)
    assert entries.filter(child=world.child).exists(), f"{page.name} did not name the child"
    if page.method == "post":
        assert entries.exclude(action="view").exists(), f"{page.name} recorded no change"


@pytest.mark.parametrize("name", sorted(SEARCH_AND_EXPORT))
def test_searches_exports_and_imports_through_the_pages_are_audited(name: str, world: World, settings: Any,
                                                                    tmp_path: Any) -> None:
    page = next(p for p in PAGES if p.name == name)
    _, entries, _ = _web_entries(page, world, settings, tmp_path)
    action = SEARCH_AND_EXPORT[name]
    assert entries.filter(action=action, channel="web").exists(), f"{name} left no {action} entry"
    if action == "search":
        # Each child a search lists is named, so the child's access log shows the search.
        assert entries.filter(child=world.child, object_type="child_search").exists(), name
    if name in ("ssda903 missing csv", "annex a xlsx", "ssd missing csv"):
        assert entries.filter(naming_child(world.child.pk), action="export").exists(), f"{name} did not name the child"


# Lists and reports that name children: one entry per child shown, naming the records shown
# (as the API's episode list and worklist). Each is asked for by someone who sees the world's
# child on it: the home page is the social worker's (the child is in their team), "My
# interviews" the practitioner's (the earlier episode's interview is theirs); "Overdue and
# unowned work" the co-ordinator's (the found episode's interview, allocated to nobody yet, is
# in the front door queue).
LIST_PAGES = {"home": "social_worker", "missing now": "coordinator", "weekly report": "coordinator",
              "weekly report pdf": "coordinator", "performance": "coordinator", "patterns": "coordinator",
              "interview pipeline": "coordinator", "my interviews": "rhi_practitioner",
              "overdue and unowned work": "coordinator"}


@pytest.mark.parametrize("name", sorted(LIST_PAGES))
def test_every_list_and_report_page_audits_each_child_it_names(name: str, world: World, settings: Any,
                                                               tmp_path: Any) -> None:
    page = next(p for p in PAGES if p.name == name)
    _on_every_list(world)
    response, entries, _ = _web_entries(page, world, settings, tmp_path, role=LIST_PAGES[name])
    episodes = set(world.child.episodes.values_list("pk", flat=True))
    if page.name != "weekly report pdf":
        links = re.compile(rf'href="/(children/{world.child.pk}|episodes/({"|".join(map(str, episodes))}))[/#?"]')
        assert links.search(response.content.decode()), f"{name} does not show the child: nothing to audit"
    action = "export" if page.name == "weekly report pdf" else "view"
    named = entries.filter(child=world.child, action=action, channel="web")
    assert named.count() == 1, f"{name} left {named.count()} {action} entries naming the child, not one"
    shown = set(named.get().detail["records"])
    assert shown and shown <= episodes, f"{name} named records {sorted(shown)}, not the child's episodes"
