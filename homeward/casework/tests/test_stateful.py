"""What is due is always right (issue 10): random sequences of casework, checked after every step.

A hypothesis state machine drives the services as people do (report, regrade, reclassify,
whereabouts, actions, meetings, found, each step of the return interview, cancel, close,
import, changes of legal status, placement and allocation; several children, several
episodes each). After every step:

- every episode's stored obligations, as listed at this instant, equal `evaluate` at this
  instant (code, instance, times, status, owner's queue);
- every person's own worklist equals what those obligations say: the live obligations owned
  by them (`obligation_owner` from the child's allocation), among the children they may see.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from homeward.accounts.permissions import visible_children
from homeward.accounts.services import user_create
from homeward.casework import episodes as episode_services
from homeward.casework import interviews as rhi_services
from homeward.casework.children import child_update
from homeward.casework.meetings import strategy_meeting_record
from homeward.children.models import Child
from homeward.children.services import PlacementInput, child_create
from homeward.common.errors import DomainValidationError
from homeward.episodes.actions import ACTION_LABELS
from homeward.episodes.models import Episode
from homeward.interviews.models import ReturnInterview
from homeward.obligations.models import StoredObligation
from homeward.obligations.owners import obligation_owner
from homeward.obligations.selectors import LIVE_STATUSES, obligation_rows_for_user, stored_status
from homeward.obligations.services import episode_obligations_evaluate

pytestmark = pytest.mark.django_db(transaction=False)
# What the machine managed to record: the tour asserts it reached every kind of casework, so
# that steps refused every time cannot pass unnoticed.
RECORDED: Counter[str] = Counter()

ROLES = ("coordinator", "mct_admin", "social_worker", "team_manager", "service_leader", "police_liaison",
         "rhi_practitioner")
PLACEMENTS = ("941", "940", "855", "203")  # home, neighbour, further neighbour, far away


class Casework(RuleBasedStateMachine):
    """Random casework against a real database, rolled back after each example."""

    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.clock = timezone.now().replace(microsecond=0) - timedelta(days=100)
        self.people: dict[str, Any] = {}
        self.children: list[Child] = []

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # Setting up: a team, one person in each role, three children of different kinds.

    @initialize(back_after_hours=st.integers(1, 200))
    def people_and_children(self, back_after_hours: int) -> None:
        suffix = str(id(self))[-6:]
        for role in ROLES:
            self.people[role] = user_create(username=f"{role}-{suffix}", role=role, password="a-long-test-password",
                                            team_name="North" if role in ("social_worker", "team_manager") else "",
                                            validate=False)
        self.people["other_worker"] = user_create(username=f"sw2-{suffix}", role="social_worker",
                                                  password="a-long-test-password", team_name="South", validate=False)
        lead = self.people["coordinator"]
        kinds = [
            {"legal_status": "looked_after", "responsible_authority": "941",
             "placement": PlacementInput(authority="941", provider="Oakfield"),
             "allocated_worker": self.people["social_worker"].username, "team": "North"},
            {"legal_status": "child_in_need", "responsible_authority": "941"},
            # Another authority's child placed here: the host's duties only.
            {"legal_status": "looked_after", "responsible_authority": "203",
             "placement": PlacementInput(authority="941", provider="Oakfield")},
        ]
        for index, kind in enumerate(kinds):
            self.children.append(child_create(
                actor=lead, external_id=f"SM{suffix}{index}", given_name="Sam", family_name=f"Test{index}",
                date_of_birth=date(2011, 3, 4), sex="female", legal_status_since=date(2015, 1, 1), **kind))
        self._a_child_already_back(back_after_hours)

    def _a_child_already_back(self, hours: int) -> None:
        """Most runs should reach the follow-up after a return: one episode is over already."""
        episode = episode_services.episode_report(
            actor=self.people["coordinator"], child=self.children[0], reported_at=self.clock,
            reported_by="placement_provider", classification="missing").episode
        self.clock += timedelta(hours=hours)
        episode_services.episode_record_found(actor=self.people["coordinator"], episode=episode, found_at=self.clock)

    # Time passes (never beyond the present: the services refuse the future).

    @precondition(lambda self: self.clock < timezone.now() - timedelta(days=4))
    @rule(hours=st.integers(min_value=1, max_value=80))
    def time_passes(self, hours: int) -> None:
        self.clock += timedelta(hours=hours)

    def _try(self, call: Any, **kwargs: Any) -> Any:
        try:
            with transaction.atomic():
                result = call(**kwargs)
        except DomainValidationError:
            return None
        RECORDED[call.__name__] += 1
        return result

    def _has(self, status: str) -> bool:
        return Episode.objects.filter(child__in=self.children, status=status).exists()

    def _episodes(self) -> list[Episode]:
        return list(Episode.objects.filter(child__in=self.children).order_by("pk"))

    # Casework.

    @rule(child=st.integers(0, 2), classification=st.sampled_from(["missing", "absent"]),
          reported_by=st.sampled_from(["police", "parent_carer", "placement_provider"]),
          risk=st.sampled_from(["", "low", "medium", "high"]), seen_hours_before=st.integers(0, 30),
          then=st.sampled_from(["", "reclassify", "whereabouts"]))
    def report(self, child: int, classification: str, reported_by: str, risk: str, seen_hours_before: int,
               then: str) -> None:
        """A report, and sometimes at once a change of its classification or of M or A."""
        lead = self.people["coordinator"]
        result = self._try(episode_services.episode_report, actor=lead, child=self.children[child],
                           reported_at=self.clock, reported_by=reported_by,
                           last_seen_at=self.clock - timedelta(hours=seen_hours_before),
                           classification=classification, risk_level=risk)
        if result is None or not then:
            return
        if then == "reclassify":
            other = "absent" if classification == "missing" else "missing"
            self._try(episode_services.episode_reclassify, actor=lead, episode=result.episode, classification=other,
                      at=self.clock)
        else:
            self._try(episode_services.episode_change_whereabouts, actor=lead, episode=result.episode,
                      whereabouts_known=True, at=self.clock)

    @rule(child=st.integers(0, 2), days_ago=st.integers(1, 120), length_hours=st.integers(1, 200))
    def import_history(self, child: int, days_ago: int, length_hours: int) -> None:
        start = self.clock - timedelta(days=days_ago)
        self._try(episode_services.episode_report, actor=self.people["coordinator"], child=self.children[child],
                  reported_at=start, reported_by="other", imported_from="stateful test",
                  found_at=min(start + timedelta(hours=length_hours), self.clock))

    def _pick(self, index: int, *statuses: str) -> Episode | None:
        episodes = [e for e in self._episodes() if not statuses or e.status in statuses]
        return episodes[index % len(episodes)] if episodes else None

    @rule(index=st.integers(0, 20), level=st.sampled_from(["low", "medium", "high"]))
    def regrade(self, index: int, level: str) -> None:
        episode = self._pick(index, "open", "returned")
        if episode is not None:
            self._try(episode_services.episode_regrade_risk, actor=self.people["coordinator"], episode=episode,
                      risk_level=level, graded_at=self.clock)

    @precondition(lambda self: self._has("open"))
    @rule(index=st.integers(0, 20), classification=st.sampled_from(["missing", "absent"]))
    def reclassify(self, index: int, classification: str) -> None:
        episode = self._pick(index, "open")
        if episode is not None:
            self._try(episode_services.episode_reclassify, actor=self.people["coordinator"], episode=episode,
                      classification=classification, at=self.clock)

    @precondition(lambda self: self._has("open"))
    @rule(index=st.integers(0, 20), known=st.booleans())
    def whereabouts(self, index: int, known: bool) -> None:
        episode = self._pick(index, "open")
        if episode is not None:
            self._try(episode_services.episode_change_whereabouts, actor=self.people["coordinator"],
                      episode=episode, whereabouts_known=known, at=self.clock)

    @rule(index=st.integers(0, 20), action=st.sampled_from(sorted(ACTION_LABELS)),
          hours_back=st.integers(0, 48))
    def record_action(self, index: int, action: str, hours_back: int) -> None:
        episode = self._pick(index, "open", "returned")
        if episode is not None:
            self._try(episode_services.episode_record_action, actor=self.people["coordinator"], episode=episode,
                      action=action, at=self.clock - timedelta(hours=hours_back), police_reference=f"R{episode.pk}",
                      police_force="northamptonshire")

    @rule(index=st.integers(0, 20))
    def meeting(self, index: int) -> None:
        episode = self._pick(index, "open", "returned")
        if episode is not None:
            self._try(strategy_meeting_record, actor=self.people["coordinator"], episode=episode, held_at=self.clock,
                      kind="missing_strategy", attendees=["Co-ordinator"])

    @precondition(lambda self: self._has("open"))
    @rule(index=st.integers(0, 20))
    def found(self, index: int) -> None:
        episode = self._pick(index, "open")
        if episode is not None:
            self._try(episode_services.episode_record_found, actor=self.people["coordinator"], episode=episode,
                      found_at=self.clock)

    @precondition(lambda self: self._has("returned"))
    @rule(index=st.integers(0, 20), to_coordinator=st.booleans())
    def rhi_allocate(self, index: int, to_coordinator: bool) -> None:
        episode = self._pick(index, "returned")
        if episode is not None:
            practitioner = self.people["coordinator" if to_coordinator else "rhi_practitioner"]
            self._try(rhi_services.rhi_allocate, actor=self.people["coordinator"], episode=episode,
                      practitioner=practitioner, allocated_at=self.clock)

    @precondition(lambda self: self._has("returned"))
    @rule(index=st.integers(0, 20), answer=st.sampled_from(["", "accepted", "declined"]))
    def rhi_offer(self, index: int, answer: str) -> None:
        episode = self._pick(index, "returned")
        if episode is not None:
            self._try(rhi_services.rhi_record_offer, actor=self.people["coordinator"], episode=episode,
                      offered_at=self.clock, method="Visit", answer=answer)

    @precondition(lambda self: self._has("returned"))
    @rule(index=st.integers(0, 20), outcome=st.sampled_from(["declined", "no_contact"]))
    def rhi_interview(self, index: int, outcome: str) -> None:
        episode = self._pick(index, "returned")
        if episode is not None:
            self._try(rhi_services.rhi_record_interview, actor=self.people["coordinator"], episode=episode,
                      record=rhi_services.InterviewRecord(outcome=outcome, conducted_at=self.clock))

    @precondition(lambda self: self._has("returned"))
    @rule(index=st.integers(0, 20), steps=st.sampled_from([5, 5, 4, 3, 2, 1]), hours=st.integers(1, 30))
    def return_interview_through(self, index: int, steps: int, hours: int) -> None:
        """The return interview's steps one after another, `hours` apart, as far as `steps`."""
        episode = self._pick(index, "returned")
        if episode is None:
            return
        lead = self.people["coordinator"]
        calls = [
            (rhi_services.rhi_allocate, {"practitioner": self.people["rhi_practitioner"], "allocated_at": None}),
            (rhi_services.rhi_record_offer, {"offered_at": None, "method": "Visit", "answer": "accepted"}),
            (rhi_services.rhi_record_interview, {"record": None}),
            (rhi_services.rhi_authorise, {"authorised_at": None}),
            (rhi_services.rhi_share, {"shared_at": None, "recipients": ["police", "social_worker", "iro"]}),
        ][:steps]
        for call, arguments in calls:
            if self.clock + timedelta(hours=hours) < timezone.now() - timedelta(days=1):
                self.clock += timedelta(hours=hours)
            values = {name: self.clock if value is None and name != "record" else value
                      for name, value in arguments.items()}
            if "record" in values:
                values["record"] = rhi_services.InterviewRecord(outcome="declined", conducted_at=self.clock)
            self._try(call, actor=lead, episode=episode, **values)

    @rule(index=st.integers(0, 20))
    def rhi_amend(self, index: int) -> None:
        episode = self._pick(index, "returned", "closed")
        if episode is not None:
            self._try(rhi_services.rhi_amend, actor=self.people["coordinator"], episode=episode,
                      record=rhi_services.InterviewRecord(outcome="no_contact", conducted_at=self.clock),
                      amended_at=self.clock, reason="Corrected")

    @rule(index=st.integers(0, 20))
    def rhi_authorise(self, index: int) -> None:
        episode = self._pick(index, "returned", "closed")
        if episode is not None:
            self._try(rhi_services.rhi_authorise, actor=self.people["coordinator"], episode=episode,
                      authorised_at=self.clock)

    @rule(index=st.integers(0, 20), everyone=st.booleans())
    def rhi_share(self, index: int, everyone: bool) -> None:
        episode = self._pick(index, "returned", "closed")
        if episode is not None:
            recipients = ["police", "social_worker", "iro"] if everyone else ["police"]
            self._try(rhi_services.rhi_share, actor=self.people["coordinator"], episode=episode,
                      shared_at=self.clock, recipients=recipients)

    @rule(index=st.integers(0, 20))
    def cancel(self, index: int) -> None:
        episode = self._pick(index, "open", "returned")
        if episode is not None:
            self._try(episode_services.episode_cancel, actor=self.people["coordinator"], episode=episode,
                      reason="Reported in error")

    @precondition(lambda self: self._has("returned"))
    @rule(index=st.integers(0, 20), with_reason=st.booleans())
    def close(self, index: int, with_reason: bool) -> None:
        episode = self._pick(index, "returned")
        if episode is not None:
            self._try(episode_services.episode_close, actor=self.people["coordinator"], episode=episode,
                      closed_at=self.clock, reason="Reviewed: no longer possible" if with_reason else "")

    @rule(child=st.integers(0, 2), status=st.sampled_from(["looked_after", "child_in_need", "none"]))
    def change_legal_status(self, child: int, status: str) -> None:
        self._try(child_update, actor=self.people["coordinator"], child=self.children[child], legal_status=status,
                  legal_status_since=(self.clock - timedelta(days=200)).date())

    @rule(child=st.integers(0, 2), authority=st.sampled_from(PLACEMENTS))
    def change_placement(self, child: int, authority: str) -> None:
        self._try(child_update, actor=self.people["coordinator"], child=self.children[child],
                  placement=PlacementInput(authority=authority, provider=f"Home in {authority}"))

    @rule(child=st.integers(0, 2), allocation=st.sampled_from(["worker", "team", "nobody", "other"]))
    def change_allocation(self, child: int, allocation: str) -> None:
        worker = {"worker": self.people["social_worker"].username, "other": self.people["other_worker"].username}
        team = {"worker": "North", "team": "North", "other": "South"}
        self._try(child_update, actor=self.people["coordinator"], child=self.children[child],
                  allocated_worker=worker.get(allocation), team=team.get(allocation))

    # What must hold after every step.

    @invariant()
    def stored_obligations_equal_the_engine(self) -> None:
        now = timezone.now()
        for episode in Episode.objects.filter(child__in=self.children).select_related("child"):
            engine = {(o.code, o.instance): (o.arises_at, o.due_at, o.done_at, o.status, o.for_information)
                      for o in episode_obligations_evaluate(episode, now)}
            stored = {(r.code, r.instance): (r.arises_at, r.due_at, r.done_at if stored_status(r, now) == "done"
                                             else None, stored_status(r, now), r.for_information)
                      for r in StoredObligation.objects.filter(episode=episode, listed_from__lte=now)}
            assert stored == engine, f"episode {episode.pk} ({episode.status})"

    @invariant()
    def every_worklist_is_what_the_obligations_say(self) -> None:
        if not self.people:
            return
        now = timezone.now()
        practitioners = dict(ReturnInterview.objects.values_list("episode_id", "practitioner_id"))
        live: list[tuple[Any, Any]] = []
        for episode in Episode.objects.filter(child__in=self.children).select_related("child"):
            child = episode.child
            for o in episode_obligations_evaluate(episode, now):
                if o.status in LIVE_STATUSES and not o.for_information:
                    owner = obligation_owner(
                        responsible_role=o.responsible_role, allocated_worker_id=child.allocated_worker_id,
                        team_id=child.team_id, practitioner_id=practitioners.get(episode.pk),
                        for_information=False)
                    live.append(((episode.pk, o.code, o.instance), (owner, o.responsible_role, child.pk)))
        for person in self.people.values():
            visible = set(visible_children(person).filter(pk__in=[c.pk for c in self.children])
                          .values_list("pk", flat=True))
            expected = {key for key, (owner, role, child_id) in live
                        if child_id in visible and _owns(person, owner, role)}
            shown = {(r.episode_id, r.code, r.instance) for r in obligation_rows_for_user(person, as_of=now, mine=True)
                     if r.child_id in {c.pk for c in self.children} and stored_status(r, now) in LIVE_STATUSES}
            assert shown == expected, person.username


