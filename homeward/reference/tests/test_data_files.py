"""Checks on the shipped data files themselves (no database needed)."""

import csv
import io
import re
import tomllib
from collections import Counter
from importlib import resources

import pytest

from homeward.reference import loader

DATA = resources.files("homeward.reference.data")


def _csv(name):
    return list(csv.DictReader(io.StringIO(DATA.joinpath(name).read_text(encoding="utf-8"))))


def _toml():
    return tomllib.loads(DATA.joinpath("coded_lists.toml").read_text(encoding="utf-8"))


AUTHORITIES = {r["code"]: r for r in _csv("authorities.csv")}
CURRENT = {c: r for c, r in AUTHORITIES.items() if not r["retired_on"]}
FORCES = {r["code"]: r for r in _csv("police_forces.csv")}
LISTS = _toml()


def test_files_parse_and_validate():
    forces = loader.read_police_forces()
    authorities = loader.read_authorities(forces)
    lists = loader.read_coded_lists()
    assert len(forces) == len(FORCES)
    assert len(authorities) == len(AUTHORITIES)
    assert set(lists) == set(LISTS)


def test_authority_counts():
    assert len(CURRENT) == 153
    assert Counter(r["region"] for r in CURRENT.values()) == {
        "London": 33,
        "North West": 24,
        "South East": 19,
        "Yorkshire and The Humber": 15,
        "South West": 15,
        "West Midlands": 14,
        "North East": 12,
        "East of England": 11,
        "East Midlands": 10,
    }


@pytest.mark.parametrize(
    ("code", "name", "force"),
    [
        ("203", "Greenwich", "metropolitan"),
        ("333", "Sandwell", "west-midlands"),
        ("800", "Bath and North East Somerset", "avon-and-somerset"),
        ("940", "North Northamptonshire", "northamptonshire"),
        ("941", "West Northamptonshire", "northamptonshire"),
        ("201", "City of London", "city-of-london"),
        ("420", "Isles of Scilly", "devon-and-cornwall"),
        ("942", "Cumberland", "cumbria"),
        ("943", "Westmorland and Furness", "cumbria"),
        ("815", "North Yorkshire", "north-yorkshire"),
        ("933", "Somerset", "avon-and-somerset"),
        ("839", "Bournemouth, Christchurch and Poole", "dorset"),
        ("838", "Dorset", "dorset"),
        ("825", "Buckinghamshire", "thames-valley"),
        ("921", "Isle of Wight", "hampshire"),
    ],
)
def test_known_current_authorities(code, name, force):
    row = CURRENT[code]
    assert row["name"] == name
    assert row["police_force"] == force


@pytest.mark.parametrize(
    ("code", "name", "retired_on"),
    [("909", "Cumbria", "2023-04-01"), ("928", "Northamptonshire", "2021-04-01")],
)
def test_retired_predecessors_are_kept(code, name, retired_on):
    row = AUTHORITIES[code]
    assert (row["name"], row["retired_on"]) == (name, retired_on)


def test_authority_codes_are_three_digits_and_unique():
    codes = [r["code"] for r in _csv("authorities.csv")]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"[0-9]{3}", c) for c in codes)


def test_every_london_borough_is_metropolitan_except_the_city():
    london = {c: r for c, r in CURRENT.items() if r["region"] == "London"}
    assert {c for c, r in london.items() if r["police_force"] != "metropolitan"} == {"201"}


def test_police_forces():
    territorial = {c for c, r in FORCES.items() if r["kind"] == "territorial"}
    assert len(territorial) == 39
    assert {"metropolitan", "city-of-london", "northamptonshire", "west-midlands"} <= territorial
    assert FORCES["british-transport"]["kind"] == "special"


def test_every_authority_has_a_territorial_force_and_every_force_is_used():
    territorial = {c for c, r in FORCES.items() if r["kind"] == "territorial"}
    assert all(r["police_force"] in territorial for r in AUTHORITIES.values())
    assert {r["police_force"] for r in CURRENT.values()} == territorial


def _labels(name):
    return [i["label"] for i in LISTS[name]["items"]]


