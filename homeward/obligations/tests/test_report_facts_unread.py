"""A report builds its new episode's facts from what it wrote, not by reading them back, and
refreshes only the episodes starting at or after it (issue 11): the facts and the stored rows
are exactly those of a full read."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from homeward.casework.episodes import episode_cancel, episode_close, episode_record_found, episode_report
from homeward.obligations.facts import FactsBuilder, NewEpisodeRows
from homeward.obligations.models import StoredObligation
from homeward.obligations.rows import STORED_FIELDS, planned_rows
from homeward.obligations.selectors import stored_status
from homeward.obligations.services import HORIZON, episode_obligations_evaluate, obligations_refresh

pytestmark = pytest.mark.django_db


def _stored(episode: Any) -> dict[tuple[str, int], tuple[Any, ...]]:
    """The stored rows listed now, as the stateful test compares them with the engine."""
    now = timezone.now()
    return {(r.code, r.instance): (r.arises_at, r.due_at, r.done_at if stored_status(r, now) == "done" else None,
                                   stored_status(r, now), r.for_information)
            for r in StoredObligation.objects.filter(episode=episode, listed_from__lte=now)}


def _agrees(episode: Any) -> bool:
    episode.refresh_from_db()
    engine = {(o.code, o.instance): (o.arises_at, o.due_at, o.done_at, o.status, o.for_information)
              for o in episode_obligations_evaluate(episode, timezone.now())}
    return _stored(episode) == engine


@pytest.mark.parametrize("given", [
    {"classification": "missing", "risk_level": "high", "police_force": "northamptonshire", "police_reference": "NH-1"},
    {"classification": "absent", "risk_level": ""},
    {"classification": "missing", "risk_level": "low", "reported_by": "parent_carer"},
])
def test_a_new_episode_s_facts_are_those_a_full_read_gives(coordinator: Any, make_child: Any,
                                                            given: dict[str, str]) -> None:
    now = timezone.now().replace(microsecond=0)
    child = make_child(legal_status="looked_after", placement={"authority": "941", "provider": "Oakfield"})
    episode = episode_report(actor=coordinator, child=child, reported_at=now - timedelta(hours=5),
                             last_seen_at=now - timedelta(hours=7),
                             reported_by=given.get("reported_by", "police"),
                             classification=given["classification"], risk_level=given["risk_level"],
                             police_force=given.get("police_force", ""),
                             police_reference=given.get("police_reference", "")).episode
    read = FactsBuilder.for_child(child.pk).facts(episode).episode
    written = FactsBuilder.for_child(child.pk).facts(episode, new=NewEpisodeRows(
        classifications=read.classifications, risk_gradings=read.risk_gradings)).episode
    assert [c.classification for c in read.classifications] == [given["classification"]]
    assert [g.level for g in read.risk_gradings] == ([given["risk_level"]] if given["risk_level"] else [])
    assert written == read
    assert _stored(episode), "a report owes duties"
    assert _agrees(episode)


def test_a_late_report_refreshes_the_later_episodes_and_a_cancellation_too(coordinator: Any, make_child: Any) -> None:
    """Two episodes, then a third reported late between them: the later one becomes a repeat
    (3 within 90 days by default) and its rows change; cancelling the late one changes them back."""
    now = timezone.now().replace(microsecond=0)
    child = make_child()
    episodes = []
    for days in (40, 10):
        episode = episode_report(actor=coordinator, child=child, reported_at=now - timedelta(days=days),
                                 reported_by="parent_carer", classification="missing").episode
        episode_record_found(actor=coordinator, episode=episode, found_at=now - timedelta(days=days - 1))
        episodes.append(episode)
    first, last = episodes
    assert _agrees(first) and _agrees(last)
    before = _stored(last)
    late = episode_report(actor=coordinator, child=child, reported_at=now - timedelta(days=25),
                          reported_by="parent_carer", classification="missing", imported_from="case system",
                          found_at=now - timedelta(days=24)).episode
    last.refresh_from_db()
    assert _stored(last) != before, "the later episode is now a repeat"
    assert _agrees(last) and _agrees(first) and _agrees(late)
    episode_cancel(actor=coordinator, episode=late, reason="Entered twice.")
    last.refresh_from_db()
    assert _stored(last) == before
    episode_close(actor=coordinator, episode=first, closed_at=now - timedelta(days=30), reason="Back home, settled.")
    assert _agrees(first) and _agrees(last)


def test_a_report_s_rows_written_as_json_are_those_a_full_refresh_stores(coordinator: Any, make_child: Any) -> None:
    """A report writes its new episode's planned rows as they are (`planned_documents`, no
    instances): every stored field is what a full refresh at the same instant plans, so that
    refresh changes nothing."""
    now = timezone.now().replace(microsecond=0)
    child = make_child(legal_status="looked_after", placement={"authority": "941", "provider": "Oakfield"})
    episode = episode_report(actor=coordinator, child=child, reported_at=now - timedelta(hours=5),
                             last_seen_at=now - timedelta(hours=7), reported_by="police", classification="missing",
                             risk_level="high", police_force="northamptonshire", police_reference="NH-7").episode
    stored = {(r.code, r.instance): r for r in StoredObligation.objects.filter(episode=episode)}
    refreshed_at = {r.refreshed_at for r in stored.values()}
    assert len(refreshed_at) == 1 and len(stored) > 5
    at = refreshed_at.pop()
    episode.refresh_from_db()
    planned = {(r.code, r.instance): r for r in planned_rows(episode, now=at, through=at + HORIZON)}
    assert set(stored) == set(planned)
    for key, row in stored.items():
        assert {name: getattr(row, name) for name in STORED_FIELDS} == \
            {name: getattr(planned[key], name) for name in STORED_FIELDS}, key
        assert (row.episode_id, row.child_id) == (episode.pk, child.pk)
    ids = {r.pk: r.refreshed_at for r in StoredObligation.objects.filter(episode=episode)}
    obligations_refresh(episode, now=at)
    assert {r.pk: r.refreshed_at for r in StoredObligation.objects.filter(episode=episode)} == ids, \
        "a full refresh at the same instant found nothing to change"
