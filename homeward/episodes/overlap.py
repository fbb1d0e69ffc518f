"""Two episodes of one child never overlap in time (DOMAIN.md section 2): one may begin the
moment the last one ended, so the SSDA903 return, Annex A and the repeat count never see a
period twice. Cancelled episodes were reported in error and are left out."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from .models import Episode, EpisodeStatus


def episode_overlapping(*, child_id: int, start: datetime, end: datetime | None,
                        exclude: int | None = None) -> Episode | None:
    """The first of the child's episodes whose time overlaps [start, end) (end None: still
    open), if any. An open episode runs on for ever."""
    others = Episode.objects.filter(child_id=child_id).exclude(status=EpisodeStatus.CANCELLED)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    # Overlap: the other began before this ends, and this began before the other ends.
    others = others.filter(Q(found_at__isnull=True) | Q(found_at__gt=start))
    if end is not None:
        others = others.filter(missing_since__lt=end)
    return others.order_by("missing_since", "id").first()
