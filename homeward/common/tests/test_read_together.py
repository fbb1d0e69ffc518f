"""Several reads in one round trip (common.together): each answer is what list(queryset) gives,
instances with their joined and known rows, values and flat values, an empty read included."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from homeward.accounts.models import User
from homeward.children.models import Child, ChronologyEntry
from homeward.common.together import read_together

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
