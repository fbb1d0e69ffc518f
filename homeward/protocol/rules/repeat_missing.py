"""Repeat missing: DOMAIN.md section 3, row `repeat_review`, and section 8."""

from __future__ import annotations

from collections.abc import Iterator

from homeward.protocol.obligation import Draft
from homeward.protocol.repeat import is_repeat_missing
from homeward.protocol.rules.base import Context, Spec, done_by

REPEAT_REVIEW = Spec(
    code="repeat_review",
    title="Review the strategy: repeat missing",
    responsible_role="team_manager",
    rule=(
        "applies when this episode is the child's 3rd or later starting within 90 days "
        "(repeat_missing.count and window_days), cancelled episodes left out; arises at "
        "reported_at; done when the strategy review is recorded (from missing_since on)"
    ),
    citation=(
        'seed 002, "If Repeated Missing Episodes Occur": "We must never treat this as \'normal '
        "behaviour' ... We should review the strategy - is there someone else in the "
        'professional network who the child might engage with?"'
    ),
)

SPECS = (REPEAT_REVIEW,)


def repeat_review(ctx: Context) -> Iterator[Draft]:
    """Seed 002, "If Repeated Missing Episodes Occur": review the strategy. The threshold
    is a local default (DOMAIN.md section 8: "there is no national threshold")."""
    episode = ctx.episode
    count = ctx.version.repeat_missing_count
    window = ctx.version.repeat_missing_window_days
    if not is_repeat_missing(episode.other_episode_starts, episode.missing_since, count, window):
        return
    yield ctx.draft(
        REPEAT_REVIEW,
        arises_at=episode.reported_at,
        due_at=ctx.due(REPEAT_REVIEW.code, episode.reported_at),
        trigger="reported_at",
        trigger_at=episode.reported_at,
        done=done_by(ctx.first_action(REPEAT_REVIEW.code, episode.missing_since)),
        deadline_from="the report",
        policy_value=(
            f"{ctx.deadline_value(REPEAT_REVIEW.code)}; "
            f"repeat_missing.count = {count}; "
            f"repeat_missing.window_days = {window}"
        ),
    )


RULES = (repeat_review,)
