"""The one step every casework service ends with (ADR 0011).

Explicit calls, not signals: a service says what it recorded (the chronology line, the audit
entry) and how far the change reaches; `casework_commit` does the rest once, in the caller's
transaction, so the record, its chronology, its audit entry, the obligations it changes and
the notifications it sends exist together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

from django.db import transaction
from django.db.models import Q

from homeward.accounts.models import User
from homeward.audit.services import audit_record
from homeward.children.models import Child, ChronologyEntry
from homeward.common.bulk import Rows, insert_together
from homeward.episodes.models import Episode
from homeward.exchange.outbox import EVENT_TYPES as EXCHANGED_EVENTS
from homeward.exchange.outbox import exchange_for_event
from homeward.notifications.escalations import Escalation, escalations_notify
from homeward.notifications.models import NotificationEvent
from homeward.notifications.recipients import KnownRows
from homeward.notifications.services import notifications_for_event
from homeward.obligations.facts import FactsBuilder, NewEpisodeRows
from homeward.obligations.services import obligations_refresh

from .routing import episode_assign_rhi_responsibility


class Reach(Enum):
    """Which episodes' facts a change can alter.

    EPISODE: only the episode it was recorded on (an action, a meeting, a grading, a step of
    the return interview, the return itself).
    CHILD: every episode of the child. A report, a cancellation, an import or a corrected start
    changes which of the child's episodes are repeats; a change of legal status, placement,
    allocated worker, team or IRO changes what every episode owes and who owns it.
    LATER: the episode and the child's episodes starting no earlier than it. A report or a
    cancellation changes which episodes are repeats, and an episode counts only the starts at or
    before its own (`is_repeat_missing`): the child's earlier episodes are as they were.
    NONE: nothing the protocol reads (a note, a person around the child).
    """

    EPISODE = "episode"
    CHILD = "child"
    LATER = "later"
    NONE = "none"


@dataclass(frozen=True)
class Chronicle:
    """One line of the child's chronology: what happened and when it happened."""

    at: datetime
    kind: str
    summary: str


@dataclass(frozen=True)
class Audit:
    """The audit entry of the change: who did what to which record (the actor is the service's)."""

    action: str
    object_type: str
    object_id: str
    detail: dict[str, Any] = field(default_factory=dict)


# The events that tell people (DOMAIN.md section 4); any other event tells nobody.
NOTIFYING_EVENTS = frozenset({"reported", "returned"})


@dataclass(frozen=True)
class Committed:
    """What the commit refreshed: the episodes whose obligations were brought up to date
    (none inside `casework_batch`, which brings them up to date at its end)."""

    episodes: tuple[int, ...]


@dataclass
class _Reached:
    """What the commits inside a batch reached: every episode of some children, some
    episodes of others (child id to episode ids)."""

    whole_children: set[int] = field(default_factory=set)
    episodes: dict[int, set[int]] = field(default_factory=dict)

    def add(self, child_id: int, episode: Episode | None, reach: Reach) -> None:
        if reach in (Reach.CHILD, Reach.LATER) or (reach is Reach.EPISODE and episode is None):
            self.whole_children.add(child_id)
            self.episodes.pop(child_id, None)
        elif reach is Reach.EPISODE and episode is not None and child_id not in self.whole_children:
            self.episodes.setdefault(child_id, set()).add(episode.pk)

    def children(self) -> Iterator[tuple[int, list[Episode]]]:
        for child_id in sorted(self.whole_children | set(self.episodes)):
            episodes = Episode.objects.filter(child_id=child_id).order_by("missing_since", "id")
            if child_id not in self.whole_children:
                episodes = episodes.filter(pk__in=self.episodes[child_id])
            found = list(episodes)
            if found:  # none when a savepoint inside the batch rolled the child's writes back
                yield child_id, found


_batch: ContextVar[_Reached | None] = ContextVar("casework_batch", default=None)


@contextmanager
def casework_batch() -> Iterator[None]:
    """Many casework writes in one transaction, with the routing and stored obligations of
    every episode they reach refreshed once, at the end, instead of after each write.

    For building many records at once (the demonstration): refreshing after each of a
    thousand facts repeats work that the last refresh makes moot. No casework service reads
    stored obligations or routing to validate a write, and the end, reading what the
    database then holds (so a write rolled back inside the batch leaves nothing behind),
    leaves both exactly what a refresh gives then. Chronology lines, audit entries and
    notifications are written at each write, as they happen. A batch inside a batch is part
    of the outer one.
    """
    if _batch.get() is not None:
        yield
        return
    reached = _Reached()
    token = _batch.set(reached)
    try:
        with transaction.atomic():
            yield
            for child_id, episodes in reached.children():
                _refresh(child_id, episodes)
    finally:
        _batch.reset(token)


def _refresh(child_id: int, episodes: list[Episode], new: tuple[int, NewEpisodeRows] | None = None,
             builder: FactsBuilder | None = None) -> FactsBuilder:
    """Routing and stored obligations of `episodes`, with the child's facts built once (or
    given). `new`: the episode a report has just written, and what it wrote (its facts are not
    read back)."""
    builder = builder or FactsBuilder.for_child(child_id)
    for each in episodes:
        # The child as it stands now, not a copy the caller read before the change.
        each.child = builder.child
        rows = new[1] if new is not None and new[0] == each.pk else None
        facts = builder.facts(each, new=rows)
        episode_assign_rhi_responsibility(each, child=facts.child)
        obligations_refresh(each, facts=facts, child=builder.child, fresh=rows is not None)
    return builder


