"""Each episode keeps where the child was last seen and found normalised beside the texts
(`Episode.last_seen_place`, `found_place`), whichever way the episode was written, and the
migration that added them filled them for the episodes already there as the model would."""

from __future__ import annotations

import importlib
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from homeward.casework.episodes import episode_record_found, episode_report
from homeward.episodes.models import Episode
from homeward.episodes.places import normalise_place

pytestmark = pytest.mark.django_db
TEXTS = ["The Railway Station.", "  railway   STATION ", "A friend's flat, Daventry", "!!!", "", "Café Nero"]


def _places() -> set[tuple[str, str, str, str]]:
    return set(Episode.objects.values_list("location_last_seen", "last_seen_place", "found_location", "found_place"))


def test_the_services_keep_the_places_normalised(coordinator: Any, make_child: Any) -> None:
    # Every way an episode is recorded (the pages, the API, intake, imports, the exchange, the
    # demonstration) reports and records found through these two services.
    now = timezone.now()
    for index, text in enumerate(TEXTS):
        episode = episode_report(actor=coordinator, child=make_child(), reported_at=now - timedelta(hours=9),
                                 reported_by="police", classification="missing", location_last_seen=text).episode
        assert Episode.objects.get(pk=episode.pk).last_seen_place == normalise_place(text)
        episode_record_found(actor=coordinator, episode=episode, found_at=now - timedelta(hours=1),
                             found_location=TEXTS[-1 - index])
    # Reported already found, as imports are.
    episode_report(actor=coordinator, child=make_child(), reported_at=now - timedelta(hours=9), reported_by="other",
                   classification="missing", location_last_seen="Northampton  bus station", imported_from="test",
                   found_at=now - timedelta(hours=2), found_location="The Abington Park")
    assert _places() == {(a, normalise_place(a), b, normalise_place(b)) for a, _, b, _ in _places()}
    assert ("Northampton  bus station", "northampton bus station", "The Abington Park", "abington park") in _places()
    assert normalise_place("!!!") == ""


def test_saving_some_fields_saves_the_places_of_the_texts_among_them(coordinator: Any, make_child: Any) -> None:
    episode = episode_report(actor=coordinator, child=make_child(), reported_at=timezone.now() - timedelta(hours=3),
                             reported_by="police", classification="missing", location_last_seen="Rugby").episode
    episode.found_location = "The Den"
    episode.save(update_fields=["found_location"])
    assert Episode.objects.filter(pk=episode.pk).values_list("last_seen_place", "found_place").get() == ("rugby", "den")


def test_the_migration_fills_the_places_as_the_model_does(coordinator: Any, make_child: Any) -> None:
    now = timezone.now()
    for index, text in enumerate(TEXTS):
        episode_report(actor=coordinator, child=make_child(), reported_at=now - timedelta(hours=9),
                       reported_by="other", classification="missing", location_last_seen=text,
                       imported_from="test", found_at=now - timedelta(hours=1), found_location=TEXTS[index - 2])
    expected = _places()
    Episode.objects.update(last_seen_place="", found_place="")  # as the columns are when added
    migration = importlib.import_module("homeward.episodes.migrations.0008_normalised_places")
    # What the migration uses of its schema editor (SQLite's cannot be opened inside a test's transaction).
    migration._backfill(apps, SimpleNamespace(connection=connection, quote_name=connection.ops.quote_name))
    assert _places() == expected
    assert len({place for _, place, _, _ in expected}) == 4  # railway station, friend's flat, café nero, none
