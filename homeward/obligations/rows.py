"""An episode's obligations as rows: what the engine plans, each with its owner, unsaved.

The casework refresh stores them; a read at an instant beyond an episode's stored horizon
builds them in memory instead, so the answer is the same and nothing is written."""

from __future__ import annotations

from datetime import datetime

from homeward.children.models import Child
from homeward.common.bulk import Documents
from homeward.episodes.models import Episode
from homeward.protocol.engine import basis_to_dict, iso_or_none, plan
from homeward.protocol.facts import Facts
from homeward.protocol.obligation import Obligation

from .facts import facts_for_episode
from .models import StoredObligation
from .owners import Owner, obligation_owner
from .protocol_source import active_protocol

STORED_FIELDS = ("title", "responsible_role", "arises_at", "due_at", "done_at", "done_recorded_at", "late",
                 "basis", "listed_from", "lapses_at", "ended_at", "ended_reason", "for_information",
                 "owner_queue", "owner_user_id", "owner_team_id")


def _practitioner_id(episode: Episode) -> int | None:
    from homeward.interviews.models import ReturnInterview

    return ReturnInterview.objects.filter(episode_id=episode.pk).values_list("practitioner_id", flat=True).first()


def planned_obligations(episode: Episode, *, now: datetime, through: datetime,
                        facts: Facts | None = None) -> tuple[Obligation, ...]:
    """The engine's plan for the episode at `now`, repeating obligations generated up to
    `through`. An imported historical episode owes nothing: its follow-up belonged to the old
    system."""
    if episode.imported_from:
        return ()
    return plan(facts or facts_for_episode(episode), active_protocol(), now, through=through)


def _planned(episode: Episode, *, now: datetime, through: datetime, facts: Facts | None, child: Child | None,
             new: bool) -> list[tuple[Obligation, Owner]]:
    obligations = planned_obligations(episode, now=now, through=through, facts=facts)
    if not obligations:
        return []
    child = child or Child.objects.only("allocated_worker_id", "team_id").get(pk=episode.child_id)
    practitioner = None if new else _practitioner_id(episode)
    return [(obligation, obligation_owner(
        responsible_role=obligation.responsible_role, allocated_worker_id=child.allocated_worker_id,
        team_id=child.team_id, practitioner_id=practitioner, for_information=obligation.for_information,
    )) for obligation in obligations]


def planned_rows(episode: Episode, *, now: datetime, through: datetime, facts: Facts | None = None,
                 child: Child | None = None, new: bool = False) -> list[StoredObligation]:
    """The planned obligations as unsaved rows, each with its owner (`owners`). `child`: the
    child as it stands now, when the caller has read it (the episode's may be a stale copy);
    `new`: an episode just reported, with no return interview to read a practitioner from."""
    return [StoredObligation(
        episode=episode, child_id=episode.child_id, code=obligation.code, instance=obligation.instance,
        title=obligation.title, responsible_role=obligation.responsible_role, arises_at=obligation.arises_at,
        due_at=obligation.due_at, done_at=obligation.done_at, done_recorded_at=obligation.done_recorded_at,
        late=obligation.late, basis=basis_to_dict(obligation.basis), listed_from=obligation.listed_from,
        lapses_at=obligation.lapses_at, ended_at=obligation.ended_at, ended_reason=obligation.ended_reason,
        for_information=obligation.for_information, owner_queue=owner.queue, owner_user_id=owner.user_id,
        owner_team_id=owner.team_id, refreshed_at=now,
    ) for obligation, owner in _planned(episode, now=now, through=through, facts=facts, child=child, new=new)]


def planned_documents(episode: Episode, *, now: datetime, through: datetime, facts: Facts | None = None,
                      child: Child | None = None, new: bool = False) -> Documents:
    """The rows of `planned_rows` as their JSON, for an episode that has none stored yet (a
    report's): written as they are, without building an instance of each (issue 11)."""
    refreshed = now.isoformat()
    return Documents(StoredObligation, [{
        "episode_id": episode.pk, "child_id": episode.child_id, "code": obligation.code,
        "instance": obligation.instance, "title": obligation.title, "responsible_role": obligation.responsible_role,
        "arises_at": obligation.arises_at.isoformat(), "due_at": obligation.due_at.isoformat(),
        "done_at": iso_or_none(obligation.done_at), "done_recorded_at": iso_or_none(obligation.done_recorded_at),
        "late": obligation.late, "basis": basis_to_dict(obligation.basis),
        "listed_from": obligation.listed_from.isoformat(), "lapses_at": iso_or_none(obligation.lapses_at),
        "ended_at": iso_or_none(obligation.ended_at), "ended_reason": obligation.ended_reason,
        "for_information": obligation.for_information, "owner_queue": str(owner.queue),
        "owner_user_id": owner.user_id, "owner_team_id": owner.team_id, "refreshed_at": refreshed,
    } for obligation, owner in _planned(episode, now=now, through=through, facts=facts, child=child, new=new)])