def _affected(child_id: int, episode: Episode | None, reach: Reach, builder: FactsBuilder | None) -> list[Episode]:
    if reach is Reach.NONE:
        return []
    if reach is Reach.EPISODE and episode is not None:
        return [episode]
    if reach is Reach.LATER and episode is not None and builder is not None \
            and builder.starting_from(episode) == [episode.pk]:
        # The builder knows every start of the child: nothing begins after this episode.
        return [episode]
    found = Episode.objects.filter(child_id=child_id).order_by("missing_since", "id")
    if reach is Reach.LATER and episode is not None:
        found = found.filter(Q(missing_since__gte=episode.missing_since) | Q(pk=episode.pk))
    episodes = list(found)
    if episode is not None:
        # The caller's instance holds what it just wrote; keep it rather than a second copy.
        episodes = [episode if other.pk == episode.pk else other for other in episodes]
    return episodes


@transaction.atomic(savepoint=False)
def casework_commit(
    *,
    actor: User | None,
    child: Child | int,
    episode: Episode | None = None,
    chronicle: Chronicle | Sequence[Chronicle] = (),
    audit: Audit | None = None,
    reach: Reach = Reach.EPISODE,
    event: str = "",
    escalations: Sequence[Escalation] = (),
    new_episode: NewEpisodeRows | None = None,
    facts_builder: FactsBuilder | None = None,
    known: KnownRows | None = None,
) -> Committed:
    """Finish a casework write: chronology, audit, obligations, routing and notifications.

    `event` names what happened for notifications ("reported", "returned"); an imported
    episode tells nobody. `escalations`: what else the change tells people of (graded high,
    reclassified as missing, an interview or concern shared, exploitation indicators, 72 hours
    missing: `homeward.notifications.escalations`); a report also tells the people with
    parental responsibility of a looked-after child. Obligations are refreshed for every
    episode `reach` covers, with the child's facts built once; `new_episode`: what a report
    wrote of the episode it created, so that its facts are not read back; `facts_builder`: the
    child's facts as the service has read them in this transaction (a report's), not read again;
    `known`: the rows the people told are found among, read with them (a report's).
    """
    child_id = child if isinstance(child, int) else child.pk
    lines: Iterable[Chronicle] = (chronicle,) if isinstance(chronicle, Chronicle) else chronicle
    chronology = Rows([
        ChronologyEntry(child_id=child_id, episode=episode, at=line.at, recorded_by=actor, kind=line.kind,
                        summary=line.summary)
        for line in lines
    ])
    if audit is not None:
        # The chronology with the entry: one statement on PostgreSQL.
        audit_record(actor=actor, action=audit.action, object_type=audit.object_type, object_id=audit.object_id,
                     child_id=child_id, detail=audit.detail, together=chronology)
    else:
        insert_together(chronology)
    notify = episode is not None and event in NOTIFYING_EVENTS and not episode.imported_from
    escalate = list(escalations) if episode is not None and not episode.imported_from else []
    if notify and event == "reported":
        assert episode is not None
        escalate.append(Escalation(NotificationEvent.PARENTAL_RESPONSIBILITY, episode.reported_at, "report"))
    # A cross-border child's event, for the other authority's Homeward (ADR 0015).
    exchange = episode is not None and event in EXCHANGED_EVENTS
    batch = _batch.get()
    if batch is not None:
        # The batch refreshes what this reaches at its end. Notifications read the child
        # themselves, and only when they are sent (a batch of history is mostly quiet).
        batch.add(child_id, episode, reach)
        if notify:
            assert episode is not None
            notifications_for_event(episode=episode, event=event)
        if escalate:
            assert episode is not None
            escalations_notify(episode=episode, escalations=escalate)
        if exchange:
            assert episode is not None
            exchange_for_event(episode=episode, event=event)
        return Committed(episodes=())
    affected = _affected(child_id, episode, reach, facts_builder)
    if not affected and not notify and not escalate and not exchange:
        # Nothing the protocol reads changed (a note, an agreed action): no facts to build.
        return Committed(episodes=())
    fresh = (episode.pk, new_episode) if episode is not None and new_episode is not None else None
    builder = _refresh(child_id, affected, fresh, facts_builder) if affected else (
        facts_builder or FactsBuilder.for_child(child_id))
    if notify:
        assert episode is not None
        episode.child = builder.child
        notifications_for_event(episode=episode, event=event, child_facts=builder.child_facts,
                                fresh=new_episode is not None, known=known)
    if escalate:
        assert episode is not None
        episode.child = builder.child
        escalations_notify(episode=episode, escalations=escalate, facts=builder.child_facts,
                           fresh=new_episode is not None, known=known)
    if exchange:
        assert episode is not None
        episode.child = builder.child
        exchange_for_event(episode=episode, event=event, child_facts_known=builder.child_facts,
                           partners_known=known.exchange_partners if known is not None else None)
    return Committed(episodes=tuple(e.pk for e in affected))
