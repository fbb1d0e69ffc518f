"""Two episodes of one child never overlap in time (DOMAIN.md section 2): one may begin the
moment the last one ended, so the SSDA903 return, Annex A and the repeat count never see a
period twice. Cancelled episodes were reported in error and are left out."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from .models import Episode, EpisodeStatus

# What the rule reads of each of the child's other episodes.
SPAN_FIELDS = ("id", "child_id", "status", "missing_since", "found_at")


def overlapping_among(episodes: Iterable[Episode], *, start: datetime, end: datetime | None,
                      exclude: int | None = None) -> Episode | None:
    """The first (by start) of `episodes` whose time overlaps [start, end) (end None: still
    open), if any; cancelled ones and `exclude` left out. An open episode runs on for ever."""
    # Overlap: the other began before this ends, and this began before the other ends.
    overlapping = [e for e in episodes
                   if e.status != EpisodeStatus.CANCELLED and e.pk != exclude
                   and (e.found_at is None or e.found_at > start)
                   and (end is None or e.missing_since < end)]
    return min(overlapping, key=lambda e: (e.missing_since, e.pk), default=None)


def episode_overlapping(*, child_id: int, start: datetime, end: datetime | None,
                        exclude: int | None = None) -> Episode | None:
    """`overlapping_among` the child's episodes, read here (a child has a few dozen at most)."""
    others = Episode.objects.filter(child_id=child_id).exclude(status=EpisodeStatus.CANCELLED).only(*SPAN_FIELDS)
    return overlapping_among(others, start=start, end=end, exclude=exclude)
