"""What every generated child refers to: the people, teams, contact points, authorities and coded
lists of a benchmark database, made once through the ORM (they are few) and read back as plain
values that the processes filling in children can share."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from homeward.accounts.models import Organisation, Team, User
from homeward.accounts.roles import Role
from homeward.notifications.models import ContactKind, ContactPoint
from homeward.obligations.protocol_source import active_protocol
from homeward.reference.models import Authority, CodedItem

from .world import Staff

COORDINATOR = "bench.coordinator"
POLICE = "bench.police"
MCT_TEAM = "Missing Children Team"
PROVIDERS = ("Oakfield Children's Homes Ltd", "Hillside Care Group", "Brook Lane Homes", "Northgate Residential")
TOWNS = ("Northampton", "Daventry", "Towcester", "Brackley", "Kettering", "Corby", "Wellingborough", "Rushden",
         "Rugby", "Banbury", "Bedford", "Luton", "Leicester", "Coventry", "Milton Keynes", "Oxford", "Reading",
         "Swindon", "Peterborough", "Cambridge", "Ipswich", "Norwich", "Lincoln", "Nottingham", "Derby",
         "Stoke", "Wolverhampton", "Walsall", "Dudley", "Worcester", "Hereford", "Gloucester", "Bristol", "Bath",
         "Exeter", "Plymouth", "Bournemouth", "Southampton", "Portsmouth", "Brighton")
PLACE_PATTERNS = ("{town} bus station", "{town} railway station", "{town} town centre", "{town} retail park",
                  "McDonald's, {town}", "the skate park in {town}", "{town} recreation ground",
                  "a friend's flat in {town}", "{town} shopping centre", "the canal towpath, {town}",
                  "{town} library", "the car park behind {town} leisure centre", "{town} market square",
                  "an address on Station Road, {town}", "the underpass by {town} ring road")
NICKNAMES = ("J", "Tiny", "Kay", "Smoke", "Dee", "Rocco", "Spider", "Blue", "Marley", "Ace", "Zee", "Milo")
ASSOCIATE_GIVEN = ("Kyle", "Liam", "Jordan", "Tyrone", "Connor", "Shane", "Rhys", "Danny", "Kelsey", "Jade",
                   "Chantelle", "Brooke", "Aaron", "Reece", "Callum", "Dwayne")
ASSOCIATE_FAMILY = ("Barton", "Cole", "Dunn", "Finch", "Hale", "Kerr", "Lowe", "Marsh", "Nash", "Pike", "Rowe",
                    "Shaw", "Tate", "Vance", "Webb", "York")


@dataclass(frozen=True)
class Contact:
    id: int
    name: str
    email: str


@dataclass(frozen=True)
class Person:
    id: int
    username: str
    name: str
    email: str


@dataclass
class Setting:
    now: datetime
    home: str
    authority_ids: dict[str, int]
    neighbours: tuple[str, ...]
    far: tuple[str, ...]
    force_id: int
    force_code: str
    team_ids: list[int]
    team_names: list[str]
    managers: list[Person]
    workers_by_team: list[list[Person]]
    practitioners: list[Person]
    iros: list[Person]
    coordinator: Person
    police: Person
    provider_orgs: list[int]
    front_door: Contact
    mct: Contact
    edt: Contact
    police_contact: Contact
    authority_contacts: dict[str, Contact]
    codes: dict[str, list[str]]
    places: list[list[str]] = field(default_factory=list)
    associates: list[list[str]] = field(default_factory=list)


def _person(user: User) -> Person:
    return Person(user.pk, user.username, user.get_full_name() or user.username, user.email)


def _users(specs: list[tuple[str, str, str, str, Team | None, Organisation]]) -> list[User]:
    password = make_password(None)
    users = [User(username=username, role=role, first_name=first, last_name=last, team=team, organisation=org,
                  email=f"{username}@bench.homeward.example", password=password)
             for username, role, first, last, team, org in specs]
    return User.objects.bulk_create(users, batch_size=2000)


def _areas(seed: int, count: int) -> tuple[list[list[str]], list[list[str]]]:
    rng = random.Random(seed)
    places, associates = [], []
    for area in range(count):
        town = TOWNS[area % len(TOWNS)] + (f" {area // len(TOWNS) + 1}" if area >= len(TOWNS) else "")
        places.append([pattern.format(town=town) for pattern in PLACE_PATTERNS])
        people = []
        for _ in range(30):
            if rng.random() < 0.4:
                people.append(f"'{rng.choice(NICKNAMES)}' (older male, about {rng.randint(18, 30)}, {town})")
            else:
                people.append(f"{rng.choice(ASSOCIATE_GIVEN)} {rng.choice(ASSOCIATE_FAMILY)} ({rng.randint(14, 24)})")
        associates.append(people)
    return places, associates


@transaction.atomic
def setting_create(staff: Staff, *, now: datetime, seed: int) -> Setting:
    """The people and inboxes of a new benchmark database (reference data already loaded)."""
    home = Authority.objects.select_related("police_force").get(code=settings.HOMEWARD_AUTHORITY)
    council = Organisation.objects.create(name=f"{home.name} Council (bench)",
                                          kind=Organisation.Kind.LOCAL_AUTHORITY, authority=home)
    commissioned = Organisation.objects.create(name="Safe Return (bench)", kind=Organisation.Kind.COMMISSIONED)
    police_org = Organisation.objects.create(name=f"{home.police_force.name} (bench)",
                                             kind=Organisation.Kind.POLICE)
    providers = [Organisation.objects.create(name=name, kind=Organisation.Kind.PLACEMENT_PROVIDER)
                 for name in PROVIDERS]
    mct_team = Team.objects.create(name=MCT_TEAM, organisation=council, email="mct.team@bench.homeward.example")
    teams = Team.objects.bulk_create(
        Team(name=f"Children's social care team {n + 1}", organisation=council,
             email=f"team{n + 1}@bench.homeward.example") for n in range(staff.teams)
    )
    specs: list[tuple[str, str, str, str, Team | None, Organisation]] = [
        (COORDINATOR, Role.COORDINATOR, "Priya", "Shah", mct_team, council),
        ("bench.mct", Role.MCT_ADMIN, "Gareth", "Hale", mct_team, council),
        (POLICE, Role.POLICE_LIAISON, "Dan", "Price", None, police_org),
        ("bench.auditor", Role.AUDITOR, "Simon", "Grey", None, council),
    ]
    specs += [(f"tm.{n + 1}", Role.TEAM_MANAGER, "Manager", f"Team{n + 1}", team, council)
              for n, team in enumerate(teams)]
    specs += [(f"sw.{n + 1}", Role.SOCIAL_WORKER, "Worker", f"Number{n + 1}", teams[n % len(teams)], council)
              for n in range(staff.workers)]
    specs += [(f"rhi.{n + 1}", Role.RHI_PRACTITIONER, "Practitioner", f"Number{n + 1}", None, commissioned)
              for n in range(staff.practitioners)]
    specs += [(f"iro.{n + 1}", Role.IRO, "Reviewer", f"Number{n + 1}", None, council)
              for n in range(max(2, staff.workers // 10))]
    by_name = {u.username: u for u in _users(specs)}
    contacts = {
        kind: ContactPoint.objects.create(kind=kind, name=name, email=f"{box}@bench.homeward.example")
        for kind, name, box in ((ContactKind.FRONT_DOOR, "Front door (MASH)", "mash"),
                                (ContactKind.MCT, "Missing Children Team", "mct"),
                                (ContactKind.EDT, "Emergency Duty Team", "edt"))
    }
    police_contact = ContactPoint.objects.create(kind=ContactKind.POLICE, police_force=home.police_force,
                                                 name=f"{home.police_force.name} missing person unit",
                                                 email="mispers@bench.police.example")
    authorities = {a.code: a for a in Authority.objects.filter(retired_on__isnull=True)}
    authority_contacts = {
        code: ContactPoint.objects.create(kind=ContactKind.AUTHORITY, authority=a,
                                          name=f"{a.name} missing children contact",
                                          email=f"missing.{code}@authority.example")
        for code, a in authorities.items() if code != home.code
    }
    neighbours = tuple(code for code in active_protocol().versions[-1].neighbouring_authorities
                       if code in authorities)
    far = tuple(code for code in sorted(authorities) if code != home.code and code not in neighbours)
    codes = {name: list(CodedItem.objects.filter(list_name=name, retired_on__isnull=True)
                        .order_by("position", "code").values_list("code", flat=True))
             for name in ("push_factors", "pull_factors", "risks", "exploitation_indicators", "referrals")}
    places, associates = _areas(seed, staff.areas)

    def contact(point: ContactPoint) -> Contact:
        return Contact(point.pk, point.name, point.email)

    workers_by_team: list[list[Person]] = [[] for _ in teams]
    for n in range(staff.workers):
        workers_by_team[n % len(teams)].append(_person(by_name[f"sw.{n + 1}"]))
    return Setting(
        now=now, home=home.code, authority_ids={code: a.pk for code, a in authorities.items()},
        neighbours=neighbours, far=far, force_id=home.police_force.pk, force_code=home.police_force.code,
        team_ids=[t.pk for t in teams], team_names=[t.name for t in teams],
        managers=[_person(by_name[f"tm.{n + 1}"]) for n in range(len(teams))],
        workers_by_team=workers_by_team,
        practitioners=[_person(by_name[f"rhi.{n + 1}"]) for n in range(staff.practitioners)],
        iros=[_person(by_name[f"iro.{n + 1}"]) for n in range(max(2, staff.workers // 10))],
        coordinator=_person(by_name[COORDINATOR]), police=_person(by_name[POLICE]),
        provider_orgs=[p.pk for p in providers],
        front_door=contact(contacts[ContactKind.FRONT_DOOR]), mct=contact(contacts[ContactKind.MCT]),
        edt=contact(contacts[ContactKind.EDT]), police_contact=contact(police_contact),
        authority_contacts={code: contact(point) for code, point in authority_contacts.items()},
        codes=codes, places=places, associates=associates,
    )
