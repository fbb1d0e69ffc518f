"""No page offers a link or a form its reader may not use.

For every role: sign in, open the home page, the 'Missing now' board, the child's page, the
episode's page, the report-a-missing-child pages (with a search that finds the child), the
return-interview pages, search and reports, wherever the role may open them; collect every
internal link (`<a href>`) and form (`<form action>`) on them; and GET each one as that
person. None may answer 403 (the role may not do this: the link should not have been shown)
or 404 (the person may not see what it names). GET only: a form's page is opened, never
submitted.

The world is the permission matrices' (one looked-after child every role but the auditor may
see), with a Philomena photo, a person with parental responsibility and a strategy meeting
action given to the police liaison officer, tried twice: while the child is missing (the
episode's own buttons) and once the child is back (no open episode: the child's page offers
to report them missing; the episode offers the return interview and closing).
"""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from homeward.accounts.roles import Role

from .test_page_permission_matrix import _adult, _photo
from .test_permission_matrix import World, _allocated, _meeting_action_for_police, _person
from .test_permission_matrix import world as api_world

world = api_world

pytestmark = pytest.mark.django_db

ROLES = sorted(Role.values)
# Links that are not pages of a child's case: signing out (a POST that would end the session),
# the static files and the API's description.
NOT_FOLLOWED = ("/sign-out", "/static/", "/api/")


class _Links(HTMLParser):
    """Every `<a href>` and `<form action>` of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.targets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        target = named.get("href") if tag == "a" else named.get("action") if tag == "form" else None
        if target:
            self.targets.append(target)


def internal_targets(html: str, page_path: str) -> set[str]:
    parser = _Links()
    parser.feed(html)
    found = set()
    for target in parser.targets:
        target = urldefrag(target)[0] or page_path
        parts = urlsplit(target)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue  # another site, mailto:, or a fragment of this page
        if target.startswith(NOT_FOLLOWED):
            continue
        found.add(target)
    return found


def _starting_pages(world: World) -> list[str]:
    return [
        reverse("web:home"), reverse("web:board"),
        reverse("web:child", args=[world.child.pk]), reverse("web:episode", args=[world.episode.pk]),
        reverse("web:philomena", args=[world.child.pk]),
        reverse("web:report") + f"?q={world.child.family_name}",
        reverse("web:search") + f"?q={world.child.family_name}",
        reverse("web:rhi_pipeline"), reverse("web:my_interviews"), reverse("web:reports"),
        reverse("web:report_episode", args=[world.child.pk]), reverse("web:rhi", args=[world.episode.pk]),
        *(reverse("web:episode", args=[pk]) for pk in world.child.episodes.values_list("pk", flat=True)),
    ]


def _dead_links(world: World) -> tuple[list[str], dict[str, set[str]]]:
    """Every link or form, on every page each role may open, that answers 403 or 404; and what
    each role followed."""
    wrong = []
    followed: dict[str, set[str]] = {}
    for role in ROLES:
        client = Client()
        client.force_login(_person(role))
        opened: dict[str, int] = {}

        def get(path: str, client: Client = client, opened: dict[str, int] = opened) -> Any:
            response = client.get(path)
            opened[path] = response.status_code
            return response

        for start in _starting_pages(world):
            response = get(start)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue  # a page this role may not open at all (the page matrices check which)
            for target in sorted(internal_targets(response.content.decode(), start)):
                status = opened[target] if target in opened else get(target).status_code
                if status in (403, 404):
                    wrong.append(f"{role}: {start} links to {target}, which answers {status}")
                followed.setdefault(role, set()).add(target)
    return wrong, followed


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _rich(world: World) -> None:
    """The Philomena photo, a person around the child, an action given to the police officer."""
    _photo(world)
    _adult(world)
    _meeting_action_for_police(world)


def _rich_returned_and_allocated(world: World) -> None:
    _rich(world)
    _allocated(world)


STAGES: dict[str, Callable[[World], None]] = {
    "missing": _rich,
    "returned_and_allocated": _rich_returned_and_allocated,
}


@pytest.mark.parametrize("stage", list(STAGES))
def test_no_page_offers_a_link_its_reader_may_not_follow(stage: str, world: World, media: None) -> None:
    STAGES[stage](world)
    world.episode.refresh_from_db()
    wrong, followed = _dead_links(world)
    assert not wrong, "\n".join(wrong)
    # The crawl went somewhere: the co-ordinator's buttons and the police officer's episode.
    assert reverse("web:episode_regrade", args=[world.episode.pk]) in followed["coordinator"]
    assert reverse("web:episode", args=[world.episode.pk]) in followed["police_liaison"]
    assert "auditor" not in followed or not any("/children/" in t for t in followed["auditor"])


def test_the_crawl_finds_links_and_would_catch_a_forbidden_one(world: World, media: None) -> None:
    """The collector sees the child page's report button, and the police officer's client is
    refused the form to record a new child: what the crawl above would report if it were shown."""
    client = Client()
    client.force_login(_person("coordinator"))
    _allocated(world)
    child_page = reverse("web:child", args=[world.child.pk])
    targets = internal_targets(client.get(child_page).content.decode(), child_page)
    assert reverse("web:report_episode", args=[world.child.pk]) in targets
    assert reverse("web:episode", args=[world.episode.pk]) in targets
    police = Client()
    police.force_login(_person("police_liaison"))
    assert police.get(reverse("web:report_new_child")).status_code == 403
