"""`casework_batch`: many casework writes whose routing and stored obligations are brought up
to date once, at the end, and then are what commits one by one would have left."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from homeward.casework.commit import casework_batch
from homeward.casework.episodes import episode_record_action, episode_record_found, episode_report
from homeward.episodes.models import Episode
from homeward.notifications.models import Notification
from homeward.obligations.models import EpisodeObligationState, StoredObligation
from homeward.obligations.rows import STORED_FIELDS, planned_rows
from homeward.obligations.services import HORIZON


def _rows(episode: Episode, *, typed_in: bool = True) -> dict[tuple[str, int], tuple[Any, ...]]:
    names = [name for name in STORED_FIELDS if typed_in or name != "done_recorded_at"]
    return {(r.code, r.instance): tuple(getattr(r, name) for name in names)
            for r in StoredObligation.objects.filter(episode=episode)}


def _history(coordinator: Any, child: Any, seen: datetime) -> Episode:
    """An episode last seen at `seen`, reported, found and partly followed up."""
    episode = episode_report(actor=coordinator, child=child, reported_at=seen + timedelta(hours=1),
                             reported_by="parent_carer", last_seen_at=seen).episode
    episode = episode_record_found(actor=coordinator, episode=episode, found_at=seen + timedelta(hours=20))
    episode_record_action(actor=coordinator, episode=episode, action="manager_informed",
                          at=seen + timedelta(hours=5))
    return episode


@pytest.mark.django_db
def test_a_batch_refreshes_once_at_its_end_what_each_commit_would_have(coordinator: Any,
                                                                        make_child: Any) -> None:
    one_by_one, batched = make_child(), make_child()
    now = timezone.now()
    starts = [now - timedelta(days=40), now - timedelta(days=20), now - timedelta(hours=3)]

    def casework(child: Any) -> list[Episode]:
        episodes = [_history(coordinator, child, seen) for seen in starts[:2]]
        # The third report reaches every episode of the child (it may make them repeats).
        return [*episodes, episode_report(actor=coordinator, child=child, reported_by="police",
                                          reported_at=starts[2]).episode]

    expected = [_rows(episode, typed_in=False) for episode in casework(one_by_one)]
    with casework_batch():
        with casework_batch():  # a batch inside a batch is part of it
            episodes = casework(batched)
        # Nothing stored yet: no refresh after each write.
        assert not StoredObligation.objects.filter(episode__child=batched).exists()
        # Notifications are not deferred: the report told people at once.
        assert Notification.objects.filter(episode=episodes[2], event="reported").exists()

    # The same rows but when each fact was typed in, which differs between the two children.
    assert [_rows(episode, typed_in=False) for episode in episodes] == expected
    for episode in episodes:
        state = EpisodeObligationState.objects.get(episode=episode)
        planned = planned_rows(episode, now=state.refreshed_at, through=state.refreshed_at + HORIZON)
        assert _rows(episode) == {(r.code, r.instance): tuple(getattr(r, name) for name in STORED_FIELDS)
                                  for r in planned}
        episode.refresh_from_db()
        assert episode.rhi_authority is not None


@pytest.mark.django_db
def test_what_is_rolled_back_inside_a_batch_leaves_nothing_behind(coordinator: Any, make_child: Any) -> None:
    kept, undone = make_child(), make_child()
    seen = timezone.now() - timedelta(days=10)
    with casework_batch():
        episode = _history(coordinator, kept, seen)
        with pytest.raises(RuntimeError), transaction.atomic():
            _history(coordinator, undone, seen)
            raise RuntimeError("this child's writes are rolled back")
    assert not Episode.objects.filter(child=undone).exists()
    assert _rows(episode)

    with pytest.raises(RuntimeError), casework_batch():
        _history(coordinator, undone, seen)
        raise RuntimeError("the whole batch stops")
    assert not Episode.objects.filter(child=undone).exists()
    # Outside a batch, a commit refreshes at once again.
    assert _rows(_history(coordinator, undone, seen))
