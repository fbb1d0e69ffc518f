"""Demonstration data: fictional children and episodes over eighteen months.

Everything is written through the services, as a person would, so the demonstration has the
same histories, chronology, audit entries and obligations as real use. The data is seeded,
so two runs on empty databases make the same children and episodes.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from homeward.accounts.models import Organisation, Team, User
from homeward.accounts.roles import Role
from homeward.accounts.services import user_create
from homeward.casework.commit import casework_batch
from homeward.casework.episodes import (
    episode_reclassify,
    episode_record_found,
    episode_regrade_risk,
    episode_report,
)
from homeward.children.models import Child
from homeward.children.services import PlacementInput, child_create
from homeward.notifications.models import ContactKind, ContactPoint
from homeward.notifications.services import notifications_suppressed
from homeward.reference.models import Authority

from .follow_up import FollowUp

# Documented in the README: every demonstration account signs in with this password.
DEMO_PASSWORD = "homeward-demo"

GIVEN_NAMES_F = ["Amara", "Bethany", "Chloe", "Demi", "Ella", "Freya", "Grace", "Hana", "Isla", "Jade",
                 "Keira", "Layla", "Maya", "Nia", "Olivia", "Poppy", "Ruby", "Sienna", "Tia", "Zara"]
GIVEN_NAMES_M = ["Aaron", "Ben", "Callum", "Dylan", "Ethan", "Finley", "George", "Harvey", "Isaac", "Jayden",
                 "Kai", "Leo", "Mason", "Noah", "Oscar", "Reece", "Sam", "Tyler", "Wiktor", "Yusuf"]
FAMILY_NAMES = ["Adeyemi", "Baker", "Clarke", "Dobson", "Evans", "Fletcher", "Gill", "Hughes", "Iqbal",
                "Jones", "Kowalski", "Lewis", "Morgan", "Nowak", "Okafor", "Patel", "Quinn", "Reid",
                "Singh", "Taylor", "Underwood", "Vaughan", "Walsh", "Young"]
PLACES = ["Abington Park", "Northampton bus station", "Daventry town centre", "Kingsthorpe shops",
          "St James retail park", "a friend's flat in Far Cotton", "Towcester recreation ground",
          "Brackmills industrial estate", "the railway station", "Weston Favell shopping centre",
          "Milton Keynes Central", "Leicester city centre", "Rugby station"]
FINDERS = ["Police", "Carer", "Parent", "Social worker", "Returned of own accord"]
ETHNICITIES = ["WBRI", "WBRI", "WBRI", "WOTH", "MWBC", "BAFR", "BCRB", "APKN", "AIND", "WROM"]

# username, role, given name, family name, team
DEMO_USERS: list[tuple[str, str, str, str, str]] = [
    ("coordinator", Role.COORDINATOR, "Priya", "Shah", "Missing Children Team"),
    ("mct", Role.MCT_ADMIN, "Gareth", "Hale", "Missing Children Team"),
    ("sw.north", Role.SOCIAL_WORKER, "Nadia", "Osei", "Children in Care North"),
    ("sw.south", Role.SOCIAL_WORKER, "Tom", "Barker", "Children in Care South"),
    ("sw.assess", Role.SOCIAL_WORKER, "Hannah", "Ferris", "Assessment and Intervention"),
    ("tm.north", Role.TEAM_MANAGER, "Julie", "Marsh", "Children in Care North"),
    ("service.leader", Role.SERVICE_LEADER, "Colin", "Ward", ""),
    ("sad", Role.SENIOR_MANAGER, "Ruth", "Adebayo", ""),
    ("edt", Role.EDT, "Marcus", "Lee", "Emergency Duty Team"),
    ("rhi.worker", Role.RHI_PRACTITIONER, "Aisha", "Khan", ""),
    ("iro", Role.IRO, "Deborah", "Nunn", "Independent Reviewing Service"),
    ("police", Role.POLICE_LIAISON, "Sgt Dan", "Price", ""),
    ("provider", Role.PLACEMENT_PROVIDER, "Lorraine", "Kerr", ""),
    # The MCT is co-located with the RISE (CSE) team (seed 001): the exploitation team (ADR 0016).
    ("exploitation", Role.EXPLOITATION_TEAM, "Kerry", "Doyle", "RISE exploitation team"),
    ("auditor", Role.AUDITOR, "Simon", "Grey", ""),
    ("admin", Role.ADMIN, "Alex", "Admin", ""),
]


@dataclass(frozen=True)
class DemoSize:
    children: int = 40
    months: int = 18
    seed: int = 20261125


Progress = Callable[[str], object]


def _quiet(message: str) -> None:
    """Progress nobody asked to see."""


def demo_create_if_empty(*, progress: Progress = _quiet, size: DemoSize | None = None) -> str:
    """Create the demonstration when there are no children yet, telling `progress` what it
    is doing as it goes; say what was made."""
    if Child.objects.exists():
        return ""
    counts = demo_create(size=size or DemoSize(), now=timezone.now(), progress=progress)
    return (f"Demonstration data: {counts['children']} children, {counts['episodes']} episodes "
            f"({counts['open']} open); sign in as 'coordinator' with password '{DEMO_PASSWORD}'.")


def _users() -> dict[str, User]:
    home = Authority.objects.get(code=settings.HOMEWARD_AUTHORITY)
    council, _ = Organisation.objects.get_or_create(
        name=f"{home.name} Council", defaults={"kind": Organisation.Kind.LOCAL_AUTHORITY, "authority": home}
    )
    organisations = {
        "rhi.worker": ("Safe Return (commissioned)", Organisation.Kind.COMMISSIONED),
        "police": (f"{home.police_force.name}", Organisation.Kind.POLICE),
        "provider": ("Oakfield Children's Homes Ltd", Organisation.Kind.PLACEMENT_PROVIDER),
    }
    users: dict[str, User] = {}
    created: list[User] = []
    for username, role, first, last, team in DEMO_USERS:
        org_name, kind = organisations.get(username, (council.name, Organisation.Kind.LOCAL_AUTHORITY))
        Organisation.objects.get_or_create(name=org_name, defaults={"kind": kind})
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                username=username, role=role, password=None, team_name=team, organisation_name=org_name,
                email=f"{username}@homeward.example", first_name=first, last_name=last,
            )
            created.append(user)
        users[username] = user
    # Every demonstration account has the one published password: hash it once, not once an
    # account (a password hash is made slow on purpose: a fifth of a second each).
    password = make_password(DEMO_PASSWORD)
    User.objects.filter(pk__in=[user.pk for user in created]).update(password=password)
    for user in created:
        user.password = password
    Team.objects.filter(name="Children in Care North").update(email="cic.north@homeward.example")
    _contact_points(home)
    return users


def _contact_points(home: Authority) -> None:
    """Where notifications go that are not for one person: the authority's own services,
    its police force, and the missing-children contacts of the authorities it places with."""
    services = [(ContactKind.FRONT_DOOR, "Front door (MASH)", "mash"),
                (ContactKind.MCT, "Missing Children Team", "mct"),
                (ContactKind.EDT, "Emergency Duty Team", "edt"),
                (ContactKind.SENIOR_ON_DUTY, "Senior manager on duty", "duty.senior"),
                (ContactKind.EXPLOITATION, "Exploitation (CSE/CCE) hub", "exploitation")]
    for kind, name, mailbox in services:
        ContactPoint.objects.get_or_create(kind=kind, defaults={"name": name, "email": f"{mailbox}@homeward.example"})
    ContactPoint.objects.get_or_create(
        kind=ContactKind.POLICE, police_force=home.police_force,
        # A secure police mailbox: an authorised interview shared with the police is attached.
        defaults={"name": f"{home.police_force.name} missing person unit", "email": "mispers@police.example",
                  "secure": True},
    )
    for authority in Authority.objects.filter(code__in=["940", "855", "937", "825", "931", "822", "873", "203",
                                                          "333", "800", "926", "810"]):
        ContactPoint.objects.get_or_create(
            kind=ContactKind.AUTHORITY, authority=authority,
            defaults={"name": f"{authority.name} missing children contact",
                      "email": f"missing.{authority.code}@authority.example"},
        )


def _local(when: datetime) -> datetime:
    return when.replace(second=0, microsecond=0)


@transaction.atomic
def demo_create(*, size: DemoSize, now: datetime, progress: Progress = _quiet) -> dict[str, int]:
    """The demonstration as at `now`, every fact recorded through the casework services.

    In one casework batch: each service writes its record, chronology and audit entry as it
    would for a person, and the routing and stored obligations of every episode are brought
    up to date once, at the end, rather than after each of some 1,500 facts."""
    with casework_batch():
        counts = _demo_create(size=size, now=now, progress=progress)
        progress(f"  the stored obligations of {counts['episodes']} episodes, from the protocol engine")
    return counts


def _demo_create(*, size: DemoSize, now: datetime, progress: Progress) -> dict[str, int]:
    rng = random.Random(size.seed)
    progress(f"Creating demonstration data: {len(DEMO_USERS)} people, {size.children} children, "
             f"{size.months} months of episodes...")
    users = _users()
    coordinator, police_user = users["coordinator"], users["police"]
    home = settings.HOMEWARD_AUTHORITY
    neighbours = ["940", "855", "937", "825", "931", "822", "873"]
    far_away = ["203", "333", "800", "926", "810"]
    provider_org = Organisation.objects.get(name="Oakfield Children's Homes Ltd")
    teams = ["Children in Care North", "Children in Care South", "Assessment and Intervention"]
    workers = {"Children in Care North": "sw.north", "Children in Care South": "sw.south",
               "Assessment and Intervention": "sw.assess"}
    start = now - timedelta(days=30 * size.months)
    children: list[Child] = []
    for index in range(size.children):
        female = rng.random() < 0.55
        given = rng.choice(GIVEN_NAMES_F if female else GIVEN_NAMES_M)
        age_years = rng.choice([11, 12, 13, 14, 14, 15, 15, 15, 16, 16, 16, 17])
        dob = (now - timedelta(days=365 * age_years + rng.randint(30, 330))).date()
        kind = rng.choices(
            ["lac_in", "lac_neighbour", "lac_far", "other_la", "cp", "cin", "eh", "none"],
            weights=[9, 6, 3, 4, 5, 6, 4, 3],
        )[0]
        legal = {"lac_in": "looked_after", "lac_neighbour": "looked_after", "lac_far": "looked_after",
                 "other_la": "looked_after", "cp": "child_protection", "cin": "child_in_need",
                 "eh": "early_help", "none": "none"}[kind]
        responsible = rng.choice(far_away[:3]) if kind == "other_la" else home
        placement = None
        if legal == "looked_after":
            placed_in = {"lac_in": home, "lac_neighbour": rng.choice(neighbours),
                         "lac_far": rng.choice(far_away), "other_la": home}[kind]
            children_home = rng.random() < 0.5
            placement = PlacementInput(
                authority=placed_in,
                provider="Oakfield House" if children_home else f"{rng.choice(FAMILY_NAMES)} foster family",
                type="k2" if children_home else rng.choice(["u4", "u5", "u6"]),
                address=f"{rng.randint(1, 120)} {rng.choice(['Mill', 'Church', 'Station', 'Park'])} Road",
                postcode=rng.choice(["NN1 1AA", "NN4 8BT", "NN11 4DR", "NN3 6EW", "LE1 5WW", "SE10 9NF"]),
                started_on=(start - timedelta(days=rng.randint(30, 700))).date(),
                provider_organisation_id=provider_org.pk if children_home else None,
            )
        team = rng.choice(teams) if kind != "other_la" else None
        allocated = workers[team] if team and rng.random() < 0.85 else None
        legal_since = max(dob + timedelta(days=400), (start - timedelta(days=rng.randint(60, 900))).date())
        child = child_create(
            actor=coordinator,
            external_id=f"{('MOS' if responsible == home else 'XLA')}{100200 + index * 37}",
            given_name=given, family_name=rng.choice(FAMILY_NAMES), date_of_birth=dob,
            sex="female" if female else "male", ethnicity=rng.choice(ETHNICITIES), legal_status=legal,
            legal_status_since=legal_since, responsible_authority=responsible, placement=placement,
            allocated_worker=allocated, team=team,
            iro="iro" if legal == "looked_after" and responsible == home else None,
            school=rng.choice(["Northampton Academy", "Daventry Secondary", "Kingsthorpe College", ""]),
        )
        children.append(child)
    progress(f"  {len(children)} children, with their legal status, placement and people")

    follow_up = FollowUp(rng=rng, now=now, lead=coordinator, practitioner=users["rhi.worker"])
    # Repeat-missing children go many times; most children once or twice. A few children
    # are missing now, for between a few hours and over a week.
    missing_now_hours = {2: 3, 5: 9, 9: 30, 13: 52, 17: 80, 23: 150, 30: 20}
    # A few were last seen days ago and are back now, their follow-up in hand: return
    # interviews to allocate or offer, what the weekly report calls returned in the last 7 days.
    back_now_hours = {4: 40, 8: 70, 15: 110, 21: 150}
    episodes = 0
    open_count = 0
    for index, child in enumerate(children):
        count = rng.choice([1, 1, 2, 2, 3, 4]) if index % 6 else rng.choice([8, 10, 12])
        open_since = (
            _local(now - timedelta(hours=missing_now_hours[index])) if index in missing_now_hours else None
        )
        recent = open_since or (_local(now - timedelta(hours=back_now_hours[index]))
                                if index in back_now_hours else None)
        history_end = (recent - timedelta(days=6)) if recent else now - timedelta(hours=6)
        span_days = max(10, (history_end - start).days)
        starts = sorted(
            _local(start + timedelta(days=rng.uniform(0, span_days - 5))) for _ in range(count)
        )
        # Keep at least six days between episodes so one always ends before the next.
        spaced: list[datetime] = []
        for candidate in starts:
            if not spaced or candidate - spaced[-1] >= timedelta(days=6):
                spaced.append(candidate)
        if recent is not None:
            spaced.append(recent)
        for last_seen in spaced:
            leave_open = last_seen == open_since
            # Nobody is emailed about episodes that ended long ago; the children missing now
            # have their notifications, as they would in real use.
            quiet = contextlib.nullcontext() if leave_open else notifications_suppressed("demonstration history")
            with quiet:
                _demo_episode(rng=rng, now=now, child=child, last_seen=last_seen, leave_open=leave_open,
                              coordinator=coordinator, police_user=police_user, follow_up=follow_up)
            episodes += 1
            open_count += leave_open
        if (index + 1) % 10 == 0 or index + 1 == len(children):
            progress(f"  episodes of {index + 1} of {len(children)} children: {episodes} episodes, "
                     "reported, found and followed up")
    return {"children": len(children), "episodes": episodes, "open": open_count,
            "users": len(DEMO_USERS)}


def _demo_episode(*, rng: random.Random, now: datetime, child: Child, last_seen: datetime, leave_open: bool,
                  coordinator: User, police_user: User, follow_up: FollowUp) -> None:
    """One episode, reported and (unless the child is missing now) found and followed up."""
    reported = min(last_seen + timedelta(minutes=rng.randint(20, 300)), now - timedelta(minutes=5))
    result = episode_report(
        actor=police_user if rng.random() < 0.6 else coordinator, child=child,
        reported_at=reported,
        reported_by=rng.choice(["police", "placement_provider", "parent_carer", "school", "edt"]),
        last_seen_at=last_seen, location_last_seen=rng.choice(PLACES),
        circumstances=rng.choice([
            "Did not return after school.", "Left the placement after an argument with staff.",
            "Went out with friends and did not come back by the agreed time.",
            "Seen getting into a car with older males.", "Took a train without telling anyone.",
        ]),
        missing_from="care" if child.legal_status == "looked_after" else rng.choice(["home", "education"]),
        classification="absent" if rng.random() < 0.15 else "missing",
        whereabouts_known=rng.random() < 0.15,
        risk_level=rng.choices(["very_low", "low", "medium", "high"], weights=[1, 4, 6, 2])[0],
        risk_graded_by="Police initial grading",
        police_force="northamptonshire",
        police_reference=f"NP-{last_seen:%y%m%d}-{rng.randint(1000, 9999)}",
    )
    episode = result.episode
    if rng.random() < 0.15:
        episode_regrade_risk(
            actor=police_user, episode=episode, risk_level="high",
            graded_at=min(now, reported + timedelta(hours=rng.randint(1, 3))),
            graded_by="Duty inspector", rationale="New intelligence: seen with an adult of concern.",
        )
    if episode.classification == "absent" and rng.random() < 0.4:
        episode_reclassify(
            actor=coordinator, episode=episode, classification="missing",
            at=min(now, reported + timedelta(hours=rng.randint(1, 2))),
            rationale="No contact and phone switched off: out of character.",
        )
    if leave_open:
        return
    duration = timedelta(hours=rng.choice([2, 5, 9, 14, 20, 30, 50, 80, 110]))
    found = max(min(last_seen + duration, now - timedelta(minutes=30)), reported + timedelta(hours=3))
    found_episode = episode_record_found(
        actor=coordinator, episode=episode, found_at=found,
        found_location=rng.choice(PLACES), found_by=rng.choice(FINDERS),
        whereabouts=rng.choice(["With friends in town.", "At a boyfriend's address.",
                                "Stayed with an older friend.", "Would not say."]),
        with_whom=rng.choice(["Friends from school", "An older male known as 'J'", "Alone",
                              "Two other young people from the home"]),
        condition=rng.choice(["Tired and hungry.", "Quiet, would not talk.", "Well, apologetic.",
                              "Smelt of cannabis; new phone."]),
    )
    follow_up.run(found_episode)
