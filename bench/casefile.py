"""One child's whole record as rows: identity and histories, every episode with what was recorded
about it, and the stored obligations the engine gives for it.

What is recorded follows what the protocol asked for: the engine is asked what an episode owes
with only its report and return known (`plan`), and a busy but mostly diligent authority records
each duty, most on time, some late, a few never; the return interview is allocated, offered,
held, authorised and shared. The engine is then asked again with everything recorded, and its
answer is stored exactly as `obligations_refresh` would store it at the build instant
(`homeward.obligations.rows.planned_rows`: the same rows, owners and horizon), so the stored
obligations equal the engine's. `tests` checks that on every episode of a small build.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from homeward.episodes.places import normalise_place
from homeward.obligations.facts import bank_holidays
from homeward.obligations.owners import obligation_owner
from homeward.obligations.services import HORIZON, RENEW_AFTER
from homeward.protocol import Calendar, notification_recipients, obligation_to_dict, plan, route_return_interview
from homeward.protocol import facts as pf
from homeward.protocol.calendar import local_date
from homeward.protocol.obligation import Obligation
from homeward.protocol.policy import Protocol

from .setting import PROVIDERS, Person, Setting
from .world import ChildPlan, EpisodePlan

GIVEN_F = ("Amara", "Bethany", "Chloe", "Demi", "Ella", "Freya", "Grace", "Hana", "Isla", "Jade", "Keira", "Layla",
           "Maya", "Nia", "Olivia", "Poppy", "Ruby", "Sienna", "Tia", "Zara")
GIVEN_M = ("Aaron", "Ben", "Callum", "Dylan", "Ethan", "Finley", "George", "Harvey", "Isaac", "Jayden", "Kai",
           "Leo", "Mason", "Noah", "Oscar", "Reece", "Sam", "Tyler", "Wiktor", "Yusuf")
FAMILY = ("Adeyemi", "Baker", "Clarke", "Dobson", "Evans", "Fletcher", "Gill", "Hughes", "Iqbal", "Jones",
          "Kowalski", "Lewis", "Morgan", "Nowak", "Okafor", "Patel", "Quinn", "Reid", "Singh", "Taylor",
          "Underwood", "Vaughan", "Walsh", "Young")
ETHNICITIES = ("wbri", "wbri", "wbri", "woth", "mwbc", "bafr", "bcrb", "apkn", "aind", "wrom")
SCHOOLS = ("Northampton Academy", "Daventry Secondary", "Kingsthorpe College", "Moulton School", "")
REPORTERS = ("police", "placement_provider", "parent_carer", "school", "edt", "social_worker", "other")
REPORTER_WEIGHTS = (35, 25, 18, 8, 6, 5, 3)
RISKS = ("very_low", "low", "medium", "high")
# Graded high when reported (2%) or regraded high later (about 1%): about 3% high in all.
RISK_WEIGHTS = (8, 33, 57, 2)
FINDERS = ("Police", "Carer", "Parent", "Social worker", "Returned of own accord")
CIRCUMSTANCES = ("Did not return after school.", "Left the placement after an argument with staff.",
                 "Went out with friends and did not come back by the agreed time.",
                 "Seen getting into a car with older males.", "Took a train without telling anyone.")
CONDITIONS = ("Tired and hungry.", "Quiet, would not talk.", "Well, apologetic.", "Smelt of cannabis; new phone.")
WISHES = ("Wants to move closer to her mum and sister.", "Says staff at the home do not listen.",
          "Wants to keep seeing his friends but agreed to come back by ten.", "Did not want to talk about it.")
# Seconds before "now" after which nothing has happened yet.
SETTLED = timedelta(minutes=10)


def _after_missing(end: date, episodes: list[EpisodePlan]) -> date | None:
    """A placement's end moved past any episode the child was missing through (None: still
    missing now, so the placement goes on). The DfE's rule 575 asks that a missing period end
    before the placement it began in does: a history that breaks it makes the SSDA903 export
    refuse the year, as it should for real casework."""
    for episode in sorted(episodes, key=lambda e: e.last_seen):
        began = local_date(episode.last_seen)
        if episode.duration is None:
            if began <= end:
                return None
            continue
        back = local_date(episode.last_seen + episode.duration)
        if began <= end <= back:
            end = back + timedelta(days=1)
    return end


@dataclass
class Rows:
    """Rows of each table, as tuples in the order of `tables.COLUMNS`."""

    by_table: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)

    def add(self, table: str, row: tuple[Any, ...]) -> None:
        self.by_table.setdefault(table, []).append(row)

    def count(self, table: str) -> int:
        return len(self.by_table.get(table, ()))


@dataclass
class ChildContext:
    plan: ChildPlan
    rng: random.Random
    id: int
    facts: pf.ChildFacts
    responsible: str
    allocated: Person | None
    team_index: int | None
    iro: Person | None


class Builder:
    """Fills `rows` with children, one `child` call each."""

    def __init__(self, setting: Setting, protocol: Protocol, rows: Rows) -> None:
        self.s = setting
        self.protocol = protocol
        self.rows = rows
        self.now = setting.now
        self.through = setting.now + HORIZON
        self.engine_calls = 0

    # -- helpers -------------------------------------------------------------------------------
    def _recorded(self, rng: random.Random, at: datetime) -> datetime:
        """When a fact that happened at `at` was typed in: usually within the hour."""
        return min(at + timedelta(minutes=rng.choice((1, 3, 10, 30, 60, 240))), self.now)

    def _holidays(self, reported_at: datetime) -> frozenset[date]:
        # As `homeward.obligations.facts` gives them for an episode reported then.
        first = reported_at.year - 1
        last = max(reported_at.year, self.now.year) + 2
        return bank_holidays(range(first, last))

    def _plan(self, facts: pf.Facts) -> tuple[Obligation, ...]:
        self.engine_calls += 1
        return plan(facts, self.protocol, self.now, through=self.through)

    def _audit(self, at: datetime, actor: Person | None, action: str, object_type: str, object_id: object,
               child_id: int, detail: dict[str, Any]) -> None:
        self.rows.add("audit", (at, actor.id if actor else None, actor.username if actor else "", action, object_type,
                                str(object_id), child_id, "system", json.dumps(detail, default=str)))

    def _chronicle(self, child: ChildContext, episode_id: int | None, at: datetime, recorded_at: datetime,
                   actor: Person | None, kind: str, summary: str) -> None:
        self.rows.add("chronology", (child.id, episode_id, at, recorded_at, actor.id if actor else None, kind, summary))

    # -- the child -----------------------------------------------------------------------------
    def child(self, plan: ChildPlan) -> None:
        rng = random.Random(plan.seed ^ 0x5EED)
        s = self.s
        first_seen = min((e.last_seen for e in plan.episodes), default=self.now)
        created = min(first_seen - timedelta(days=rng.randint(1, 400)), self.now)
        created = max(created, datetime.combine(plan.date_of_birth, datetime.min.time(), tzinfo=self.now.tzinfo))
        responsible = rng.choice(s.far[:20]) if plan.kind == "other_la" else s.home
        looked_after = plan.kind.startswith("lac") or plan.kind == "other_la"
        legal = {"cp": "child_protection", "cin": "child_in_need", "eh": "early_help", "none": "none"}.get(
            plan.kind, "looked_after")
        # Most were in this status before their first episode; some came into care during them.
        legal_since = (first_seen - timedelta(days=rng.randint(30, 900))).date()
        if looked_after and len(plan.episodes) > 2 and rng.random() < 0.2:
            legal_since = (plan.episodes[len(plan.episodes) // 2].last_seen - timedelta(days=2)).date()
        legal_since = max(legal_since, plan.date_of_birth + timedelta(days=30))
        periods: list[tuple[str, date | None]] = []
        if looked_after and rng.random() < 0.5:
            periods.append(("child_in_need", max(plan.date_of_birth + timedelta(days=20),
                                                 legal_since - timedelta(days=rng.randint(60, 700)))))
        periods.append((legal, None if legal == "none" else legal_since))
        placements: list[tuple[str, date, date | None, str, str, int | None]] = []
        if looked_after:
            main = {"lac_in": s.home, "lac_neighbour": rng.choice(s.neighbours or (s.home,)),
                    "lac_far": rng.choice(s.far), "other_la": s.home}[plan.kind]
            moves = rng.choice((1, 1, 2, 3))
            start = legal_since
            for n in range(moves):
                authority = main if n == moves - 1 else rng.choice((s.home, s.home, main))
                home_kind = rng.random() < 0.45
                end = None if n == moves - 1 else start + timedelta(days=rng.randint(40, 300))
                if end is not None:
                    end = _after_missing(end, plan.episodes)
                if end is not None and end >= self.now.date():
                    end = None
                placements.append((authority, start, end, "k2" if home_kind else rng.choice(("u4", "u5", "u6")),
                                   rng.choice(PROVIDERS[:2]) if home_kind else f"{rng.choice(FAMILY)} foster family",
                                   rng.choice(s.provider_orgs) if home_kind else None))
                if end is None:
                    break
                start = end
        team_index = plan.team
        allocated = (rng.choice(s.workers_by_team[team_index])
                     if team_index is not None and rng.random() < 0.85 else None)
        iro = rng.choice(s.iros) if looked_after and responsible == s.home else None
        female = rng.random() < 0.55
        given = rng.choice(GIVEN_F if female else GIVEN_M)
        family = rng.choice(FAMILY)
        facts = pf.ChildFacts(
            date_of_birth=plan.date_of_birth, responsible_authority=responsible,
            legal_status_history=tuple(pf.LegalStatusPeriod(status, started or date(1900, 1, 1))  # type: ignore[arg-type]
                                       for status, started in periods),
            placements=tuple(pf.Placement(authority, started, ended)
                             for authority, started, ended, _t, _p, _o in placements),
            has_iro=iro is not None, allocated=allocated is not None,
        )
        child = ChildContext(plan=plan, rng=rng, id=plan.id, facts=facts, responsible=responsible,
                             allocated=allocated, team_index=team_index, iro=iro)
        recorder = s.coordinator
        self.rows.add("child", (
            child.id, created, self.now, f"{'MOS' if responsible == s.home else 'XLA'}{child.id:07d}", given, family,
            "", plan.date_of_birth, "female" if female else "male", rng.choice(ETHNICITIES), legal,
            s.authority_ids[responsible], allocated.id if allocated else None,
            s.team_ids[team_index] if team_index is not None else None, iro.id if iro else None,
            rng.choice(SCHOOLS), None, "",
        ))
        for status, started in periods:
            self.rows.add("legal_status", (child.id, status, started, created, recorder.id))
        for authority, started, ended, kind, provider, org in placements:
            self.rows.add("placement", (
                child.id, s.authority_ids[authority], provider, org, kind,
                f"{rng.randint(1, 120)} {rng.choice(('Mill', 'Church', 'Station', 'Park'))} Road",
                rng.choice(("NN1 1AA", "NN4 8BT", "NN11 4DR", "NN3 6EW", "LE1 5WW", "SE10 9NF")), started, ended,
                created, recorder.id,
            ))
        for n in range(rng.choice((1, 1, 2))):
            self.rows.add("adult", (created, created, child.id, f"{rng.choice(GIVEN_F)} {family}",
                                    "Mother" if n == 0 else "Aunt", n == 0, f"07700 9{rng.randint(10000, 99999)}",
                                    "", "", None, ""))
        if rng.random() < (0.8 if looked_after else 0.3):
            self._philomena(child, created)
        self._chronicle(child, None, created, created, recorder, "child_recorded", "Child's record created.")
        self._audit(created, recorder, "create", "child", child.id, child.id,
                    {"after": {"legal_status": legal, "responsible_authority": responsible}})
        starts = {e.id: e.last_seen for e in plan.episodes}
        cancelled: set[int] = set()
        for episode in plan.episodes:
            if episode.duration is not None and rng.random() < 0.01:
                cancelled.add(episode.id)
        for episode in plan.episodes:
            others = tuple(sorted(start for pk, start in starts.items() if pk != episode.id and pk not in cancelled))
            self.episode(child, episode, others, cancelled=episode.id in cancelled)

    def _philomena(self, child: ChildContext, created: datetime) -> None:
        rng = child.rng
        area = child.plan.area
        associates = rng.sample(self.s.associates[area], rng.choice((0, 1, 1, 2, 3)))
        places = rng.sample(self.s.places[area], rng.choice((0, 1, 2, 2, 3)))
        self.rows.add("philomena", (
            created, created, child.id,
            f"About {rng.randint(150, 185)} cm, {rng.choice(('slim', 'medium', 'stocky'))} build, "
            f"{rng.choice(('dark', 'fair', 'red', 'brown'))} hair.", "",
            f"07700 9{rng.randint(10000, 99999)}", rng.choice(("", "Snapchat: bench_user", "Instagram: @bench")),
            "\n".join(associates), "\n".join(places), rng.choice(("", "Asthma: carries an inhaler.")),
            rng.random() < 0.15, rng.random() < 0.12, rng.random() < 0.08, "",
        ))

    # -- one episode ---------------------------------------------------------------------------
    def episode(self, child: ChildContext, plan: EpisodePlan, others: tuple[datetime, ...], *,
                cancelled: bool) -> None:
        rng = random.Random(child.plan.seed * 7919 + plan.id)
        s = self.s
        now = self.now
        reported_at, last_seen = plan.reported_at, plan.last_seen
        found_at = None if plan.duration is None else last_seen + plan.duration
        found_at = found_at if found_at is None or found_at >= reported_at else reported_at + timedelta(minutes=30)
        reported_by = rng.choices(REPORTERS, REPORTER_WEIGHTS)[0]
        reporter = s.police if reported_by == "police" else s.coordinator
        created_at = self._recorded(rng, reported_at)
        with_reference = reported_by == "police" or rng.random() < 0.5
        reference = f"BN-{reported_at:%y%m%d}-{plan.id:07d}" if with_reference else ""
        classification = "absent" if rng.random() < 0.15 else "missing"
        classifications = [("absent" if classification == "absent" else "missing", reported_at, "As reported.")]
        end = found_at or now
        if classification == "absent" and rng.random() < 0.4 and reported_at + timedelta(hours=1) < end - SETTLED:
            at = min(reported_at + timedelta(hours=rng.uniform(1, 2)), end - SETTLED)
            classifications.append(("missing", at, "No contact and phone switched off: out of character."))
        risk = rng.choices(RISKS, RISK_WEIGHTS)[0]
        gradings = [(risk, reported_at, "Police initial grading", "As reported.")]
        roll = rng.random()
        if roll < 0.012 and risk != "high" and reported_at + timedelta(hours=1) < end - SETTLED:
            at = min(reported_at + timedelta(hours=rng.uniform(1, 3)), end - SETTLED)
            gradings.append(("high", at, "Duty inspector", "New intelligence: seen with an adult of concern."))
        elif roll < 0.06 and risk == "medium" and reported_at + timedelta(hours=1) < end - SETTLED:
            at = min(reported_at + timedelta(hours=rng.uniform(1, 6)), end - SETTLED)
            gradings.append(("low", at, "Duty sergeant", "Seen by a relative; believed safe."))
        whereabouts_known = rng.random() < 0.15
        area = child.plan.area
        place = rng.choice(s.places[area]) if rng.random() < 0.7 else "home address"
        day = local_date(last_seen)
        routing = route_return_interview(child=child.facts, home_authority=s.home,
                                         policy=self.protocol.version_for(reported_at), missing_since=last_seen)
        episode_facts = pf.EpisodeFacts(
            episode_id=plan.id, reported_at=reported_at, reported_by=reported_by,  # type: ignore[arg-type]
            last_seen_at=last_seen,
            classifications=tuple(pf.Classification(c, at) for c, at, _r in classifications),  # type: ignore[arg-type]
            risk_gradings=tuple(pf.RiskGrading(level, at) for level, at, _b, _r in gradings),  # type: ignore[arg-type]
            found_at=found_at, other_episode_starts=others,
        )
        if with_reference:
            episode_facts = replace(episode_facts, actions=(pf.ActionFact("police_informed", reported_at, created_at),))
        facts = pf.Facts(child=child.facts, episode=episode_facts, home_authority=s.home,
                         bank_holidays=self._holidays(reported_at))
        record = EpisodeRecord(plan.id, child, rng, reporter, created_at, last_seen)
        cancelled_at = None
        if cancelled:
            cancelled_at = min(reported_at + timedelta(hours=rng.uniform(1, 30)), now - SETTLED)
            found_at = None
            obligations: tuple[Obligation, ...] = ()
            closed_at, close_reason = None, ""
        else:
            first = self._plan(facts)
            self._follow_up(record, first, found_at, routing.conducted_by_home)
            closed_at, close_reason = self._closure(record, found_at, reported_at)
            facts = replace(facts, episode=replace(
                facts.episode, actions=tuple(sorted(record.action_facts + list(episode_facts.actions)
                                                    + record.plan_facts(), key=lambda a: a.at)),
                return_visits=record.visit_facts(),
                strategy_meetings=tuple(sorted(record.meeting_facts, key=lambda m: m.held_at)), rhi=record.rhi_facts(),
                closed_at=closed_at, close_reason=close_reason))
            obligations = self._plan(facts)
            if closed_at is not None and not close_reason and any(o.ended_at is not None for o in obligations):
                close_reason = "Closed by the team manager: the child is settled; outstanding duties not needed."
                facts = replace(facts, episode=replace(facts.episode, close_reason=close_reason))
                obligations = self._plan(facts)
        status = ("cancelled" if cancelled else "open" if found_at is None
                  else "closed" if closed_at is not None else "returned")
        manager = s.managers[child.team_index] if child.team_index is not None else s.coordinator
        found_place = rng.choice(s.places[area]) if rng.random() < 0.6 else place
        with_whom = rng.choice(s.associates[area]) if rng.random() < 0.3 else rng.choice(
            ("Friends from school", "Alone", "Two other young people from the home", "A relative"))
        updated = max([created_at, *(t for t in (found_at, closed_at, cancelled_at) if t is not None)])
        self.rows.add("episode", (
            plan.id, created_at, min(updated, now), child.id, status, reported_at, reported_by,
            "" if reported_by == "police" else "Duty officer", s.force_id if with_reference else None, reference, "",
            last_seen, place, rng.choice(CIRCUMSTANCES),
            "care" if child.facts.legal_status_on(day) == "looked_after" else rng.choice(("home", "education")),
            whereabouts_known, last_seen, classifications[-1][0], gradings[-1][0],
            found_at, found_place if found_at else "", rng.choice(FINDERS) if found_at else "",
            "With friends in town." if found_at else "", with_whom if found_at else "",
            rng.choice(CONDITIONS) if found_at else "", self._recorded(rng, found_at) if found_at else None,
            closed_at, "Follow-up complete." if closed_at else "", close_reason,
            manager.id if closed_at else None, cancelled_at,
            "Reported in error: the child was at school." if cancelled_at else "",
            s.authority_ids[routing.authority], routing.out_of_area, routing.neighbouring, routing.chargeable,
            False, reporter.id, "", normalise_place(place), normalise_place(found_place) if found_at else "",
        ))
        for c, at, rationale in classifications:
            self.rows.add("classification", (plan.id, c, at, rationale, self._recorded(rng, at), reporter.id))
        self.rows.add("whereabouts", (plan.id, whereabouts_known, reported_at, "As reported.", created_at, reporter.id))
        for level, at, by, rationale in gradings:
            self.rows.add("grading", (plan.id, level, at, by, rationale, self._recorded(rng, at), s.police.id))
        self._episode_history(record, classifications, gradings, found_at, found_place, closed_at, cancelled_at,
                              manager, place)
        if not cancelled:
            self._notifications(child, plan, "reported", reported_at, last_seen)
            if found_at is not None:
                self._notifications(child, plan, "returned", found_at, last_seen)
        record.flush(self)
        practitioner = record.practitioner.id if record.practitioner else None
        allocated_id = child.allocated.id if child.allocated else None
        team_id = s.team_ids[child.team_index] if child.team_index is not None else None
        for o in obligations:
            owner = obligation_owner(
                responsible_role=o.responsible_role, allocated_worker_id=allocated_id, team_id=team_id,
                practitioner_id=practitioner, for_information=o.for_information,
            )
            self.rows.add("obligation", (
                plan.id, child.id, o.code, o.instance, o.title, o.responsible_role, o.arises_at, o.due_at, o.done_at,
                o.done_recorded_at, o.late, json.dumps(obligation_to_dict(o)["basis"]), o.listed_from, o.lapses_at,
                o.ended_at, o.ended_reason, o.for_information, str(owner.queue), owner.user_id, owner.team_id, now,
            ))
        is_open = status == "open"
        self.rows.add("obligation_state", (plan.id, now, now + RENEW_AFTER if is_open else None,
                                           now + HORIZON if is_open else None))

    def _follow_up(self, record: EpisodeRecord, owed: tuple[Obligation, ...], found_at: datetime | None,
                   conducted_by_home: bool) -> None:
        """Record what the obligations ask for, as a mostly diligent authority would."""
        rng = record.rng
        recent = owed and owed[0].arises_at > self.now - timedelta(days=21)
        diligence = 0.9 if recent else 0.985
        for o in owed:
            if o.status == "done":
                continue
            if o.for_information or o.arises_at > self.now - SETTLED or rng.random() > diligence:
                if not o.for_information and o.arises_at <= self.now - SETTLED:
                    record.skipped = True
                continue
            at = self._when(rng, o.arises_at, o.due_at)
            if at is None:
                continue
            if o.code == "action_plan":
                # The action plan and the return visit are records of their own (homeward.plans).
                record.plan_at = (at, self._recorded(rng, at))
            elif o.code == "return_visit":
                informed = at + timedelta(hours=rng.uniform(1, 20))
                record.visits.append((at, informed if informed <= self.now - SETTLED else None,
                                      self._recorded(rng, at)))
            elif o.code in pf.ACTION_CODES:
                record.action(o.code, at, self._recorded(rng, at))
            elif o.code in ("strategy_meeting", "strategy_meeting_review"):
                record.meeting(at, self._recorded(rng, at))
        codes = {o.code for o in owed if not o.for_information}
        if found_at is not None and conducted_by_home and codes & {"rhi_allocated", "rhi_offered"}:
            self._interview(record, found_at, diligence)

    def _when(self, rng: random.Random, arises: datetime, due: datetime) -> datetime | None:
        window = max((due - arises).total_seconds(), 600.0)
        if rng.random() < 0.85:
            at = arises + timedelta(seconds=window * rng.uniform(0.05, 0.9))
        else:
            at = due + timedelta(hours=rng.uniform(1, 30))
        at = at.replace(microsecond=0)
        return at if at <= self.now - SETTLED else None

    def _interview(self, record: EpisodeRecord, found_at: datetime, diligence: float) -> None:
        rng = record.rng
        allocated = self._when(rng, found_at, found_at + timedelta(hours=24))
        if allocated is None or rng.random() > diligence:
            record.skipped = True
            return
        record.allocate(rng.choice(self.s.practitioners), allocated)
        offered = self._when(rng, allocated, found_at + timedelta(hours=72))
        if offered is None:
            return
        if rng.random() < 0.3 and offered + timedelta(days=1) <= self.now - SETTLED:
            record.offer(offered, "no_contact")
            offered = offered + timedelta(days=1)
        outcome = rng.choices(("accepted", "declined", "no_contact"), (60, 30, 10))[0]
        record.offer(offered, outcome)
        conducted = offered + timedelta(hours=rng.uniform(2, 96) if outcome == "accepted" else 0.5)
        if conducted > self.now - SETTLED or rng.random() > diligence:
            record.skipped = conducted <= self.now - SETTLED
            return
        record.interview(conducted, outcome, self.s.codes)
        authorised = self._when(rng, conducted, conducted + timedelta(hours=70))
        if authorised is None or rng.random() > diligence:
            record.skipped = authorised is not None
            return
        record.authorise(authorised, self.s.coordinator)
        shared = self._when(rng, authorised, authorised + timedelta(hours=24))
        if shared is not None and rng.random() <= diligence:
            recipients = ["police", "social_worker"] + (["iro"] if record.child.iro else [])
            record.share(shared, recipients)
        updated = self._when(rng, authorised, authorised + timedelta(days=5))
        if updated is not None and rng.random() <= diligence:
            record.action("plan_updated", updated, self._recorded(rng, updated))

    def _closure(self, record: EpisodeRecord, found_at: datetime | None,
                 reported_at: datetime) -> tuple[datetime | None, str]:
        """Closed some hours to days after the last thing recorded; a few never closed."""
        rng = record.rng
        if found_at is None or rng.random() < 0.02:
            return None, ""
        last = max([found_at, *record.times()])
        closed_at = (last + timedelta(hours=rng.uniform(2, 96))).replace(microsecond=0)
        if closed_at > self.now - SETTLED:
            return None, ""
        reason = "Closed by the team manager: outstanding duties no longer needed." if record.skipped else ""
        return closed_at, reason

    def _episode_history(self, record: EpisodeRecord, classifications: list[tuple[str, datetime, str]],
                         gradings: list[tuple[str, datetime, str, str]], found_at: datetime | None, found_place: str,
                         closed_at: datetime | None, cancelled_at: datetime | None, manager: Person,
                         place: str) -> None:
        child, episode_id, rng = record.child, record.id, record.rng
        reporter, created_at = record.reporter, record.created_at
        self._chronicle(child, episode_id, record.last_seen, created_at, reporter, "episode_reported",
                        f"Reported {classifications[0][0]}; last seen at {place}.")
        self._audit(created_at, reporter, "create", "episode", episode_id, child.id,
                    {"after": {"status": "open", "classification": classifications[0][0],
                               "risk_level": gradings[0][0]}})
        for level, at, by, rationale in gradings[1:]:
            self._chronicle(child, episode_id, at, self._recorded(rng, at), self.s.police, "risk_graded",
                            f"Risk graded {level} by {by}: {rationale}")
            self._audit(self._recorded(rng, at), self.s.police, "update", "episode", episode_id, child.id,
                        {"risk_grading": {"after": level}})
        for c, at, rationale in classifications[1:]:
            self._chronicle(child, episode_id, at, self._recorded(rng, at), self.s.coordinator, "reclassified",
                            f"Classified {c}: {rationale}")
        if found_at is not None:
            recorded = self._recorded(rng, found_at)
            self._chronicle(child, episode_id, found_at, recorded, self.s.coordinator, "found",
                            f"Found at {found_place}.")
            self._audit(recorded, self.s.coordinator, "update", "episode", episode_id, child.id,
                        {"found_at": {"after": found_at.isoformat()}})
        if closed_at is not None:
            self._chronicle(child, episode_id, closed_at, closed_at, manager, "closed", "Episode closed.")
            self._audit(closed_at, manager, "update", "episode", episode_id, child.id, {"status": {"after": "closed"}})
        if cancelled_at is not None:
            self._chronicle(child, episode_id, cancelled_at, cancelled_at, self.s.coordinator, "cancelled",
                            "Cancelled: reported in error.")
            self._audit(cancelled_at, self.s.coordinator, "update", "episode", episode_id, child.id,
                        {"status": {"after": "cancelled"}})

    def _notifications(self, child: ChildContext, plan: EpisodePlan, event: str, at: datetime,
                       missing_since: datetime) -> None:
        s = self.s
        calendar = Calendar(self._holidays(at))
        codes = notification_recipients(event=event, child=child.facts, home_authority=s.home,  # type: ignore[arg-type]
                                        missing_since=missing_since, out_of_hours=calendar.is_out_of_hours(at))
        placement = child.facts.placement_on(local_date(missing_since))
        merged: dict[str, list[Any]] = {}
        what = "the child has returned" if event == "returned" else "the child was reported missing"
        for code in codes:
            user: Person | None = None
            contact = None
            if code == "allocated_social_worker":
                user = child.allocated
            elif code == "iro":
                user = child.iro
            elif code == "team_manager":
                if child.team_index is not None:
                    user = s.managers[child.team_index]
                else:
                    contact = s.front_door
            elif code in ("front_door", "mct", "edt"):
                contact = {"front_door": s.front_door, "mct": s.mct, "edt": s.edt}[code]
            elif code == "police":
                contact = s.police_contact
            elif code == "host_authority" and placement is not None:
                contact = s.authority_contacts.get(placement.authority)
            elif code in ("placing_authority", "responsible_authority"):
                contact = s.authority_contacts.get(child.responsible)
            if user is None and contact is None:
                continue
            address = user.email if user else contact.email  # type: ignore[union-attr]
            name = user.name if user else contact.name  # type: ignore[union-attr]
            if address in merged:
                merged[address][1].append(code)
                continue
            merged[address] = [code, [code], name, user.id if user else None, contact.id if contact else None,
                               f"{code.replace('_', ' ').capitalize()}: {what}"]
        sent = min(at + timedelta(minutes=1), self.now)
        for address, (role, roles, name, user_id, contact_id, reason) in merged.items():
            self.rows.add("notification", (
                plan.id, child.id, event, at, role, json.dumps(roles), name[:200], user_id, contact_id, address,
                "email", reason, False, f"{event}|email|{address}", at, "sent", 1, None, None, "", "", sent,
            ))


@dataclass
class EpisodeRecord:
    """What was recorded about one episode, as facts for the engine and rows for the tables."""

    id: int
    child: ChildContext
    rng: random.Random
    reporter: Person
    created_at: datetime
    last_seen: datetime
    skipped: bool = False
    action_facts: list[pf.ActionFact] = field(default_factory=list)
    meeting_facts: list[pf.StrategyMeeting] = field(default_factory=list)
    practitioner: Person | None = None
    allocated_at: datetime | None = None
    offers: list[tuple[datetime, str]] = field(default_factory=list)
    conducted_at: datetime | None = None
    outcome: str = ""
    content: dict[str, Any] = field(default_factory=dict)
    authorised_at: datetime | None = None
    authoriser: Person | None = None
    sharings: list[tuple[datetime, list[str]]] = field(default_factory=list)
    # The missing child action plan (agreed, recorded) and the visits after the return
    # (visited, those with parental responsibility told, recorded).
    plan_at: tuple[datetime, datetime] | None = None
    visits: list[tuple[datetime, datetime | None, datetime]] = field(default_factory=list)

    def plan_facts(self) -> list[pf.ActionFact]:
        return [pf.ActionFact("action_plan", *self.plan_at)] if self.plan_at else []

    def visit_facts(self) -> tuple[pf.ReturnVisit, ...]:
        return tuple(pf.ReturnVisit(at, informed, recorded) for at, informed, recorded in sorted(self.visits))

    def action(self, code: str, at: datetime, recorded_at: datetime) -> None:
        self.action_facts.append(pf.ActionFact(code, at, recorded_at))  # type: ignore[arg-type]

    def meeting(self, at: datetime, recorded_at: datetime) -> None:
        self.meeting_facts.append(pf.StrategyMeeting(at, "missing_strategy", recorded_at))

    def allocate(self, practitioner: Person, at: datetime) -> None:
        self.practitioner, self.allocated_at = practitioner, at

    def offer(self, at: datetime, answer: str) -> None:
        self.offers.append((at, answer))

    def interview(self, at: datetime, outcome: str, codes: dict[str, list[str]]) -> None:
        rng = self.rng
        self.conducted_at, self.outcome = at, outcome
        accepted = outcome == "accepted"
        self.content = {
            "outcome": outcome, "conducted_at": at.isoformat(), "method": "face_to_face" if accepted else "",
            "seen_alone": True if accepted else None, "accompanied_by": "", "conducted_by": "",
            "push_factors": rng.sample(codes["push_factors"], rng.choice((0, 1, 2))) if accepted else [],
            "pull_factors": rng.sample(codes["pull_factors"], rng.choice((0, 1, 2))) if accepted else [],
            "exploitation_indicators": (rng.sample(codes["exploitation_indicators"], 1)
                                        if accepted and rng.random() < 0.15 else []),
            "referrals": rng.sample(codes["referrals"], 1) if accepted and rng.random() < 0.2 else [],
            "reasons": "Went to see friends after an argument at home." if accepted else "",
            "whereabouts": "Would not say." if accepted else "", "harm": "", "health_concerns": "",
            "wishes_and_feelings": rng.choice(WISHES) if accepted else "",
            "actions": "Update the safety plan with the child." if accepted else "", "carer_observations": "",
        }

    def authorise(self, at: datetime, by: Person) -> None:
        self.authorised_at, self.authoriser = at, by

    def share(self, at: datetime, recipients: list[str]) -> None:
        self.sharings.append((at, sorted(recipients)))

    def times(self) -> list[datetime]:
        out = [a.at for a in self.action_facts] + [m.held_at for m in self.meeting_facts]
        out += [self.plan_at[0]] if self.plan_at else []
        out += [t for at, informed, _r in self.visits for t in (at, informed) if t is not None]
        out += [t for t in (self.allocated_at, self.conducted_at, self.authorised_at) if t is not None]
        return out + [at for at, _a in self.offers] + [at for at, _r in self.sharings]

    def rhi_facts(self) -> pf.RhiFacts:
        if self.allocated_at is None:
            return pf.RhiFacts()
        offers = tuple(sorted(at for at, _a in self.offers))
        return pf.RhiFacts(
            allocated_at=self.allocated_at, offered_at=offers[0] if offers else None, offers=offers,
            completed_at=self.conducted_at, authorised_at=self.authorised_at,
            sharings=tuple(pf.RhiSharing(at, frozenset(r), self._recorded(at))  # type: ignore[arg-type]
                           for at, r in self.sharings),
        )

    def _recorded(self, at: datetime) -> datetime:
        # Deterministic, so the facts and the rows agree without keeping a second copy.
        return at + timedelta(minutes=5)

    def flush(self, builder: Builder) -> None:
        """The rows of everything recorded: actions, meetings, the interview, with their
        chronology and audit lines."""
        rows, child, s = builder.rows, self.child, builder.s
        actor = child.allocated or s.coordinator
        for a in self.action_facts:
            detail: dict[str, Any] = {}
            if a.code == "risk_analysis":
                codes = s.codes
                detail = {"immediate_risks": self.rng.sample(codes["risks"], self.rng.choice((0, 1, 2))),
                          "pull_factors": self.rng.sample(codes["pull_factors"], self.rng.choice((0, 1)))}
            recorded = a.recorded_at or a.at
            rows.add("action", (self.id, a.code, a.at, "", json.dumps(detail), recorded, actor.id))
            builder._chronicle(child, self.id, a.at, recorded, actor, f"action_{a.code}",
                               f"{a.code.replace('_', ' ').capitalize()}.")
            builder._audit(recorded, actor, "create", "episode_action", self.id, child.id,
                           {"action": a.code, "at": a.at.isoformat()})
        if self.plan_at is not None:
            agreed, recorded = self.plan_at
            rows.add("action_plan", (recorded, recorded, self.id, agreed, actor.name, "Texts and calls every evening.",
                                     "That the police and the social worker are looking.", "Daily", "The carer",
                                     "At the placement", "The MCT's practitioner", actor.id))
            builder._chronicle(child, self.id, agreed, recorded, actor, "action_plan",
                               "Missing child action plan agreed; 0 actions.")
            builder._audit(recorded, actor, "create", "action_plan", self.id, child.id,
                           {"episode": self.id, "agreed_at": agreed.isoformat()})
        for visited, informed, recorded in sorted(self.visits):
            rows.add("return_visit", (recorded, recorded, self.id, visited, actor.name,
                                      "Where the child went, having read the return interview.",
                                      "A curfew plan and a trusted adult to call.", "Settled at the placement.",
                                      informed, "Mother, by phone" if informed else "", actor.id))
            builder._chronicle(child, self.id, visited, recorded, actor, "return_visit",
                               "Social worker's visit after the return.")
            builder._audit(recorded, actor, "create", "return_visit", self.id, child.id,
                           {"episode": self.id, "visited_at": visited.isoformat()})
        for n, m in enumerate(self.meeting_facts):
            meeting_id = self.id * 16 + n
            recorded = m.recorded_at or m.held_at
            rows.add("meeting", (meeting_id, recorded, recorded, self.id, m.held_at, m.kind,
                                 json.dumps(["Social worker", "Police", "MCT"]),
                                 "Police to visit known addresses; social worker to speak to friends.", actor.id))
            for k in range(self.rng.choice((1, 2))):
                done = m.held_at + timedelta(hours=self.rng.uniform(2, 48))
                done_ok = done <= builder.now - SETTLED and self.rng.random() < 0.85
                rows.add("meeting_action", (
                    meeting_id, actor.name, actor.id,
                    "Check the child's social media." if k else "Visit known addresses.",
                    (m.held_at + timedelta(days=2)).date(), done if done_ok else None, done if done_ok else None,
                    actor.id if done_ok else None, "Done." if done_ok else "",
                ))
            builder._chronicle(child, self.id, m.held_at, recorded, actor, "meeting_missing_strategy",
                               "Missing strategy meeting held.")
            builder._audit(recorded, actor, "create", "strategy_meeting", meeting_id, child.id,
                           {"held_at": m.held_at.isoformat()})
        if self.allocated_at is None or self.practitioner is None:
            return
        coordinator = s.coordinator
        offered = min((at for at, _a in self.offers), default=None)
        shared_with = sorted({r for _at, rs in self.sharings for r in rs})
        shared_at = min((at for at, _r in self.sharings), default=None)
        recorded_interview = self._recorded(self.conducted_at) if self.conducted_at else None
        c = self.content
        updated = max(self.times())
        rows.add("rhi", (
            self.id, self.allocated_at, updated, self.id, self.practitioner.id, self.allocated_at, coordinator.id,
            offered, "phone" if offered else "", self.outcome, self.conducted_at, c.get("method") or "",
            c.get("seen_alone"), "", "", json.dumps(c.get("push_factors", [])), json.dumps(c.get("pull_factors", [])),
            json.dumps(c.get("exploitation_indicators", [])), json.dumps(c.get("referrals", [])),
            c.get("reasons", ""), c.get("whereabouts", ""), "", "", c.get("wishes_and_feelings", ""),
            c.get("actions", ""), "", recorded_interview, self.authorised_at,
            self.authoriser.id if self.authoriser else None, "Keep the safety plan under review." if self.authorised_at
            else "", shared_at, json.dumps(shared_with),
        ))
        rows.add("rhi_allocation", (self.id, self.practitioner.id, None, self.allocated_at, "", self.allocated_at,
                                    coordinator.id))
        steps = [(self.allocated_at, "rhi_allocated", f"Return interview allocated to {self.practitioner.name}.")]
        for at, answer in self.offers:
            rows.add("rhi_offer", (self.id, at, "phone", answer, "", self._recorded(at), self.practitioner.id))
            steps.append((at, "rhi_offered", f"Return interview offered: {answer.replace('_', ' ')}."))
        if self.conducted_at is not None:
            assert recorded_interview is not None
            rows.add("rhi_version", (self.id, 1, json.dumps(c), None, "", recorded_interview, self.practitioner.id,
                                     self.authorised_at, self.authoriser.id if self.authoriser else None,
                                     "Keep the safety plan under review." if self.authorised_at else ""))
            steps.append((self.conducted_at, "rhi_interview", f"Return interview {self.outcome.replace('_', ' ')}."))
        if self.authorised_at is not None:
            steps.append((self.authorised_at, "rhi_authorised", "Return interview authorised."))
        for at, recipients in self.sharings:
            rows.add("rhi_sharing", (self.id, at, json.dumps(recipients), False, "", self._recorded(at),
                                     coordinator.id))
            steps.append((at, "rhi_shared", f"Return interview shared with {', '.join(recipients)}."))
        for at, kind, summary in steps:
            builder._chronicle(child, self.id, at, self._recorded(at), coordinator, kind, summary)
            builder._audit(self._recorded(at), coordinator, "update", "return_interview", self.id, child.id,
                           {"step": kind, "at": at.isoformat()})
