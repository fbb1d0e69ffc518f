"""The home worklist's sections are cut and counted in the database."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from homeward.casework.episodes import episode_report
from homeward.obligations.models import StoredObligation
from homeward.obligations.selectors import worklist_sections

pytestmark = pytest.mark.django_db


def test_each_section_shows_the_first_rows_soonest_due_and_counts_them_all(coordinator: Any, make_child: Any) -> None:
    now = timezone.now()
    for hours_ago in (5, 4, 3):
        episode_report(actor=coordinator, child=make_child(), reported_at=now - timedelta(hours=hours_ago),
                       reported_by="parent_carer", classification="missing")
    sections = worklist_sections(coordinator, as_of=now, limit=2)
    overdue = sections["overdue"]
    # Each report was to reach the police within the hour: three overdue, the oldest first.
    assert [row.code for row in overdue.rows] == ["police_informed", "police_informed"]
    assert overdue.count == 3
    assert overdue.rows[0].due_at < overdue.rows[1].due_at < now
    # What is due later (the risk analysis, the manager, the looked-after child's duties...),
    # worked out here row by row: every one counted, though only two of a section are shown.
    end_of_today = timezone.localtime(now).replace(hour=23, minute=59, second=59, microsecond=0)
    later = [o for o in StoredObligation.objects.all() if o.done_at is None and o.arises_at <= now < o.due_at
             and o.due_at <= now + timedelta(days=3)]
    assert len(later) > 4
    assert sections["due_today"].count == sum(1 for o in later if o.due_at <= end_of_today)
    assert sections["due_soon"].count == sum(1 for o in later if o.due_at > end_of_today)
    assert all(len(section.rows) == min(2, section.count) for section in sections.values())
