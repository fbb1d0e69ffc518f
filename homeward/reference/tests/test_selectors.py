import pytest

from homeward.reference import selectors
from homeward.reference.models import CodedItem, PoliceForce

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("203", "Greenwich"),
        ("333", "Sandwell"),
        ("800", "Bath and North East Somerset"),
        ("940", "North Northamptonshire"),
        ("941", "West Northamptonshire"),
        ("201", "City of London"),
        ("420", "Isles of Scilly"),
        ("942", "Cumberland"),
        ("943", "Westmorland and Furness"),
        ("815", "North Yorkshire"),
        ("933", "Somerset"),
    ],
)
def test_authority_get_current(reference_data, code, name):
    authority = selectors.authority_get(code)
    assert authority is not None
    assert authority.name == name
    assert authority.retired_on is None
    assert authority.police_force.retired_on is None


def test_authority_get_retired_and_unknown(reference_data):
    cumbria = selectors.authority_get("909")
    assert cumbria.name == "Cumbria" and cumbria.retired_on is not None
    assert cumbria.police_force.code == "cumbria"
    assert selectors.authority_get("928").police_force.code == "northamptonshire"
    assert selectors.authority_get("999") is None
    assert selectors.authority_get("") is None


def test_authority_list(reference_data):
    current = list(selectors.authority_list())
    everything = list(selectors.authority_list(include_retired=True))
    assert len(current) == 153
    assert len(everything) == 158
    assert "909" not in {a.code for a in current}
    assert "909" in {a.code for a in everything}
    names = [a.name for a in current]
    assert names == sorted(names)


def test_police_forces(reference_data):
    assert selectors.police_force_get("northamptonshire").name == "Northamptonshire Police"
    assert selectors.police_force_get("british-transport").name == "British Transport Police"
    assert selectors.police_force_get("nowhere") is None
    assert selectors.authority_get("333").police_force == selectors.police_force_get(
        "west-midlands"
    )
    assert selectors.police_force_list().count() == 40


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("northamptonshire", "northamptonshire"),
        ("Northamptonshire Police", "northamptonshire"),
        ("NORTHAMPTONSHIRE", "northamptonshire"),
        ("  northamptonshire police  ", "northamptonshire"),
        ("Avon & Somerset Constabulary", "avon-and-somerset"),
        ("Avon and Somerset Police", "avon-and-somerset"),
        ("avon-and-somerset", "avon-and-somerset"),
        ("Metropolitan Police Service", "metropolitan"),
        ("The Metropolitan Police", "metropolitan"),
        ("Hampshire Constabulary", "hampshire"),
        ("Hampshire & Isle of Wight Constabulary", "hampshire"),
        ("West Midlands Police", "west-midlands"),
        ("West-Midlands", "west-midlands"),
        ("British Transport Police", "british-transport"),
        ("City of London Police", "city-of-london"),
    ],
)
def test_a_force_is_found_by_its_code_its_name_or_a_common_form_of_it(reference_data, given, code):
    assert selectors.police_force_resolve(given).code == code


@pytest.mark.parametrize("given", ["", "   ", "Atlantis Police", "Police", "West", "Midlands"])
def test_a_name_that_is_no_force_or_several_resolves_to_none(reference_data, given):
    assert selectors.police_force_resolve(given) is None


def test_a_retired_force_is_still_found_by_its_name(reference_data):
    PoliceForce.objects.create(code="old-shire", name="Old Shire Constabulary", retired_on="2020-01-01")
    assert selectors.police_force_resolve("Old Shire Police").code == "old-shire"


def test_coded_list_order_and_retirement(reference_data):
    items = selectors.coded_list("risk_levels")
    assert [i.code for i in items] == ["very_low", "low", "medium", "high"]
    CodedItem.objects.filter(list_name="risk_levels", code="very_low").update(
        retired_on="2025-01-01"
    )
    assert [i.code for i in selectors.coded_list("risk_levels")] == ["low", "medium", "high"]
    assert len(selectors.coded_list("risk_levels", include_retired=True)) == 4
    assert selectors.coded_list("no_such_list") == []


def test_coded_list_includes_local_items(reference_data):
    CodedItem.objects.create(
        list_name="push_factors", code="local_reason", label="Ours", position=100, shipped=False
    )
    assert selectors.coded_list("push_factors")[-1].code == "local_reason"


def test_coded_list_names(reference_data):
    names = selectors.coded_list_names()
    assert names == sorted(names)
    assert {
        "push_factors",
        "pull_factors",
        "risks",
        "exploitation_indicators",
        "referrals",
        "reported_by",
        "missing_from",
        "legal_statuses",
        "risk_levels",
        "classifications",
        "sexes",
        "ethnicities",
        "placement_types",
        "rhi_outcomes",
        "rhi_methods",
        "meeting_kinds",
        "share_recipients",
    } == set(names)


def test_is_valid_code(reference_data):
    assert selectors.is_valid_code("push_factors", "domestic_abuse")
    assert selectors.is_valid_code("placement_types", "k2")
    assert not selectors.is_valid_code("placement_types", "K2")
    assert not selectors.is_valid_code("push_factors", "trafficking")
    assert not selectors.is_valid_code("nope", "domestic_abuse")
    CodedItem.objects.filter(list_name="sexes", code="other").update(retired_on="2025-01-01")
    assert not selectors.is_valid_code("sexes", "other")
    assert selectors.is_valid_code("sexes", "other", include_retired=True)


def test_coded_item_get_and_dfe_codes(reference_data):
    assert selectors.coded_item_get("ethnicities", "wbri").label == "White British"
    assert selectors.dfe_code("wbri") == "WBRI"
    assert selectors.code_from_dfe(" U4 ") == "u4"
    assert selectors.is_valid_code("placement_types", selectors.code_from_dfe("U4"))
    assert selectors.coded_item_get("ethnicities", "xxxx") is None


def test_police_force_choices_are_the_current_forces_read_once_and_forgotten_when_loaded(
        reference_data, django_assert_num_queries, django_capture_on_commit_callbacks):
    from django.core.cache import cache

    from homeward.reference.loader import load_reference_data

    cache.delete(selectors.POLICE_FORCE_CHOICES_KEY)
    choices = selectors.police_force_choices()
    assert choices == [(f.code, f.name) for f in selectors.police_force_list()]
    assert ("northamptonshire", "Northamptonshire Police") in choices
    with django_assert_num_queries(0):
        assert selectors.police_force_choices() == choices
    # Loading reference data forgets the list: the next menu reads the table again.
    PoliceForce.objects.filter(code="northamptonshire").update(name="Northamptonshire Constabulary")
    with django_assert_num_queries(0):
        assert ("northamptonshire", "Northamptonshire Police") in selectors.police_force_choices()
    with django_capture_on_commit_callbacks(execute=True):
        load_reference_data()
    assert cache.get(selectors.POLICE_FORCE_CHOICES_KEY) is None
    assert ("northamptonshire", "Northamptonshire Police") in selectors.police_force_choices()
    cache.delete(selectors.POLICE_FORCE_CHOICES_KEY)
