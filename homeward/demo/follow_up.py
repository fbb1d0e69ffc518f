"""Demonstration follow-up: what a busy but mostly diligent authority records after a
child goes missing, by recording the facts the protocol asks for through the services.

Most obligations are met on time, some late, a few not at all, so that worklists, the RHI
pipeline and the performance figures all have something true to show.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from homeward.accounts.models import User
from homeward.casework.episodes import episode_close, episode_record_action
from homeward.casework.interviews import (
    InterviewRecord,
    rhi_allocate,
    rhi_authorise,
    rhi_record_interview,
    rhi_record_offer,
    rhi_share,
)
from homeward.casework.meetings import AgreedAction, meeting_action_complete, strategy_meeting_record
from homeward.casework.plans import (
    PlanContent,
    PlannedAction,
    action_plan_record,
    plan_review_record,
    plan_update_record,
    return_visit_record,
)
from homeward.episodes.models import Episode
from homeward.obligations.protocol_source import active_protocol
from homeward.protocol import evaluate
from homeward.protocol.obligation import Obligation
from homeward.reference.selectors import coded_list

from .facts_so_far import FactsSoFar

MEETING_DECISIONS = [
    "Police to visit known addresses; social worker to speak to the child's friends at school.",
    "Share the Philomena profile with British Transport Police; check the child's social media.",
    "Carers to keep the phone line open; EDT to be told of any sighting overnight.",
]
RISK_ANALYSES = [
    "Risk lower since the return: the child named where they stayed and with whom.",
    "Risk remains medium: an older peer is still in contact; exploitation concerns shared with the police.",
]
SAFETY_PLANS = [
    "Curfew at ten agreed with the carer; the child will text the key worker if staying out.",
    "Trusted adult named; the placement will report after two hours, not six.",
]
VISIT_OUTCOMES = [
    "The child agreed the plan and wants to keep seeing the same key worker.",
    "Settled at the placement; a referral for counselling agreed.",
]
WISHES = [
    "Wants to move closer to her mum and sister.",
    "Says staff at the home do not listen; would like a different key worker.",
    "Wants to keep seeing his friends but agreed to come back by ten.",
    "Did not want to talk about where he went; said he felt safe.",
]


class FollowUp:
    """Records an episode's follow-up, as `actor` and `practitioner`, up to `now`."""

    def __init__(self, *, rng: random.Random, now: datetime, lead: User, practitioner: User) -> None:
        self.rng = rng
        self.now = now
        self.lead = lead
        self.practitioner = practitioner
        self.push = [item.code for item in coded_list("push_factors")]
        self.pull = [item.code for item in coded_list("pull_factors")]
        self.indicators = [item.code for item in coded_list("exploitation_indicators")]
        self.risks = [item.code for item in coded_list("risks")]

    def when(self, obligation: Obligation, *, on_time: float = 0.85) -> datetime | None:
        """A time to meet the obligation: mostly before it falls due, sometimes after."""
        window = max((obligation.due_at - obligation.arises_at).total_seconds(), 600.0)
        if self.rng.random() < on_time:
            at = obligation.arises_at + timedelta(seconds=window * self.rng.uniform(0.05, 0.9))
        else:
            at = obligation.due_at + timedelta(hours=self.rng.uniform(1, 30))
        at = at.replace(microsecond=0)
        return at if at <= self.now - timedelta(minutes=10) else None

    def run(self, episode: Episode) -> None:
        # The chance that an obligation is met at all (late or on time is decided apart): old
        # episodes have mostly been tidied up; recent ones are still in hand.
        recent = episode.missing_since > self.now - timedelta(days=21)
        diligence = 0.9 if recent else 0.985
        skipped: set[tuple[str, int]] = set()
        so_far = FactsSoFar(episode)
        obligations = self.evaluate(so_far)
        for _ in range(8):
            outstanding = [o for o in obligations
                           if o.status in ("pending", "overdue") and (o.code, o.instance) not in skipped]
            if not outstanding:
                break
            for obligation in outstanding:
                if self.rng.random() > diligence:
                    skipped.add((obligation.code, obligation.instance))
                    continue
                self.meet(episode, obligation, so_far)
                skipped.add((obligation.code, obligation.instance))
            obligations = self.evaluate(so_far)
        self.close_if_done(episode, obligations)

    def evaluate(self, so_far: FactsSoFar) -> tuple[Obligation, ...]:
        """The engine's answer for the episode as recorded so far, at `now`."""
        return evaluate(so_far.facts, active_protocol(), self.now)

    def meet(self, episode: Episode, obligation: Obligation, so_far: FactsSoFar) -> None:
        code = obligation.code
        if code == "parental_responsibility_informed" and obligation.instance > 1:
            return  # told of a return visit and its outcome: recorded with the visit
        if code == "action_plan":
            self.plan(episode, obligation, so_far)
        elif code == "return_visit":
            self.visit(episode, obligation, so_far)
        elif code == "plan_updated":
            at = self.when(obligation)
            if at:
                so_far.plan_update(plan_update_record(
                    actor=self.lead, episode=episode, updated_at=at,
                    risk_analysis=self.rng.choice(RISK_ANALYSES), safety_plan=self.rng.choice(SAFETY_PLANS),
                    what_changed="Added what the return home interview found to the plan."))
        elif code in ("strategy_meeting", "strategy_meeting_review"):
            at = self.when(obligation)
            if at:
                meeting = strategy_meeting_record(
                    actor=self.lead, episode=episode, held_at=at, kind="missing_strategy",
                    attendees=["Missing co-ordinator", "Allocated social worker", "Police missing person coordinator",
                               "Registered manager of the placement"],
                    decisions=self.rng.choice(MEETING_DECISIONS),
                    actions=[AgreedAction(owner="Police", description="Check addresses of known associates",
                                          due=(at + timedelta(days=2)).date())],
                )
                so_far.meeting(meeting)
                if so_far.has_plan:
                    plan_review_record(actor=self.lead, episode=episode, meeting=meeting,
                                       changes="Reviewed at the meeting: the plan stands, with the police's new "
                                               "action.",
                                       actions=[PlannedAction(owner="Allocated social worker",
                                                              description="Ask the child's friends at school "
                                                                          "to pass on a message",
                                                              due=(at + timedelta(days=1)).date())])
                # Most agreed actions were carried out within a couple of days; recent ones may be open.
                done_at = (at + timedelta(hours=self.rng.uniform(4, 60))).replace(microsecond=0)
                if done_at <= self.now - timedelta(minutes=10) and self.rng.random() < 0.95:
                    for action in meeting.actions.all():
                        meeting_action_complete(actor=self.lead, action=action, done_at=done_at,
                                                note="Addresses visited; nothing found.")
        elif code == "rhi_allocated":
            self.allocate(episode, obligation, so_far)
        elif code in ("rhi_offered", "rhi_completed"):
            self.interview(episode, obligation, so_far)
        elif code == "rhi_authorised":
            at = self.when(obligation, on_time=0.8)
            if at:
                so_far.interview(rhi_authorise(
                    actor=self.lead, episode=episode, authorised_at=at,
                    recommendations="Update the missing action plan; consider a referral to the MACE panel."))
        elif code == "rhi_shared":
            at = self.when(obligation, on_time=0.9)
            if at:
                so_far.sharing(rhi_share(actor=self.lead, episode=episode, shared_at=at,
                                         recipients=["police", "social_worker", "iro"]))
        else:
            at = self.when(obligation)
            if at:
                analysed = code == "risk_analysis"
                record = episode_record_action(
                    actor=self.lead, episode=episode, action=code, at=at,
                    police_reference=f"NP-D{episode.pk:05d}" if code == "police_informed" else "",
                    police_force="northamptonshire" if code == "police_informed" else "",
                    immediate_risks=self.rng.sample(self.risks, k=self.rng.randint(1, 3)) if analysed else (),
                    pull_factors=self.rng.sample(self.pull, k=self.rng.randint(0, 2)) if analysed else (),
                )
                so_far.action(record)

    def plan(self, episode: Episode, obligation: Obligation, so_far: FactsSoFar) -> None:
        """The missing child action plan, agreed mostly within the day of the report."""
        at = self.when(obligation)
        if at is None:
            return
        so_far.action_plan(action_plan_record(
            actor=self.lead, episode=episode, agreed_at=at,
            content=PlanContent(
                contact_by=self.rng.choice(["Allocated social worker", "Key worker at the placement"]),
                contact_how="Texts and calls to the child's phone every evening; messages on social media.",
                family_told="That the police and the social worker are looking, and any sighting.",
                family_how_often="Daily, and at once on any news",
                return_who_sees="The carer and the allocated social worker",
                return_where="At the placement",
                return_interviewer="The missing co-ordinator's RHI practitioner, whom the child knows",
            ),
            actions=[PlannedAction(owner="Police", description="Check the addresses of known friends",
                                   due=(at + timedelta(days=1)).date())],
        ))

    def visit(self, episode: Episode, obligation: Obligation, so_far: FactsSoFar) -> None:
        """The social worker's visit after the return; those with parental responsibility
        are told of it and its outcome a few hours later."""
        at = self.when(obligation, on_time=0.9)
        if at is None:
            return
        informed = (at + timedelta(hours=self.rng.uniform(1, 20))).replace(microsecond=0)
        told = informed <= self.now - timedelta(minutes=10)
        so_far.return_visit(return_visit_record(
            actor=self.lead, episode=episode, visited_at=at, visited_by="Allocated social worker",
            discussed_episode="Where the child went and who with, having read the return home interview.",
            prevention="Agreed a curfew plan and a trusted adult to call before leaving.",
            outcome=self.rng.choice(VISIT_OUTCOMES),
            parental_responsibility_informed_at=informed if told else None,
            parental_responsibility_informed="Mother, by phone" if told else "",
        ))

    def allocate(self, episode: Episode, obligation: Obligation, so_far: FactsSoFar) -> bool:
        """The co-ordinator allocates the interview, mostly within the day; True once allocated."""
        if so_far.facts.episode.rhi.allocated_at is not None:
            return True
        at = self.when(obligation, on_time=0.9)
        if at is None:
            return False
        so_far.interview(rhi_allocate(actor=self.lead, episode=episode, practitioner=self.practitioner,
                                      allocated_at=at))
        return True

    def interview(self, episode: Episode, obligation: Obligation, so_far: FactsSoFar) -> None:
        assert episode.found_at is not None
        rhi = so_far.facts.episode.rhi
        if rhi.allocated_at is None or rhi.offered_at is not None:
            return
        offered = max(self.when(obligation, on_time=0.85) or self.now, rhi.allocated_at + timedelta(minutes=30))
        if offered > self.now - timedelta(minutes=10):
            return
        so_far.interview(rhi_record_offer(
            actor=self.practitioner, episode=episode, offered_at=offered,
            method=self.rng.choice(["Home visit", "Phone call to the child", "Text then visit"])), offered_at=offered)
        conducted = offered + timedelta(hours=self.rng.uniform(2, 50))
        if conducted > self.now - timedelta(minutes=10):
            return
        outcome = self.rng.choices(["accepted", "declined", "no_contact"], weights=[7, 2, 1])[0]
        accepted = outcome == "accepted"
        so_far.interview(rhi_record_interview(actor=self.practitioner, episode=episode, record=InterviewRecord(
            outcome=outcome, conducted_at=conducted.replace(microsecond=0),
            method="face_to_face" if accepted else "", seen_alone=self.rng.random() < 0.8 if accepted else None,
            push_factors=self.rng.sample(self.push, k=self.rng.randint(1, 3)) if accepted else [],
            pull_factors=self.rng.sample(self.pull, k=self.rng.randint(1, 2)) if accepted else [],
            exploitation_indicators=(self.rng.sample(self.indicators, k=1)
                                     if accepted and self.rng.random() < 0.3 else []),
            reasons="Went to see friends after an argument at home." if accepted else "",
            whereabouts=episode.whereabouts if accepted else "",
            wishes_and_feelings=self.rng.choice(WISHES) if accepted else "",
            actions="Update the safety plan with the child." if accepted else "Offer again in a week.",
        )))

    def close_if_done(self, episode: Episode, obligations: tuple[Obligation, ...]) -> None:
        """Close the follow-up once done; an episode long returned with something never done
        is closed at the co-ordinator's monthly review with a reason, as managers do.
        `obligations`: the engine's answer for the episode as it stands."""
        if episode.status != "returned" or episode.found_at is None:
            return
        outstanding = [o for o in obligations if o.status in ("pending", "overdue", "upcoming")
                       and not o.for_information]
        last = max((o.done_at for o in obligations if o.done_at), default=episode.found_at)
        if not outstanding:
            closed = last + timedelta(hours=self.rng.uniform(2, 48))
            if closed <= self.now - timedelta(minutes=10):
                episode_close(actor=self.lead, episode=episode, closed_at=closed.replace(microsecond=0),
                              note="Follow-up complete.")
            return
        review = episode.found_at + timedelta(days=35)
        if review <= self.now - timedelta(minutes=10) and all(o.status != "upcoming" for o in outstanding):
            episode_close(actor=self.lead, episode=episode, closed_at=max(review, last).replace(microsecond=0),
                          note="Closed at the monthly review.",
                          reason="Reviewed with the team manager: the child is settled and the remaining "
                                 "steps are no longer possible.")
