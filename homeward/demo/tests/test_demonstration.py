"""The demonstration `homeward run` creates: built through the casework services in one
batch, it must store what the protocol engine plans, route every interview as the rules say,
keep an audit log that verifies, and give the worklists something due and overdue now."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from homeward.accounts.models import User
from homeward.casework.routing import episode_rhi_routing
from homeward.children.models import ChronologyEntry
from homeward.demo.follow_up import FollowUp
from homeward.demo.generator import DEMO_PASSWORD, DemoSize, demo_create, demo_create_if_empty
from homeward.episodes.models import Episode
from homeward.obligations.models import StoredObligation
from homeward.obligations.rows import STORED_FIELDS, planned_rows
from homeward.obligations.services import HORIZON, episode_obligations_evaluate
from homeward.protocol.obligation import Obligation


def _stored(episode: Episode) -> dict[tuple[str, int], dict[str, Any]]:
    return {(row.code, row.instance): {name: getattr(row, name) for name in STORED_FIELDS}
            for row in StoredObligation.objects.filter(episode=episode)}


def _planned(episode: Episode) -> dict[tuple[str, int], dict[str, Any]]:
    """What a refresh at the instant the rows were stored gives."""
    at = episode.obligation_state.refreshed_at
    return {(row.code, row.instance): {name: getattr(row, name) for name in STORED_FIELDS}
            for row in planned_rows(episode, now=at, through=at + HORIZON)}


@pytest.mark.django_db
def test_the_demonstration_stores_what_the_engine_plans_and_its_audit_log_verifies(monkeypatch: Any) -> None:
    # The follow-up decides on the facts it keeps as it records (`FactsSoFar`): at the end of
    # each episode's follow-up they must be the episode's facts as read from the database.
    decided = FollowUp.close_if_done
    followed_up: list[int] = []

    def check(self: FollowUp, episode: Episode, obligations: tuple[Obligation, ...]) -> None:
        assert obligations == episode_obligations_evaluate(episode, self.now), f"episode {episode.pk}"
        followed_up.append(episode.pk)
        decided(self, episode, obligations)

    monkeypatch.setattr(FollowUp, "close_if_done", check)
    now = timezone.now()
    progress: list[str] = []
    counts = demo_create(size=DemoSize(), now=now, progress=progress.append)
    assert len(followed_up) == counts["episodes"] - counts["open"]

    episodes = list(Episode.objects.select_related("child", "obligation_state", "rhi_authority"))
    assert len(episodes) == counts["episodes"] >= 120 and counts["open"] >= 5
    for episode in episodes:
        assert _stored(episode) == _planned(episode), f"episode {episode.pk} ({episode.status})"
        routing = episode_rhi_routing(episode)
        assert episode.rhi_authority is not None and episode.rhi_authority.code == routing.authority
        assert (episode.rhi_out_of_area, episode.rhi_chargeable) == (routing.out_of_area, routing.chargeable)
    assert StoredObligation.objects.count() > 1000
    assert ChronologyEntry.objects.count() > 1000

    # Worklists have something true to show now: duties pending and overdue, for someone.
    statuses = {o.status for episode in episodes for o in episode_obligations_evaluate(episode, now)
                if not o.for_information}
    assert {"pending", "overdue", "done", "not_done"} <= statuses

    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "The audit log is intact" in out.getvalue()

    # It said what it was doing as it went.
    assert progress[0].startswith("Creating demonstration data")
    assert any("episodes of 40 of 40 children" in line for line in progress)
    assert "stored obligations" in progress[-1]


@pytest.mark.django_db
def test_the_demonstration_is_made_once() -> None:
    """`homeward run` calls it on every start: a database with children is left alone."""
    made = demo_create_if_empty(size=DemoSize(children=4))
    assert "4 children" in made and "coordinator" in made
    episodes = Episode.objects.count()
    assert demo_create_if_empty(size=DemoSize(children=4)) == ""
    assert Episode.objects.count() == episodes
    # Every account has the published password, hashed once for all.
    people = list(User.objects.all())
    assert len(people) == 16 and all(person.check_password(DEMO_PASSWORD) for person in people)
    # The exploitation (CSE/CCE) team has its account too (ADR 0016).
    assert User.objects.get(username="exploitation").role == "exploitation_team"
