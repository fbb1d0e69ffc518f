"""Keeping stored obligations equal to what the engine says.

`obligations_refresh` runs inside the transaction of every casework write (through
`homeward.casework.commit`), and from the worker before an open episode's stored horizon
runs out, so stored rows never disagree with `evaluate` at any instant they cover. Reads never
write: an instant beyond an episode's horizon is evaluated in memory by the selectors.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from homeward.children.models import Child
from homeward.common.bulk import Group, Rows, insert_together
from homeward.episodes.models import Episode, EpisodeStatus
from homeward.protocol import evaluate
from homeward.protocol.facts import Facts
from homeward.protocol.obligation import Obligation

from .duty_days import day_marked
from .facts import facts_for_episode
from .models import EpisodeObligationState, StoredObligation
from .protocol_source import active_protocol
from .rows import STORED_FIELDS, planned_documents, planned_rows


def episode_obligations_evaluate(episode: Episode, as_of: datetime) -> tuple[Obligation, ...]:
    """The engine's answer for one episode at any instant (past, present or future). An
    imported historical episode owes nothing here: its follow-up belonged to the old system."""
    if episode.imported_from:
        return ()
    return evaluate(facts_for_episode(episode), active_protocol(), as_of)


# Stored rows hold the repeating obligations (daily carer updates, monthly reviews) this far
# ahead, so a worklist at any instant within it is a read; the worker renews them daily, so they
# are exact at least a week ahead (WORKLIST_LOOKAHEAD). Every write to an open episode, and every
# report, plans and stores them this far: most episodes end within a day or two, and the rows
# stored beyond their end are removed again (with a fortnight's horizon a report stored 22 rows,
# 15 of them daily carer updates; with eight days, 15 rows: issue 11).
HORIZON = timedelta(days=8)
RENEW_AFTER = timedelta(days=1)


@transaction.atomic(savepoint=False)
def obligations_refresh(episode: Episode, *, now: datetime | None = None, facts: Facts | None = None,
                        child: Child | None = None, fresh: bool = False) -> None:
    """Make the episode's stored obligations what the engine plans at `now` (repeating ones
    `HORIZON` ahead), writing only the rows that changed, each with its owner. `fresh`: an episode
    reported in this transaction, which has no stored rows yet: its rows are written as they are
    planned, with nothing to compare."""
    now = now or timezone.now()
    if fresh:
        new: Group = planned_documents(episode, now=now, through=now + HORIZON, facts=facts, child=child, new=True)
    else:
        new = Rows(_rows_changed(episode, now, facts, child))
    is_open = episode.status == EpisodeStatus.OPEN and not episode.imported_from
    # A closed or cancelled episode's change marks its day's rolled-up figures to be counted again.
    mark = day_marked(episode)
    # The new rows, the state's upsert (update_or_create was a read, a savepoint and a write)
    # and the day's mark: one statement on PostgreSQL.
    insert_together(new, Rows(
        [EpisodeObligationState(
            episode=episode, refreshed_at=now,
            # Only an open episode's rows change with time alone (carer updates, reviews).
            valid_until=now + RENEW_AFTER if is_open else None,
            exact_until=now + HORIZON if is_open else None,
        )],
        unique_fields=["episode"], update_fields=["refreshed_at", "valid_until", "exact_until"],
    ), Rows([mark] if mark else [], unique_fields=["day"], update_fields=["rolled_at", "roll_after"]))


def _rows_changed(episode: Episode, now: datetime, facts: Facts | None, child: Child | None) -> list[StoredObligation]:
    """Bring the stored rows that differ from the plan up to date and remove those no longer
    owed; the planned rows not stored yet are returned, to be inserted."""
    wanted = {(row.code, row.instance): row for row in planned_rows(episode, now=now, through=now + HORIZON,
                                                                    facts=facts, child=child)}
    existing = {(row.code, row.instance): row for row in StoredObligation.objects.filter(episode=episode)}
    # Derived rows, not records: one no longer owed (an episode cancelled or reclassified) goes.
    stale = [row.pk for key, row in existing.items() if key not in wanted]
    if stale:
        StoredObligation.objects.filter(pk__in=stale).delete()
    new: list[StoredObligation] = []
    changed: list[StoredObligation] = []
    for key, planned in wanted.items():
        row = existing.get(key)
        if row is None:
            planned.refreshed_at = now
            new.append(planned)
        elif any(getattr(row, name) != getattr(planned, name) for name in STORED_FIELDS):
            for name in STORED_FIELDS:
                setattr(row, name, getattr(planned, name))
            row.refreshed_at = now
            changed.append(row)
    if changed:
        StoredObligation.objects.bulk_update(changed, [*STORED_FIELDS, "refreshed_at"])
    return new


def obligations_refresh_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """Renew the rows of every episode whose stored horizon is running out; the worker calls
    this every minute. Returns how many episodes were refreshed."""
    now = now or timezone.now()
    due = list(
        Episode.objects.filter(obligation_state__valid_until__lte=now)
        .select_related("child")
        .order_by("obligation_state__valid_until")[:limit]
    )
    for episode in due:
        obligations_refresh(episode, now=now)
    return len(due)
