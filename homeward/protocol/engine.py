"""The engine: `evaluate(facts, policy, as_of)` and the API's view of an obligation.

ARCHITECTURE.md, Habits 1: "`evaluate(facts, policy, as_of)` reads no clock, settings or
database", so every deadline can be tested exhaustively and replayed when a protocol
changes.
"""

from __future__ import annotations

from datetime import datetime

from homeward.protocol.calendar import require_aware
from homeward.protocol.facts import Facts
from homeward.protocol.obligation import Draft, Obligation, Status
from homeward.protocol.policy import Protocol, ProtocolVersion
from homeward.protocol.rules import RULES, SPECS, Context


def _status(draft: Draft, as_of: datetime) -> Status:
    if draft.done_at is not None and draft.done_at <= as_of:
        return "done"
    if as_of < draft.arises_at:
        return "upcoming"
    if as_of > draft.due_at:
        return "overdue"
    return "pending"


def _finish(draft: Draft, as_of: datetime) -> Obligation:
    spec = SPECS[draft.code]
    status = _status(draft, as_of)
    done_at = draft.done_at if status == "done" else None
    return Obligation(
        code=draft.code,
        instance=draft.instance,
        title=spec.title,
        responsible_role=spec.responsible_role,
        arises_at=draft.arises_at,
        due_at=draft.due_at,
        done_at=done_at,
        done_recorded_at=draft.done_recorded_at if done_at is not None else None,
        status=status,
        late=done_at is not None and done_at > draft.due_at,
        basis=draft.basis,
    )


def evaluate(facts: Facts, policy: Protocol | ProtocolVersion, as_of: datetime) -> tuple[Obligation, ...]:
    """The obligations of one episode at `as_of`, sorted by due time, code and instance.

    `policy` is a whole protocol (the version in force on `reported_at`'s Europe/London
    date is used) or one version. Only facts that happened by `as_of` count. A cancelled
    episode (cancelled by `as_of`) has no obligations at all: it was reported in error, so
    nothing was ever owed; before its cancellation it is evaluated like any other.
    """
    as_of = require_aware(as_of, "as_of")
    episode = facts.episode
    if episode.cancelled_at is not None and episode.cancelled_at <= as_of:
        return ()
    version = policy.version_for(episode.reported_at) if isinstance(policy, Protocol) else policy
    ctx = Context.build(facts, version, as_of)
    obligations = [_finish(draft, as_of) for rule in RULES for draft in rule(ctx)]
    return tuple(sorted(obligations, key=lambda o: (o.due_at, o.code, o.instance)))


def _iso(instant: datetime | None) -> str | None:
    return instant.isoformat() if instant is not None else None


def obligation_to_dict(obligation: Obligation) -> dict[str, object]:
    """The obligation as the API's `obligations` endpoint shows it (API.md), plus its
    `basis` and `done_recorded_at`; instants as ISO 8601 strings in UTC."""
    basis = obligation.basis
    return {
        "code": obligation.code,
        "instance": obligation.instance,
        "title": obligation.title,
        "responsible_role": obligation.responsible_role,
        "arises_at": _iso(obligation.arises_at),
        "due_at": _iso(obligation.due_at),
        "done_at": _iso(obligation.done_at),
        "done_recorded_at": _iso(obligation.done_recorded_at),
        "status": obligation.status,
        "late": obligation.late,
        "basis": {
            "rule": basis.rule,
            "trigger": basis.trigger,
            "trigger_at": _iso(basis.trigger_at),
            "policy_value": basis.policy_value,
            "citation": basis.citation,
            "note": basis.note,
        },
    }
