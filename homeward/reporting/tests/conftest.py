"""Fixtures for the reporting tests: episodes recorded through the real services at given
instants (Europe/London unless an offset is given)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

LONDON = ZoneInfo("Europe/London")
UTC = ZoneInfo("UTC")


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)  # type: ignore[misc]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@pytest.fixture
def episode(coordinator: Any) -> Callable[..., Any]:
    """Report a child missing at `since` and, with `found`, record them found."""
    from homeward.casework.episodes import episode_record_found, episode_report
    from homeward.episodes.models import Episode

    def make(child: Any, since: datetime, found: datetime | None = None, **extra: Any) -> Any:
        values: dict[str, Any] = {"reported_by": "placement_provider", "classification": "missing"}
        found_location = extra.pop("found_location", "")
        values.update(extra)
        result = episode_report(actor=coordinator, child=child, reported_at=since, last_seen_at=since, **values)
        if found is not None:
            episode_record_found(actor=coordinator, episode=result.episode, found_at=found,
                                 found_location=found_location)
        return Episode.objects.get(pk=result.episode.pk)

    return make


@pytest.fixture
def clashing_episode(episode: Any) -> Callable[..., Any]:
    """An episode overlapping the child's others, as data recorded before Homeward refused
    overlaps may hold: recorded now, then its times moved behind the services' back."""
    from django.utils import timezone

    from homeward.episodes.models import Episode

    def make(child: Any, since: datetime, found: datetime) -> Any:
        now = timezone.now()
        made = episode(child, now - timedelta(hours=2), now - timedelta(hours=1))
        Episode.objects.filter(pk=made.pk).update(reported_at=since, last_seen_at=since, missing_since=since,
                                                  found_at=found)
        return Episode.objects.get(pk=made.pk)

    return make


@pytest.fixture
def reference_data_loaded(django_db_blocker: Any) -> None:
    """For a transactional test: the shipped reference data, loaded again after an earlier
    transactional test's flush emptied it (`reference_data_after_flush` puts it back after the
    module)."""
    from homeward.reference.loader import load_reference_data

    with django_db_blocker.unblock():
        load_reference_data()