def _codes(name):
    return [i["code"] for i in LISTS[name]["items"]]


def test_push_factors_match_domain_section_6():
    assert _labels("push_factors") == [
        "Conflict at home or being told to leave",
        "Poor family relationships or step-parent issues",
        "Domestic abuse",
        "Physical, emotional or sexual abuse or neglect",
        "Not feeling accepted or safe",
        "Boundaries",
        "Bullying (including online)",
        "Problems at school",
        "Personal wellbeing, depression, needing someone to talk to",
        "Pregnancy or fear of it",
        "Fear of forced marriage or FGM",
        "Placement instability or distance from family and friends",
    ]


def test_pull_factors_match_domain_section_6():
    assert _labels("pull_factors") == [
        "Peers, boyfriends or girlfriends",
        "Wanting to be with someone",
        "Being near family and friends (children in care)",
        "Freedom and independence",
        "Alcohol, drugs or crime",
        "Grooming or coercion by a peer or older person",
        "Fear of repercussions",
    ]


def test_risks_match_domain_section_6():
    assert _labels("risks") == [
        "Sexual or criminal exploitation",
        "Involvement in crime",
        "Victim of crime",
        "Alcohol or substance misuse",
        "Physical or mental health deterioration",
        "Missed education",
        "Trafficking",
    ]


@pytest.mark.parametrize(
    ("name", "codes"),
    [
        (
            "exploitation_indicators",
            ["cse", "cce", "trafficking", "county_lines", "online_exploitation", "radicalisation"],
        ),
        (
            "referrals",
            [
                "early_help_assessment",
                "child_protection",
                "mace_panel",
                "camhs",
                "substance_misuse_service",
                "other",
            ],
        ),
        (
            "reported_by",
            [
                "police",
                "placement_provider",
                "parent_carer",
                "school",
                "edt",
                "social_worker",
                "other",
            ],
        ),
        ("missing_from", ["home", "care", "education"]),
        (
            "legal_statuses",
            ["looked_after", "child_protection", "child_in_need", "early_help", "none"],
        ),
        ("risk_levels", ["very_low", "low", "medium", "high"]),
        ("classifications", ["missing", "absent"]),
        ("sexes", ["male", "female", "other", "unknown"]),
        ("rhi_outcomes", ["accepted", "declined", "no_contact"]),
        ("rhi_methods", ["face_to_face", "phone", "video"]),
        ("meeting_kinds", ["missing_strategy", "section_47", "mace", "pre_mace"]),
        ("share_recipients", ["police", "social_worker", "iro"]),
    ],
)
def test_fixed_lists(name, codes):
    assert _codes(name) == codes


def test_ethnicities_are_the_dfe_codes():
    assert {c.upper() for c in _codes("ethnicities")} == {
        "WBRI",
        "WIRI",
        "WOTH",
        "WIRT",
        "WROM",
        "MWBC",
        "MWBA",
        "MWAS",
        "MOTH",
        "AIND",
        "APKN",
        "ABAN",
        "AOTH",
        "BCRB",
        "BAFR",
        "BOTH",
        "CHNE",
        "OOTH",
        "REFU",
        "NOBT",
    }
    assert (
        dict(zip(_codes("ethnicities"), _labels("ethnicities"), strict=True))["wbri"]
        == "White British"
    )


def test_placement_types_are_the_2024_25_place_codes():
    assert {c.upper() for c in _codes("placement_types")} == {
        "A3",
        "A4",
        "A5",
        "A6",
        "H5",
        "K1",
        "K2",
        "K3",
        "P1",
        "P2",
        "P3",
        "R1",
        "R2",
        "R3",
        "R5",
        "S1",
        "T0",
        "T1",
        "T2",
        "T3",
        "T4",
        "U1",
        "U2",
        "U3",
        "U4",
        "U5",
        "U6",
        "Z1",
    }


def test_coded_list_codes_are_unique_slugs():
    for name, table in LISTS.items():
        codes = [i["code"] for i in table["items"]]
        assert len(codes) == len(set(codes)), name
        assert all(re.fullmatch(r"[a-z0-9_]+", c) for c in codes), name
