"""Repeat missing: DOMAIN.md section 8 and the `repeat_review` row of section 3.

"There is no national threshold. The default (3 episodes starting within 90 days) is a
local default; count and window are protocol settings." Seed 002, "If Repeated Missing
Episodes Occur": "We must never treat this as 'normal behaviour'".
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from homeward.protocol.calendar import require_aware


def is_repeat_missing(episode_starts: Iterable[datetime], this_start: datetime, count: int, window_days: int) -> bool:
    """Whether the episode starting at `this_start` is the `count`-th or later episode
    starting within `window_days` days.

    `episode_starts` are the starts (`missing_since`) of the child's *other* episodes,
    cancelled ones left out; this episode is counted too. An episode counts when it starts
    no later than `this_start` and no more than `window_days` x 24 elapsed hours before it
    (both ends included); later episodes do not make an earlier one a repeat.
    """
    end = require_aware(this_start, "this_start")
    start = end - timedelta(days=window_days)
    within = sum(1 for s in episode_starts if start <= require_aware(s, "episode_starts") <= end)
    return within + 1 >= count
