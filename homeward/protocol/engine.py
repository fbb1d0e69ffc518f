"""The engine: `plan` and `evaluate`, and the API's view of an obligation.

ARCHITECTURE.md, Habits 1: "`evaluate(facts, policy, as_of)` reads no clock, settings or
database", so every deadline can be tested exhaustively and replayed when a protocol
changes.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from homeward.protocol.calendar import require_aware
from homeward.protocol.facts import Facts
from homeward.protocol.obligation import Basis, Draft, Obligation, status_at
from homeward.protocol.policy import Protocol, ProtocolVersion
from homeward.protocol.rules import HOST_AUTHORITY_DUTIES, RETURN_INTERVIEW_CHAIN, RULES, SPECS, Context


def _for_information(ctx: Context, draft: Draft) -> Draft:
    """DOMAIN.md sections 3 and 4: for another authority's looked-after child placed in the
    home authority, the home authority owes only its own duties (the safe-and-well check,
    the police's notifications, and the return interview chain when it conducts the
    interview); every other obligation is the placing authority's, shown for information."""
    routing = ctx.routing
    if not routing.placing_authority_child or draft.code in HOST_AUTHORITY_DUTIES:
        return draft
    if routing.conducted_by_home and draft.code in RETURN_INTERVIEW_CHAIN:
        return draft
    why = f"the placing authority's duty (LA code {ctx.child.responsible_authority}); shown for information"
    note = f"{draft.basis.note}; {why}" if draft.basis.note else why
    return replace(draft, basis=replace(draft.basis, note=note), for_information=True)


def _closed(ctx: Context, draft: Draft) -> Draft:
    """DOMAIN.md section 5a: closing an episode with duties outstanding needs a manager's
    reason; they become `not_done`. An obligation that arose by the closure and was not done
    by then ends at the closure, with the reason. A window that lapsed before the closure ends
    there too and stays `missed` (`status_at` reads the lapse first): every stored row of a
    closed episode then has an end, and leaves the indexes of what is still to be done, where
    a closed episode's missed daily updates stayed for ever (issue 11)."""
    closed_at = ctx.known(ctx.episode.closed_at)
    if closed_at is None or draft.arises_at > closed_at:
        return draft
    if draft.done_at is not None and draft.done_at <= closed_at:
        return draft
    return replace(draft, ended_at=closed_at, ended_reason=ctx.episode.close_reason)


def _finish(draft: Draft, as_of: datetime) -> Obligation:
    """The obligation with its status at `as_of`: `status_at` once it is listed, and
    `upcoming` before (only a duty arising at a report made after `as_of` can have been
    done before it is listed: evaluated between `missing_since` and `reported_at`)."""
    spec = SPECS[draft.code]
    listed_from = draft.arises_at if draft.listed_from is None else draft.listed_from
    status = status_at(
        arises_at=draft.arises_at,
        due_at=draft.due_at,
        done_at=draft.done_at,
        lapses_at=draft.lapses_at,
        ended_at=draft.ended_at,
        as_of=as_of,
    )
    if listed_from > as_of:
        status = "upcoming"
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
        listed_from=listed_from,
        lapses_at=draft.lapses_at,
        ended_at=draft.ended_at,
        ended_reason=draft.ended_reason,
        for_information=draft.for_information,
    )


def plan(
    facts: Facts,
    policy: Protocol | ProtocolVersion,
    as_of: datetime,
    *,
    through: datetime | None = None,
) -> tuple[Obligation, ...]:
    """The obligations of one episode as known at `as_of`, with the repeating ones (carer
    updates, strategy meeting reviews) generated up to `through` (default `as_of`; it must
    not be before `as_of`), sorted by due time, code and instance.

    Only facts that happened by `as_of` count; each row has its `listed_from` and its
    status at `as_of`: `status_at` of its instants, or `upcoming` for a row listed only
    after `as_of`. Nothing in a row
    depends on `through`, only which rows there are, so the rows of a plan stay right for
    any instant up to `through` while no new fact arrives: the Django side stores
    `plan(facts, policy, now, through=now + 8 days)` and lists the rows with
    `listed_from <= as_of` at read time, with `status_at`.

    `policy` is a whole protocol (the version in force on `reported_at`'s Europe/London
    date is used) or one version. A cancelled episode (cancelled by `as_of`) has no
    obligations at all: it was reported in error, so nothing was ever owed; before its
    cancellation it is planned like any other. When the episode's closure is known, every
    obligation outstanding then ends with it (`not_done`, with the closing reason).
    """
    as_of = require_aware(as_of, "as_of")
    episode = facts.episode
    version = policy.version_for(episode.reported_at) if isinstance(policy, Protocol) else policy
    ctx = Context.build(facts, version, as_of, through)
    if episode.cancelled_at is not None and episode.cancelled_at <= as_of:
        return ()
    drafts = (_closed(ctx, _for_information(ctx, draft)) for rule in RULES for draft in rule(ctx))
    obligations = [_finish(draft, as_of) for draft in drafts]
    return tuple(sorted(obligations, key=lambda o: (o.due_at, o.code, o.instance)))


def evaluate(facts: Facts, policy: Protocol | ProtocolVersion, as_of: datetime) -> tuple[Obligation, ...]:
    """The obligations of one episode listed at `as_of`, sorted by due time, code and
    instance: those of `plan(facts, policy, as_of)` with `listed_from <= as_of`.

    `policy` is a whole protocol (the version in force on `reported_at`'s Europe/London
    date is used) or one version. Only facts that happened by `as_of` count. A cancelled
    episode (cancelled by `as_of`) has no obligations at all: it was reported in error, so
    nothing was ever owed; before its cancellation it is evaluated like any other.
    """
    as_of = require_aware(as_of, "as_of")
    return tuple(o for o in plan(facts, policy, as_of) if o.listed_from <= as_of)


def iso_or_none(instant: datetime | None) -> str | None:
    """An instant as ISO 8601, or None (as the API and the stored rows give them)."""
    return instant.isoformat() if instant is not None else None


def basis_to_dict(basis: Basis) -> dict[str, object]:
    """Why an obligation is owed, as `obligation_to_dict` gives it (and its stored row keeps it)."""
    return {
        "rule": basis.rule,
        "trigger": basis.trigger,
        "trigger_at": iso_or_none(basis.trigger_at),
        "policy_value": basis.policy_value,
        "citation": basis.citation,
        "note": basis.note,
        "deadline": basis.deadline,
        "deadline_from": basis.deadline_from,
    }


def obligation_to_dict(obligation: Obligation) -> dict[str, object]:
    """The obligation as the API's `obligations` endpoint shows it (API.md), plus its
    `basis` and `done_recorded_at`, `listed_from`, `lapses_at`, `ended_at`, `ended_reason`
    and `for_information`; instants as ISO 8601 strings in UTC, or None."""
    return {
        "code": obligation.code,
        "instance": obligation.instance,
        "title": obligation.title,
        "responsible_role": obligation.responsible_role,
        "arises_at": iso_or_none(obligation.arises_at),
        "due_at": iso_or_none(obligation.due_at),
        "done_at": iso_or_none(obligation.done_at),
        "done_recorded_at": iso_or_none(obligation.done_recorded_at),
        "status": obligation.status,
        "late": obligation.late,
        "listed_from": iso_or_none(obligation.listed_from),
        "lapses_at": iso_or_none(obligation.lapses_at),
        "ended_at": iso_or_none(obligation.ended_at),
        "ended_reason": obligation.ended_reason,
        "for_information": obligation.for_information,
        "basis": basis_to_dict(obligation.basis),
    }
