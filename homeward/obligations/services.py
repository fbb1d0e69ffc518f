"""Keeping stored obligations equal to what the engine says.

`obligations_refresh` runs inside the transaction of every service that records a fact
(through `homeward.episodes.hooks`), and from the worker for episodes whose `valid_until`
has passed, so stored rows never disagree with `evaluate` at the present instant.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from homeward.episodes.models import Episode, EpisodeStatus
from homeward.protocol import evaluate
from homeward.protocol.engine import obligation_to_dict
from homeward.protocol.facts import Facts
from homeward.protocol.obligation import Obligation

from .facts import facts_for_episode
from .models import EpisodeObligationState, StoredObligation
from .protocol_source import active_protocol


def episode_obligations_evaluate(episode: Episode, as_of: datetime) -> tuple[Obligation, ...]:
    """The engine's answer for one episode at any instant (past, present or future). An
    imported historical episode owes nothing here: its follow-up belonged to the old system."""
    if episode.imported_from:
        return ()
    return evaluate(facts_for_episode(episode), active_protocol(), as_of)


def _next_change(obligations: tuple[Obligation, ...], now: datetime) -> datetime | None:
    """The earliest future instant at which the engine's list may gain a row: a repeating
    obligation's next instance arises when the current one falls due, and an upcoming one
    when it arises."""
    future = [t for o in obligations for t in (o.arises_at, o.due_at) if t > now]
    return min(future) if future else None


_STORED_FIELDS = ("title", "responsible_role", "arises_at", "due_at", "done_at", "done_recorded_at", "late",
                  "basis")


def _stored_values(obligation: Obligation) -> dict[str, object]:
    return {
        "title": obligation.title, "responsible_role": obligation.responsible_role,
        "arises_at": obligation.arises_at, "due_at": obligation.due_at, "done_at": obligation.done_at,
        "done_recorded_at": obligation.done_recorded_at, "late": obligation.late,
        "basis": obligation_to_dict(obligation)["basis"],
    }


@transaction.atomic
def obligations_refresh(episode: Episode, *, now: datetime | None = None,
                        facts: Facts | None = None) -> list[StoredObligation]:
    """Make the episode's stored obligations what `evaluate` says at `now`, writing only the
    rows that changed."""
    now = now or timezone.now()
    if episode.imported_from:
        obligations: tuple[Obligation, ...] = ()
    else:
        obligations = evaluate(facts or facts_for_episode(episode), active_protocol(), now)
    wanted = {(o.code, o.instance): o for o in obligations}
    existing = {(row.code, row.instance): row for row in StoredObligation.objects.filter(episode=episode)}
    # Derived rows, not records: one no longer owed (an episode cancelled or reclassified) goes.
    stale = [row.pk for key, row in existing.items() if key not in wanted]
    if stale:
        StoredObligation.objects.filter(pk__in=stale).delete()
    rows: list[StoredObligation] = []
    new: list[StoredObligation] = []
    changed: list[StoredObligation] = []
    for key, obligation in wanted.items():
        values = _stored_values(obligation)
        row = existing.get(key)
        if row is None:
            row = StoredObligation(episode=episode, child_id=episode.child_id, code=obligation.code,
                                   instance=obligation.instance, refreshed_at=now, **values)
            new.append(row)
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            row.refreshed_at = now
            changed.append(row)
        rows.append(row)
    StoredObligation.objects.bulk_create(new)
    if changed:
        StoredObligation.objects.bulk_update(changed, [*_STORED_FIELDS, "refreshed_at"])
    valid_until = None if episode.status == EpisodeStatus.CANCELLED else _next_change(obligations, now)
    EpisodeObligationState.objects.update_or_create(
        episode=episode, defaults={"refreshed_at": now, "valid_until": valid_until}
    )
    return rows


def obligations_refresh_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """Refresh every episode whose stored obligations may have changed with the passage of
    time; the worker calls this every minute. Returns how many episodes were refreshed."""
    now = now or timezone.now()
    due = list(
        Episode.objects.filter(obligation_state__valid_until__lte=now)
        .select_related("child")
        .order_by("obligation_state__valid_until")[:limit]
    )
    for episode in due:
        obligations_refresh(episode, now=now)
    return len(due)
