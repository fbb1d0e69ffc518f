"""A closed episode's stored rows all end at the closure (issue 11), those stored before the
change too (migration 0007), and none of them is on a worklist."""

from __future__ import annotations

import importlib
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from homeward.casework.episodes import episode_close, episode_record_found, episode_report
from homeward.obligations.models import StoredObligation
from homeward.obligations.selectors import obligation_list_for_user, stored_status

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("homeward.obligations.migrations.0007_closed_episode_rows_end")


def _closed_with_missed_updates(coordinator: Any, make_child: Any) -> Any:
    """A looked-after child missing four days (daily carer updates missed), then back and closed
    by the co-ordinator with the follow-up outstanding."""
    now = timezone.now().replace(microsecond=0)
    child = make_child(legal_status="looked_after", placement={"authority": "941", "provider": "Oakfield"})
    episode = episode_report(actor=coordinator, child=child, reported_at=now - timedelta(days=6),
                             reported_by="placement_provider", classification="missing").episode
    episode_record_found(actor=coordinator, episode=episode, found_at=now - timedelta(days=2))
    return episode_close(actor=coordinator, episode=episode, closed_at=now - timedelta(hours=1),
                         reason="The family moved away; the new authority has the case.")


def test_every_row_of_a_closed_episode_ends_at_the_closure_and_missed_ones_stay_missed(
        coordinator: Any, make_child: Any) -> None:
    episode = _closed_with_missed_updates(coordinator, make_child)
    rows = list(StoredObligation.objects.filter(episode=episode, arises_at__lte=episode.closed_at)
                .exclude(done_at__lte=episode.closed_at))
    now = timezone.now()
    missed = [row for row in rows if stored_status(row, now) == "missed"]
    assert missed, "the daily carer updates of four days away were missed"
    assert all(row.ended_at == episode.closed_at for row in rows)
    assert {stored_status(row, now) for row in rows} <= {"missed", "not_done"}
    assert not obligation_list_for_user(coordinator, status="overdue").filter(episode=episode).exists()


def test_the_migration_ends_rows_stored_before_the_change_as_the_engine_now_does(
        coordinator: Any, make_child: Any) -> None:
    episode = _closed_with_missed_updates(coordinator, make_child)
    now = timezone.now()
    missed = StoredObligation.objects.filter(episode=episode, lapses_at__lt=episode.closed_at, done_at__isnull=True)
    before = {row.pk: stored_status(row, now) for row in missed}
    # As the engine stored them before: a window that lapsed before the closure had no end.
    missed.update(ended_at=None, ended_reason="")
    with connection.cursor() as cursor:
        cursor.execute(MIGRATION.ENDED_POSTGRESQL if connection.vendor == "postgresql" else MIGRATION.ENDED)
    after = list(StoredObligation.objects.filter(pk__in=before))
    assert after and all((row.ended_at, row.ended_reason) == (episode.closed_at, episode.close_reason)
                         for row in after)
    assert {row.pk: stored_status(row, now) for row in after} == before