EVERY_KIND = {
    "episode_report", "episode_record_found", "episode_record_action", "episode_regrade_risk",
    "episode_reclassify", "episode_change_whereabouts", "episode_cancel", "episode_close",
    "strategy_meeting_record", "rhi_allocate", "rhi_record_offer", "rhi_record_interview", "rhi_authorise",
    "rhi_share", "child_update",
}


def _owns(person: Any, owner: Any, role: str) -> bool:
    if owner.queue == "person":
        return owner.user_id == person.pk
    if owner.queue == "role":
        return role == person.role
    if owner.queue == "team":
        return person.team_id == owner.team_id and (person.role == "team_manager" or role == person.role)
    return owner.queue == "front_door" and person.role in ("coordinator", "mct_admin")


def test_a_tour_of_every_kind_of_casework_keeps_the_invariants() -> None:
    """The machine's own steps in a fixed order, so that every kind of casework is known to run
    through the checks, whatever the random runs below happen to choose."""
    RECORDED.clear()
    machine = Casework()
    try:
        machine.people_and_children(back_after_hours=30)
        steps = [
            ("time_passes", {"hours": 60}),
            ("report", {"child": 1, "classification": "absent", "reported_by": "parent_carer", "risk": "medium",
                        "seen_hours_before": 2, "then": "reclassify"}),
            ("report", {"child": 2, "classification": "missing", "reported_by": "placement_provider", "risk": "high",
                        "seen_hours_before": 1, "then": "whereabouts"}),
            ("regrade", {"index": 1, "level": "high"}),
            ("record_action", {"index": 1, "action": "risk_analysis", "hours_back": 0}),
            ("meeting", {"index": 1}),
            ("time_passes", {"hours": 80}),
            ("found", {"index": 0}),
            ("return_interview_through", {"index": 0, "steps": 5, "hours": 3}),
            ("rhi_amend", {"index": 0}),
            ("rhi_authorise", {"index": 0}),
            ("import_history", {"child": 1, "days_ago": 60, "length_hours": 20}),
            ("change_allocation", {"child": 1, "allocation": "nobody"}),
            ("change_placement", {"child": 0, "authority": "855"}),
            ("change_legal_status", {"child": 1, "status": "looked_after"}),
            ("time_passes", {"hours": 30}),
            ("close", {"index": 0, "with_reason": True}),
            ("cancel", {"index": 0}),
        ]
        for name, arguments in steps:
            getattr(machine, name)(**arguments)
            machine.stored_obligations_equal_the_engine()
            machine.every_worklist_is_what_the_obligations_say()
    finally:
        machine.teardown()
    reached = {name for name, count in RECORDED.items() if count}
    assert reached >= EVERY_KIND, f"never recorded: {sorted(EVERY_KIND - reached)}"


# The invariants are the engine's and the casework services', the same on both databases, and a
# program costs four times as much on PostgreSQL: its pass runs fewer of them (CI time).
PROGRAMS = 25 if connection.vendor == "sqlite" else 8


def test_stored_obligations_and_worklists_follow_random_casework() -> None:
    run_state_machine_as_test(Casework, settings=settings(
        max_examples=PROGRAMS, stateful_step_count=40, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
