import datetime

import pytest

from homeward.reference import loader
from homeward.reference.loader import ReferenceDataError, load_reference_data
from homeward.reference.models import Authority, CodedItem, PoliceForce

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 1)


def _edit_file(monkeypatch, filename, edit):
    """Make the loader see ``filename`` changed by ``edit(text) -> text`` (calls stack)."""
    original = loader._read_text

    def fake(name):
        text = original(name)
        return edit(text) if name == filename else text

    monkeypatch.setattr(loader, "_read_text", fake)


def _drop_lines(*starts):
    def edit(text):
        return "\n".join(line for line in text.splitlines() if not line.startswith(starts)) + "\n"

    return edit


def _empty_reference_tables():
    """The shared test database starts loaded; these tests want the first load itself."""
    CodedItem.objects.all().delete()
    Authority.objects.all().delete()
    PoliceForce.objects.all().delete()


@pytest.fixture(autouse=True)
def empty_reference_tables():
    _empty_reference_tables()


def test_first_load_creates_everything():
    summary = load_reference_data()
    assert summary.police_forces.created == 40
    assert summary.authorities.created == 158
    assert summary.coded_items.created == CodedItem.objects.count() > 100
    assert summary.changed
    assert Authority.objects.filter(retired_on__isnull=True).count() == 153
    assert Authority.objects.filter(retired_on__isnull=False).count() == 5
    assert PoliceForce.objects.count() == 40
    assert not CodedItem.objects.filter(shipped=False).exists()


def test_loading_twice_changes_nothing():
    load_reference_data()
    before = {
        "forces": list(PoliceForce.objects.values()),
        "authorities": list(Authority.objects.values()),
        "items": list(CodedItem.objects.values()),
    }
    summary = load_reference_data()
    assert not summary.changed
    assert summary.authorities.unchanged == 158
    assert summary.police_forces.unchanged == 40
    assert summary.coded_items.unchanged == CodedItem.objects.count()
    after = {
        "forces": list(PoliceForce.objects.values()),
        "authorities": list(Authority.objects.values()),
        "items": list(CodedItem.objects.values()),
    }
    assert before == after


def test_every_current_authority_has_a_territorial_force(reference_data):
    for authority in Authority.objects.filter(retired_on__isnull=True).select_related(
        "police_force"
    ):
        assert authority.police_force.code != "british-transport"
        assert authority.police_force.retired_on is None
    assert not PoliceForce.objects.get(code="british-transport").authorities.exists()


def test_edited_rows_are_put_back(reference_data):
    Authority.objects.filter(code="203").update(name="Royal Greenwich", region="")
    CodedItem.objects.filter(list_name="risks", code="trafficking").update(label="x", position=99)
    summary = load_reference_data()
    assert summary.authorities.updated == 1
    assert summary.coded_items.updated == 1
    assert Authority.objects.get(code="203").name == "Greenwich"
    item = CodedItem.objects.get(list_name="risks", code="trafficking")
    assert (item.label, item.position) == ("Trafficking", 6)


def test_items_missing_from_the_files_are_retired_not_deleted(reference_data, monkeypatch):
    count = CodedItem.objects.count()
    _edit_file(
        monkeypatch,
        "coded_lists.toml",
        lambda t: t.replace('  { code = "boundaries", label = "Boundaries" },\n', ""),
    )
    _edit_file(monkeypatch, "authorities.csv", _drop_lines("333,"))  # stacks on the edit above

    summary = load_reference_data(today=TODAY)

    assert summary.coded_items.retired == 1
    assert summary.authorities.retired == 1
    assert CodedItem.objects.count() == count
    assert CodedItem.objects.get(list_name="push_factors", code="boundaries").retired_on == TODAY
    assert Authority.objects.get(code="333").retired_on == TODAY

    # Running again with the same files changes nothing: the retirement date stays.
    assert not load_reference_data(today=TODAY + datetime.timedelta(days=1)).changed
    assert CodedItem.objects.get(list_name="push_factors", code="boundaries").retired_on == TODAY


def test_whole_list_removed_is_retired(reference_data, monkeypatch):
    _edit_file(monkeypatch, "coded_lists.toml", lambda t: t.partition("[share_recipients]")[0])
    summary = load_reference_data(today=TODAY)
    assert summary.coded_items.retired == 3
    assert all(
        i.retired_on == TODAY for i in CodedItem.objects.filter(list_name="share_recipients")
    )


def test_item_back_in_the_files_is_unretired(reference_data):
    CodedItem.objects.filter(list_name="sexes", code="other").update(retired_on=TODAY)
    Authority.objects.filter(code="941").update(retired_on=TODAY)
    summary = load_reference_data()
    assert summary.coded_items.updated == 1
    assert summary.authorities.updated == 1
    assert CodedItem.objects.get(list_name="sexes", code="other").retired_on is None
    assert Authority.objects.get(code="941").retired_on is None


def test_authority_added_items_are_left_alone(reference_data):
    local = CodedItem.objects.create(
        list_name="push_factors",
        code="local_reason",
        label="Our own reason",
        position=50,
        shipped=False,
    )
    local_list = CodedItem.objects.create(
        list_name="our_list", code="thing", label="Thing", shipped=False
    )
    summary = load_reference_data(today=TODAY)
    assert not summary.changed
    local.refresh_from_db()
    local_list.refresh_from_db()
    assert local.retired_on is None and local.label == "Our own reason"
    assert local_list.retired_on is None


def test_local_item_with_a_shipped_code_is_not_overwritten(db):
    CodedItem.objects.create(
        list_name="risks", code="trafficking", label="Our wording", position=0, shipped=False
    )
    summary = load_reference_data()
    assert summary.conflicts == [("risks", "trafficking")]
    item = CodedItem.objects.get(list_name="risks", code="trafficking")
    assert (item.label, item.shipped) == ("Our wording", False)


def test_bad_file_writes_nothing(db, monkeypatch):
    _edit_file(monkeypatch, "authorities.csv", lambda t: t + "999,Nowhere,London,no-such-force,\n")
    with pytest.raises(ReferenceDataError, match="no-such-force"):
        load_reference_data()
    assert not PoliceForce.objects.exists()
    assert not CodedItem.objects.exists()


def test_authority_cannot_use_a_non_territorial_force(db, monkeypatch):
    _edit_file(
        monkeypatch, "authorities.csv", lambda t: t + "999,Railway,London,british-transport,\n"
    )
    with pytest.raises(ReferenceDataError, match="territorial"):
        load_reference_data()


def test_error_midway_rolls_back(db, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(loader, "_load_coded_items", boom)
    with pytest.raises(RuntimeError):
        load_reference_data()
    assert not PoliceForce.objects.exists()
    assert not Authority.objects.exists()
