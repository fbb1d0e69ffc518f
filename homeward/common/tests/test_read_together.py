"""Several reads in one round trip (common.together): each answer is what list(queryset) gives,
instances with their joined and known rows, values and flat values, an empty read included."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from homeward.accounts.models import User
from homeward.children.models import Child, ChronologyEntry
from homeward.common import together
from homeward.common.together import ByKey, read_together

pytestmark = pytest.mark.django_db


def test_each_read_answers_as_its_queryset_would(coordinator: Any, make_child: Any) -> None:
    first, second = make_child(given_name="Ann"), make_child(given_name="Bea")
    first.chronology.create(at=first.created_at, recorded_by=coordinator, kind="note", summary="100% sure; it's so")
    reads = [
        Child.objects.filter(pk__in=[first.pk, second.pk]).order_by("pk"),
        first.chronology.all().select_related("recorded_by"),
        Child.objects.order_by("pk").values("id", "given_name"),
        Child.objects.order_by("-pk").values_list("given_name", flat=True),
        User.objects.filter(pk__in=[]),
        ChronologyEntry.objects.filter(summary__contains="100%"),
    ]
    expected = [list(queryset.all()) for queryset in reads]
    with CaptureQueriesContext(connection) as captured:
        answers = read_together(reads)
    assert len(captured.captured_queries) == (1 if connection.vendor == "postgresql" else 5)
    assert answers == expected
    children, chronology, values, names, nobody, percent = answers
    assert [child.given_name for child in children] == ["Ann", "Bea"]
    assert values[-1] == {"id": second.pk, "given_name": "Bea"} and names[0] == "Bea" and nobody == []
    assert [entry.summary for entry in percent] == ["100% sure; it's so"]
    with CaptureQueriesContext(connection) as captured:
        # The joined person and the child the relation was read from come with the rows.
        assert chronology[0].recorded_by == coordinator and chronology[0].child is first
    assert captured.captured_queries == []


def test_nothing_to_read_reads_nothing() -> None:
    assert read_together([]) == []


def test_rows_by_key_are_those_their_queryset_gives_with_the_statement_compiled_once(
        coordinator: Any, make_child: Any) -> None:
    first, second = make_child(given_name="Ann"), make_child(given_name="Bea")
    for child, kind in ((first, "note"), (first, "note"), (first, "contact"), (second, "note")):
        child.chronology.create(at=child.created_at, recorded_by=coordinator, kind=kind, summary=f"{kind} {child.pk}")
    reads = [ByKey(ChronologyEntry, "child_id", first.pk), ByKey(ChronologyEntry, "child_id", second.pk),
             ByKey(ChronologyEntry, "child_id", first.pk, (("kind", "contact"),)), Child.objects.order_by("pk")]
    with CaptureQueriesContext(connection) as captured:
        by_first, by_second, contacts, children = read_together(reads)
    misses_after_first_read = together._by_key_compiled.cache_info().misses
    assert len(captured.captured_queries) == (1 if connection.vendor == "postgresql" else 4)
    assert sorted(by_first, key=lambda e: e.pk) == list(first.chronology.order_by("pk"))
    assert sorted(by_second, key=lambda e: e.pk) == list(second.chronology.order_by("pk"))
    # Made as the queryset makes them: every column, converted (an aware instant on SQLite too).
    note = next(e for e in by_second if e.summary == f"note {second.pk}")
    assert (note.at, note.recorded_by_id, note.child_id) == (second.created_at, coordinator.pk, second.pk)
    assert [e.kind for e in contacts] == ["contact"] and children == [first, second]
    # The same statement for another key, compiled once; one read alone is answered too.
    with CaptureQueriesContext(connection) as captured:
        [again] = read_together([ByKey(ChronologyEntry, "child_id", first.pk)])
    assert sorted(again, key=lambda e: e.pk) == sorted(by_first, key=lambda e: e.pk)
    assert together._by_key_compiled.cache_info().misses == misses_after_first_read


def test_a_lookup_whose_key_is_not_one_parameter_is_refused() -> None:
    with pytest.raises(ValueError, match="not one parameter"):
        read_together([ByKey(ChronologyEntry, "summary", 1), Child.objects.all()])
